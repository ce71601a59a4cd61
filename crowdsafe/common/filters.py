"""One django-filter FilterSet per list: the page's filter form, the API's query parameters and the selector's
filtering are one declaration, so the three cannot drift apart (they used to be a Django form, a DRF serializer
and an if-chain in the selector, each list its own three).

The shape, the same for every list:

- ``<app>/filters.py`` declares ``<Thing>FilterSet(ListFilterSet)`` with the page's parameter names, labels
  (through gettext: Chinese on the page) and choices. Its ``.form`` is the page's filter form.
- The selector scopes, then applies the filters::

      def venue_list(*, user, filters: FilterData = None) -> QuerySet[Venue]:
          return VenueFilterSet.of(filters).apply(venue_visible(user=user)).order_by("name", "id")

  ``filters`` is the filter data (a ``QueryDict``, or a dict of values from code) or a FilterSet of that class
  already bound to it. A field with an error counts as not given: the rest of the filters still apply.
- The page view binds ``<Thing>FilterSet(request.GET)``, renders its ``.form`` (a malformed value is a form error
  beside its field, never a 500) and hands that FilterSet to the selector, so a value looked up while filtering
  (a division code's path) is looked up once per request.
- The API list view sets ``filter_backends = [FilterSetBackend]`` and ``filterset_class``, and its
  ``get_queryset`` passes ``request.query_params`` to the selector. The backend does not filter (the selector
  did): it refuses a malformed filter with a 400 naming its field, and it is what drf-spectacular reads to document
  the parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeAlias, TypeVar

import django_filters
from django import forms
from django.db.models import Model, QuerySet
from django.forms.boundfield import BoundField
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import Promise
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ChoiceIterator as FilterChoiceIterator
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crowdsafe.common.rendered import HtmlCache, site_key
from crowdsafe.org.models import Jurisdiction

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

M = TypeVar("M", bound=Model)

#: What a selector's ``filters`` argument may be: the data, a FilterSet bound to it, or nothing.
FilterData: TypeAlias = Mapping[str, Any] | django_filters.FilterSet | None


#: Each ListFilterSet class's form class (``ListFilterSet.get_form_class``).
_FORM_CLASSES: dict[type, type[forms.Form]] = {}


class ListFilterSet(django_filters.FilterSet):
    """The base of every list's FilterSet (see the module docstring for the shape)."""

    @classmethod
    def of(cls, filters: FilterData) -> Self:
        """The FilterSet of ``filters``: the one given, or a new one bound to the data. No data is an empty dict,
        not None: a bound FilterSet, so the filters that have a default (open hazards only, active venues only)
        apply it."""
        if isinstance(filters, cls):
            return filters
        if isinstance(filters, django_filters.FilterSet):
            raise TypeError(f"{cls.__name__} was handed a {type(filters).__name__}")
        return cls(filters if filters is not None else {})

    def get_form_class(self) -> type[forms.Form]:
        """The form class, built once per FilterSet class: django-filter builds a new class for every FilterSet
        instance, each of its fields built again from its filter (~0.5 ms of every list page, issue 19). The fields
        are the class's declaration; what a request changes (a choice list of the user's departments, the help texts
        taken off) is changed on the form's own copies of them (``Form.__init__`` deep-copies ``base_fields``)."""
        form_class = _FORM_CLASSES.get(type(self))
        if form_class is None:
            form_class = _FORM_CLASSES[type(self)] = super().get_form_class()
        return form_class

    @property
    def form(self) -> forms.Form:
        """The page's filter form. A filter's ``help_text`` documents the API parameter (in English, for the
        schema); it is not shown on the page, whose labels say enough."""
        form = super().form
        for field in form.fields.values():
            field.help_text = ""
        if form.bound_field_class is not CachedBoundField:
            form.bound_field_class = CachedBoundField
            form.render_namespace = f"{type(self).__module__}.{type(self).__qualname__}"
        return form

    #: What the selector knows and a filter may need (``user``: awaiting sign-off by someone else; ``today``).
    context: Mapping[str, Any] = {}

    def apply(self, queryset: QuerySet[M], **context: Any) -> QuerySet[M]:
        """``queryset`` (already scoped to the user) narrowed by the valid filters; a field with an error is left
        out (the page shows the error beside the field; the API refused the request before its selector ran).
        ``context``: what the selector passes on to the filters that need it (``self.context``)."""
        self.context = context
        self.form.is_valid()
        result: QuerySet[M] = self.filter_queryset(queryset)
        return result

    def is_filtered(self) -> bool:
        """Whether any filter is given (and valid): the page then offers to clear them."""
        self.form.is_valid()
        return any(self.form.cleaned_data.values())

    def valid(self, name: str) -> Any:
        """The cleaned value of one filter, or None when it is not given or has an error."""
        self.form.is_valid()
        return self.form.cleaned_data.get(name)


