"""Human labels for action-log verbs. Apps register theirs in ``AppConfig.ready``; the log stores the code."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_VERBS: dict[str, Promise | str] = {
    "created": _("created"),
    "updated": _("changed"),
    "deleted": _("deleted"),
    "granted": _("access granted"),
    "revoked": _("access revoked"),
    # Personal information (crowdsafe/common/pii.py): a full value shown, a caller's number erased after retention.
    "pii_revealed": _("personal details shown in full"),
    "pii_expired": _("caller's number erased (retention period over)"),
}


def register(verbs: dict[str, Promise | str]) -> None:
    _VERBS.update(verbs)


def label(verb: str) -> str:
    return str(_VERBS.get(verb, verb))
