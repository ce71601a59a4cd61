"""One scoping entry point: ``Model.objects.visible_to(user)`` (after NetBox's ``RestrictedQuerySet.restrict``).

A scoped model's manager is built from ``ScopedQuerySet`` and names its visibility rule, a function of its app's
``access`` module that turns a ``Scope`` into a ``Q``::

    class GatheringQuerySet(ScopedQuerySet["Gathering"]):
        visibility_rule = "events.access.gathering_visible_q"

    objects = GatheringQuerySet.as_manager()

``visible_to`` reads the user's scope once (cached on the user for the request), lets superusers see every
row, and filters everyone else by the rule. The rule is named by its dotted path, not imported, because an
app's ``access`` module imports its models (and other apps' models) to build subqueries.
Every list selector starts from ``visible_to``; the ``can_<verb>(scope, obj)`` predicates decide actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol, Self, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.module_loading import import_string

from crowdsafe.org.access import Scope, get_scope

_M = TypeVar("_M", bound=models.Model)


class VisibilityRule(Protocol):
    """``rule(scope, **options) -> Q``: the rows ``scope`` may see (superusers never reach it)."""

    def __call__(self, scope: Scope, /, **options: Any) -> Q: ...


_rules: dict[str, Callable[..., Q]] = {}


def _rule(path: str) -> Callable[..., Q]:
    rule = _rules.get(path)
    if rule is None:
        rule = _rules[path] = import_string(path)
    return rule


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset whose model declares who may see which rows (``visibility_rule``, a dotted path)."""

    visibility_rule: ClassVar[str] = ""

    def visible_to(self, user: Any, **options: Any) -> Self:
        """The rows ``user`` may see. ``options`` go to the model's rule (e.g. a narrower view for a work
        queue); each rule documents the ones it takes. Anonymous and inactive users see nothing."""
        scope = get_scope(user)
        if scope.is_superuser:
            return self.all()
        if not self.visibility_rule:
            raise NotImplementedError(f"{type(self).__name__} names no visibility_rule")
        return self.filter(_rule(self.visibility_rule)(scope, **options))
