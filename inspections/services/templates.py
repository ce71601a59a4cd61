"""Checklist templates as data, versioned (issue 21 point 1).

A template that no inspection has used is edited in place. One that an inspection has used is never changed: the
edit makes a new version (a copy of its sections and items with the change applied), which becomes the current
one; the old version stays, read-only, with the inspections filled from it. Concurrent edits of one template are
serialised by a row lock on the current version (two administrators saving at once make one new version each,
one after the other, never two versions with the same number).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from inspections.choices import AnswerKind, Severity, ThresholdKind
from inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate

ITEM_FIELDS = (
    "text",
    "answer_kind",
    "threshold",
    "threshold_kind",
    "unit",
    "photo_required",
    "basis",
    "severity",
    "deadline_days",
    "order",
)
TEMPLATE_FIELDS = ("name", "description")


def _may_edit(actor: Any) -> None:
    if actor is not None and not (actor.is_superuser or actor.has_perm("inspections.change_checklisttemplate")):
        raise PermissionDeniedError(_("Only the administrator edits checklist templates."))


def _check_item(values: Mapping[str, Any]) -> None:
    if "text" in values and not str(values["text"] or "").strip():
        raise DomainError(_("Say what is checked."), field="text")
    if "basis" in values and not str(values["basis"] or "").strip():
        raise DomainError(_("Cite the basis: a regulation article or a standard."), field="basis")
    if "severity" in values and values["severity"] not in Severity.values:
        raise DomainError(_("Choose how serious a failed item is."), field="severity")
    if "answer_kind" in values and values["answer_kind"] not in AnswerKind.values:
        raise DomainError(_("Choose how the item is answered."), field="answer_kind")
    if "threshold_kind" in values and values["threshold_kind"] not in ThresholdKind.values:
        raise DomainError(_("Choose how the number is compared."), field="threshold_kind")
    if values.get("answer_kind") == AnswerKind.NUMBER and values.get("threshold") in (None, ""):
        raise DomainError(_("A number is compared with a threshold: give it."), field="threshold")


def template_is_used(template: ChecklistTemplate) -> bool:
    return template.inspections.exists()


def _copy(template: ChecklistTemplate, *, actor: Any) -> ChecklistTemplate:
    """A new version of ``template`` with the same sections and items; the old one is no longer current."""
    latest = ChecklistTemplate.objects.filter(code=template.code).order_by("-version").values_list("version", flat=True)
    ChecklistTemplate.objects.filter(code=template.code, is_current=True).update(is_current=False)
    new = ChecklistTemplate.objects.create(
        code=template.code,
        version=(latest.first() or 0) + 1,
        is_current=True,
        name=template.name,
        scope=template.scope,
        venue_kind=template.venue_kind,
        event_kind=template.event_kind,
        description=template.description,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for section in template.sections.prefetch_related("items"):
        copy = ChecklistSection.objects.create(
            template=new, order=section.order, title=section.title, department_kind=section.department_kind
        )
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(
                    section=copy,
                    template=new,
                    key=item.key,
                    **{name: getattr(item, name) for name in ITEM_FIELDS},
                )
                for item in section.items.all()
            ]
        )
    return new


def template_edit(
    *,
    template: ChecklistTemplate,
    actor: Any,
    values: Mapping[str, Any] | None = None,
    items: Mapping[str, Mapping[str, Any]] | None = None,
    remove_items: Iterable[str] = (),
) -> ChecklistTemplate:
    """Change a template: its own ``values`` (name, description), its ``items`` by key ({key: {field: value}})
    and items removed by key. Returns the version that carries the change: ``template`` itself when no
    inspection has used it, else a new current version (the inspections keep theirs)."""
    _may_edit(actor)
    values = {k: v for k, v in (values or {}).items() if k in TEMPLATE_FIELDS}
    items = {key: {k: v for k, v in change.items() if k in ITEM_FIELDS} for key, change in (items or {}).items()}
    remove = set(remove_items)
    for change in items.values():
        _check_item(change)
    with transaction.atomic():
        locked = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        if not locked.is_current:
            raise DomainError(_("This is an old version: edit the current one."), field="template")
        known = set(locked.items.values_list("key", flat=True))
        unknown = sorted((set(items) | remove) - known)
        if unknown:
            raise DomainError(_("Unknown item: %(keys)s.") % {"keys": ", ".join(unknown)}, field="items")
        used = template_is_used(locked)
        target = _copy(locked, actor=actor) if used else locked
        for name, value in values.items():
            setattr(target, name, value)
        if values:
            target.save(update_fields=list(values))
        for key, change in items.items():
            item = target.items.get(key=key)
            for name, value in change.items():
                if name == "threshold" and value not in (None, ""):
                    value = Decimal(str(value))
                setattr(item, name, value)
            item.save(update_fields=list(change))
        if remove:
            target.items.filter(key__in=remove).delete()
        log_action(
            actor=actor,
            subject=target,
            verb="template_revised" if used else "template_edited",
            data={"version": target.version, "items": sorted(items), "removed": sorted(remove)},
        )
    return target


def item_save(*, item: ChecklistItem, actor: Any, changed: Iterable[str]) -> ChecklistItem:
    """The admin's save of one item (``item`` holds the new values, ``changed`` names them): through
    ``template_edit``, so that a used template gets a new version. Returns the item that carries the change."""
    original = ChecklistItem.objects.select_related("template").get(pk=item.pk)
    change = {name: getattr(item, name) for name in changed if name in ITEM_FIELDS}
    target = template_edit(template=original.template, actor=actor, items={original.key: change})
    return target.items.get(key=original.key)


def current_template(code: str) -> ChecklistTemplate | None:
    return ChecklistTemplate.objects.filter(code=code, is_current=True).first()
