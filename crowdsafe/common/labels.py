"""The label of a field's choice (``get_status_display`` and the like), looked up once per language.

Django's ``Model._get_FIELD_display`` builds a dict of the field's flattened choices and translates the label
on every call: a list page of 20 tasks showing their status, basis and subject type did it ~117 times, about
1,200 catalogue lookups, 22 % of the department queue's server time (issue 19). The labels of a field's fixed
choices depend only on the language, so they are kept per (language, field): each field's dict is built and
translated once per language and process, then read.

A field whose choices are a callable (they may change at run time) is looked up as Django does, uncached.
``install()`` puts the memo in place of Django's method for every model; the web app's ``ready()`` calls it.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

# (language, id of the field) → {choice value: its label, translated}. Fields live as long as the process, and
# each has few choices: the memo is bounded by fields × languages.
_LABELS: dict[tuple[str | None, int], dict[Any, str]] = {}
_django_display = models.Model._get_FIELD_display


def labels_of(field: models.Field) -> dict[Any, str] | None:
    """The translated labels of ``field``'s choices in the active language, or None for callable choices."""
    if isinstance(getattr(field, "choices", None), CallableChoiceIterator):
        return None
    key = (get_language(), id(field))
    labels = _LABELS.get(key)
    if labels is None:
        labels = {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices or ()}
        _LABELS[key] = labels
    return labels


def choice_display(instance: models.Model, field: models.Field) -> Any:
    """What ``get_<field>_display()`` returns, from the memo."""
    labels = labels_of(field)
    if labels is None:
        return _django_display(instance, field)
    value = getattr(instance, field.attname)
    try:
        return labels.get(make_hashable(value), value)
    except TypeError:  # an unhashable value Django would fail on too: leave it to Django
        return _django_display(instance, field)


def install() -> None:
    """Use the memo for every installed model's ``get_FOO_display`` (idempotent). Django binds each of them to
    ``Model._get_FIELD_display`` when the model class is made (a ``partialmethod``); each that still is Django's
    (not overridden by the model) is bound to ``choice_display`` instead, and so are the models made later."""
    from functools import partialmethod

    from django.apps import apps

    models.Model._get_FIELD_display = choice_display  # type: ignore[method-assign]
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            name = f"get_{field.name}_display"
            current = model.__dict__.get(name)
            if isinstance(current, partialmethod) and current.func in (_django_display, choice_display):
                setattr(model, name, partialmethod(choice_display, field=field))


def clear() -> None:
    """Forget the labels (a test that changes the catalogue or a field's choices)."""
    _LABELS.clear()
