"""The kernel's admin toolbox: the read-only admin and inline, and the one rule for a service's refusal.

Every write in CrowdSafe goes through a service, which refuses bad input or a missing right with a
``DomainError``. In the admin that refusal is shown where the administrator is looking, and nothing is saved:

- on an add or change page, the form is shown again with the message on the field the error names (or at the
  top of the form), as Django shows its own validation errors; the admin's transaction has rolled back, so a
  service that wrote something before refusing leaves nothing behind;
- on the list page (list-editable rows, actions) and the delete page, the message is an error message at the top
  of the page, and the action's writes are rolled back.

Admins that write through services inherit ``ServiceErrorsAdmin`` and simply call the service in ``save_model``,
``save_formset``, ``delete_model`` or an action, without catching anything. Admins that only let people look things
up inherit ``ReadOnlyAdmin`` (and ``ReadOnlyInline`` for their inlines).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.functional import Promise

from crowdsafe.errors import DomainError

if TYPE_CHECKING:
    from django.db.models import QuerySet

    _ModelAdmin = admin.ModelAdmin[Any]
    _TabularInline = admin.TabularInline[Any, Any]
else:
    _ModelAdmin = admin.ModelAdmin
    _TabularInline = admin.TabularInline

T = TypeVar("T")

# Where the refusal of a first attempt to save waits for the form shown again (see ``changeform_view``).
_REFUSAL = "_crowdsafe_admin_refusal"


def add_domain_error(
    form: forms.BaseForm, error: DomainError, aliases: dict[str, tuple[str | None, ...]] | None = None
) -> None:
    """Show a service's refusal on ``form``, every problem it found at once: each on the field it names when the
    form has that field (or an alias of it: ``aliases`` maps a service's field to the form's names), else above
    the form. The one place that turns a ``DomainError`` into form errors."""
    for name, message in error.problems:
        candidates = (aliases or {}).get(name or "", (name,))
        form.add_error(next((c for c in candidates if c in form.fields), None), str(message))


class _ShowsRefusal(forms.BaseForm):
    """Mixed into the admin's form class on the second pass: adds the refusal after the form's own checks, so
    the form is invalid and the admin renders it again instead of saving."""

    refusal: DomainError

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:
            add_domain_error(self, self.refusal)


class ReadOnlyAdmin(_ModelAdmin):
    """Browse and search only: the rows are written by the app's services (which check who may act and write
    the action log), never by hand here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(_TabularInline):
    """The rows that belong to a read-only object, shown on its page and never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceErrorsAdmin(_ModelAdmin):
    """A model admin that writes through services and shows their refusals by the kernel's one rule (see the
    module's docstring)."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            if request.method != "POST" or hasattr(request, _REFUSAL):
                raise
            # The admin saves inside one transaction, which the error has rolled back: nothing was saved. Build
            # the page again from the same POST, with the refusal added to the form (``get_form``), so the
            # administrator sees the message next to what they typed.
            setattr(request, _REFUSAL, error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is None:
            return form
        return type(form.__name__, (_ShowsRefusal, form), {"refusal": refusal})

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Rows saved from the list page (``list_editable``) are saved in one transaction, which the error has
        # rolled back; actions run in one too (``response_action``).
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        # An action runs in one transaction, so that a refusal half-way leaves none of its writes behind.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset, *args, **kwargs)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            return self._refused(request, error)

    def _refused(self, request: HttpRequest, error: DomainError) -> HttpResponse:
        self.message_user(request, str(error.message), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def for_each(
        self, request: HttpRequest, objects: Iterable[T], call: Callable[[T], object], *, done: str | Promise = ""
    ) -> int:
        """Call a service on each object (an action over the selected rows). A refusal is an error message that
        names the object, and leaves that object unchanged; the others go ahead. ``done`` (with ``%(count)d``)
        reports how many were done. Returns that number."""
        count = 0
        for obj in objects:
            try:
                with transaction.atomic(using=router.db_for_write(self.model)):
                    call(obj)
            except DomainError as error:
                self.message_user(request, f"{obj}: {error.message}", messages.ERROR)
            else:
                count += 1
        if count and done:
            self.message_user(request, str(done) % {"count": count}, messages.SUCCESS)
        return count
