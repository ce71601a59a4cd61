"""Human words for what the action log stores as codes: the states of a change (``from_state`` / ``to_state``) and
the permissions of an access change. The log keeps the code (it is the record); pages show these labels.

A state is looked up in the choices of the subject's own model first (a task's ``done`` is 已完成, a gathering's
``red`` is 红色), then in the choices of every installed model (a user's log names membership roles), and shown as
stored only when it is not a code at all (a number, a date, a sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from crowdsafe.audit.models import ActionLog
from crowdsafe.audit.verbs import label as verb_label

# What the log of an access change (django-guardian grants, ``crowdsafe.org.services.grant_to_department``) names.
ACCESS_VERBS = frozenset({"granted", "revoked"})
CODE_RE = re.compile(r"[a-z][a-z0-9_]*")


def _choices_of(model: type[models.Model]) -> dict[str, object]:
    """The state-like choices of one model: its fields' choice values and their (lazy) labels."""
    labels: dict[str, object] = {}
    for field in model._meta.get_fields():
        for value, label in getattr(field, "flatchoices", None) or ():
            if isinstance(value, str) and value:
                labels.setdefault(value, label)
    return labels


@cache
def _model_choices(model: type[models.Model]) -> dict[str, object]:
    return _choices_of(model)


@cache
def _all_choices() -> dict[str, object]:
    labels: dict[str, object] = {}
    for model in apps.get_models():
        for value, label in _choices_of(model).items():
            labels.setdefault(value, label)
    return labels


def state_label(model: type[models.Model] | None, value: str) -> str:
    """The word for one stored state of a record of ``model`` (``None`` when the model is gone)."""
    if not value:
        return ""
    if model is not None:
        label = _model_choices(model).get(value)
        if label is not None:
            return str(label)
    label = _all_choices().get(value)
    if label is not None:
        return str(label)
    if CODE_RE.fullmatch(value) and "_" in value:
        return _("(other)")
    return value


PERMISSION_ACTIONS = {
    # Translators: what an access grant lets a department do with one record: 查看 / 修改 / 添加 / 删除
    "view": pgettext_lazy("permission", "view"),
    "change": pgettext_lazy("permission", "change"),
    "add": pgettext_lazy("permission", "add"),
    "delete": pgettext_lazy("permission", "delete"),
}


def permission_label(codename: str, model: type[models.Model] | None) -> str:
    """An access change in words: “view permit application”, or the permission's own name for a custom one."""
    action, _sep, model_name = codename.partition("_")
    if model is not None and model_name == model._meta.model_name and action in PERMISSION_ACTIONS:
        return _("%(action)s this %(model)s") % {
            "action": PERMISSION_ACTIONS[action],
            "model": model._meta.verbose_name,
        }
    name = Permission.objects.filter(codename=codename).values_list("name", flat=True).first()
    return name or _("(other)")


@dataclass(frozen=True)
class TimelineEntry:
    entry: ActionLog
    verb: str
    from_label: str = ""
    to_label: str = ""
    access: str = ""  # an access change: what was opened or closed, and to whom

    @property
    def has_change(self) -> bool:
        return bool(self.from_label or self.to_label)


def timeline_entry(entry: ActionLog, model) -> TimelineEntry:
    """One log entry in words, for a record of ``model``."""
    if entry.verb in ACCESS_VERBS:
        codename = entry.to_state or entry.from_state
        access = permission_label(codename, model)
        department = (entry.data or {}).get("department_name")
        if department:
            access = f"{department} · {access}"
        return TimelineEntry(entry=entry, verb=verb_label(entry.verb), access=access)
    return TimelineEntry(
        entry=entry,
        verb=verb_label(entry.verb),
        from_label=state_label(model, entry.from_state),
        to_label=state_label(model, entry.to_state),
    )