# --- the filter fields, rendered once -----------------------------------------------------------------------------

#: A filter field's HTML (``{{ form.x.as_field_group }}``, ``{{ form.x }}``) by everything it is rendered from.
FILTER_FIELDS = HtmlCache("filter fields", max_entries=5000)


def _frozen(value: Any, depth: int = 0) -> Any:
    """``value`` as a hashable key part: containers as tuples, lazy texts translated, widgets by their state, other
    objects by their ``repr`` (an object whose repr shows its address never hits the cache: slower, never wrong)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if depth > 6:
        return repr(value)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v, depth + 1)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = tuple(_frozen(v, depth + 1) for v in value)
        return tuple(sorted(items, key=repr)) if isinstance(value, set | frozenset) else items
    if isinstance(value, forms.Widget):
        return (type(value), _frozen(vars(value), depth + 1))
    if isinstance(value, _CHOICE_ITERATORS):
        # The choices as rendered: a select's <option>s (a model field's choices would be a query, as rendering is).
        return (type(value), tuple(_frozen(choice, depth + 1) for choice in value))
    if isinstance(value, ModelChoiceIteratorValue):
        return (type(value), str(value))
    return (type(value), repr(value))


_CHOICE_ITERATORS = (BaseChoiceIterator, FilterChoiceIterator, ModelChoiceIterator)
_FIELD_ATTRS = ("label", "required", "disabled", "show_hidden_initial", "help_text", "localize", "template_name")
_FORM_ATTRS = ("prefix", "auto_id", "label_suffix", "is_bound", "field_template_name", "template_name_label")
_FORM_ATTRS += ("required_css_class", "error_css_class", "use_required_attribute", "render_namespace")


class CachedBoundField(BoundField):
    """A filter field rendered once per everything its HTML is made of: the language (labels, formats), the value
    the request gives it (or its initial value), its errors, its widget (attributes, choices, as set after the form
    was built) and its field's and form's settings. A list's filter form shows the same few HTML fragments
    to everyone (issue 19: Django's field rendering, a template per field, label, widget and ``<option>``, cost a
    list page more than its rows). Only ``as_field_group()`` and ``str()`` are kept; the rest is Django's."""

    def render_key(self, how: str) -> tuple:
        form, field, widget = self.form, self.field, self.field.widget
        bound = form.is_bound
        value = widget.value_from_datadict(form.data, form.files, self.html_name) if bound else self.initial
        return (
            how,
            site_key(),
            get_current_timezone_name(),
            type(form).__name__,
            type(form.renderer),
            tuple(_frozen(getattr(form, name, None)) for name in _FORM_ATTRS),
            self.name,
            type(field),
            tuple(_frozen(getattr(field, name, None)) for name in _FIELD_ATTRS),
            _frozen(field.initial if not callable(field.initial) else repr(field.initial)),
            _frozen(form.initial.get(self.name)),
            _frozen(widget),
            _frozen(value),
            tuple(str(error) for error in self.errors),
        )

    def as_field_group(self) -> str:
        return FILTER_FIELDS.get(self.render_key("group"), super().as_field_group)

    def __str__(self) -> str:
        return FILTER_FIELDS.get(self.render_key("str"), super().__str__)

    __html__ = __str__


