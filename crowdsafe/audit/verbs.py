"""Human labels for action-log verbs. Apps register theirs in ``AppConfig.ready``; the log stores the code."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_VERBS: dict[str, Promise | str] = {
    "created": _("创建"),
    "updated": _("修改"),
    "deleted": _("删除"),
    "granted": _("授权"),
    "revoked": _("撤销授权"),
}


def register(verbs: dict[str, Promise | str]) -> None:
    _VERBS.update(verbs)


def label(verb: str) -> str:
    return str(_VERBS.get(verb, verb))