class PeriodForm(forms.Form):
    """The form of a FilterSet with a period (``Meta.form = PeriodForm``): ``date_to`` before ``date_from`` is an
    error on ``date_to`` (beside the field on the page, a 400 naming it in the API), and ``date_from`` alone still
    applies."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return cleaned


YES = frozenset({"on", "true", "1", "yes"})
NO = frozenset({"", "off", "false", "0", "no"})


def _ticked(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in YES)


class CheckboxInput(forms.CheckboxInput):
    """A checkbox that hands its field the value as sent (Django's turns any text into True)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, check_test=_ticked)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name, False)

    def format_value(self, value: Any) -> str | None:
        return None  # ticked, the box sends "on"; a value typed into the address ("false") is not carried over


class CheckboxField(forms.BooleanField):
    """A ticked checkbox (``on``) or a yes/no (``true``/``false``, ``1``/``0``); anything else is an error, so the API
    refuses ``?unread=maybe`` with a 400 naming it instead of reading it as yes."""

    widget = CheckboxInput
    default_error_messages = {"invalid": _("Must be a valid boolean.")}

    def to_python(self, value: Any) -> bool:
        if isinstance(value, str):
            text = value.strip().lower()
            if text not in YES | NO:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return text in YES
        return bool(value)


class CheckboxFilter(django_filters.BooleanFilter):
    """A yes-only filter: a checkbox on the page (``on``), ``true``/``false`` in the API (anything else is an
    error). Unticked (or ``false``) means "not given", never "only the ones where it is false"."""

    field_class = CheckboxField

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        result: QuerySet[Any] = super().filter(qs, value)
        return result


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id): django-filter's NumberFilter takes decimals, so ``1.5`` would pass as an id."""

    field_class = forms.IntegerField


class TerritoryFilter(django_filters.CharFilter):
    """A division code (行政区划代码), picked by name on the page (``crowdsafe.common.pickers``): the rows in that
    territory's subtree, by a prefix match on the materialised path ``field_name`` (indexed); none when no
    jurisdiction has the code. The code's path is looked up once per FilterSet (a list and its map share it)."""

    #: The path of a code that matched no jurisdiction.
    NO_PATH = "\x00"

    def __init__(self, *args: Any, field_name: str = "jurisdiction_path", **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        widget = kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        if isinstance(widget, type):
            widget = kwargs["widget"] = widget()
        if not widget.is_hidden:
            # static/js/jurisdiction-picker.js turns it into a search of names; the code is still what is sent.
            widget.attrs["data-jurisdiction-picker"] = ""
        super().__init__(*args, field_name=field_name, **kwargs)
        self._paths: dict[str, str] = {}

    def path_of(self, code: str | None) -> str | None:
        """The path of ``code`` (None when no code is given, ``NO_PATH`` when it matches no jurisdiction)."""
        code = (code or "").strip().upper()
        if not code:
            return None
        if code not in self._paths:
            path = Jurisdiction.objects.filter(code=code).values_list("path", flat=True).first()
            self._paths[code] = path or self.NO_PATH
        return self._paths[code]

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        path = self.path_of(value)
        if path is None:
            return qs
        if path == self.NO_PATH:
            return qs.none()
        return qs.filter(**{f"{self.field_name}__startswith": path})


class FilterSetBackend(DjangoFilterBackend):
    """The API half of a list's FilterSet: a malformed filter is a 400 naming its field; the selector, not this
    backend, applies the filters (it is handed ``request.query_params``)."""

    def filter_queryset(self, request: Request, queryset: QuerySet[M], view: APIView) -> QuerySet[M]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None and not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return queryset
