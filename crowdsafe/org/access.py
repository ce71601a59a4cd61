"""Access scoping (DESIGN.md section 4).

Bulk visibility is decided by querysets: a user's *scope* is the territories, departments and organisations
of their memberships, read once per request. Selectors combine the Q objects below for their model, so
"everything in this territory" is one indexed prefix match. django-guardian holds the exceptions: objects
shared with a department outside its default scope, granted to the department's group (``granted_q``).

Outsiders get 404, never 403, for objects they may not know exist: use ``get_scoped_or_404``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from guardian.utils import get_group_obj_perms_model

from crowdsafe.common.statements import Statement
from crowdsafe.org.choices import PATH_SEPARATOR, Role

GOVERNMENT_ROLES = frozenset({Role.STAFF, Role.HEAD, Role.GRID_WORKER, Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN})
EXTERNAL_ROLES = frozenset({Role.ORGANIZER, Role.VENUE_OPERATOR})


def minimal_prefixes(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop every path that lies inside another one: ("410500/", "410500/410502/") → ("410500/",)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return tuple(kept)


def ancestor_paths(path: str) -> list[str]:
    """Paths of the strict ancestors of ``path``: "a/b/c/" → ["a/", "a/b/"]."""
    parts = [part for part in path.split(PATH_SEPARATOR) if part]
    return [PATH_SEPARATOR.join(parts[:i]) + PATH_SEPARATOR for i in range(1, len(parts))]


DEPARTMENT_ROLES = frozenset({Role.STAFF, Role.HEAD})
JURISDICTION_ROLES = frozenset({Role.GRID_WORKER, Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN})
# The territory people who coordinate rather than patrol: township officers, leaders, administrators.
COORDINATOR_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN})
OVERSIGHT_ROLES = frozenset({Role.LEADER, Role.ADMIN})

Roles = str | Iterable[str] | None


def _roles(roles: Roles, default: frozenset[str]) -> frozenset[str]:
    """``roles`` as a set: one role, several, or (None) ``default``."""
    if roles is None:
        return default
    if isinstance(roles, str):
        return frozenset({roles})
    return frozenset(roles)


@dataclass(frozen=True)
class Scope:
    """What one user may see by default. Built by ``get_scope`` with one query.

    The vocabulary every app's ``access`` module speaks (one meaning each, no app keeps its own copy):

    - ``paths_for(roles)``: the subtrees the user works in through memberships in ``roles``;
    - ``covers(path, roles)``: whether one of those subtrees holds ``path``;
    - ``departments_for(roles)`` and ``department_covering(path, roles)``: the user's active departments;
    - ``organisation_ids_for(roles)`` and ``jurisdiction_ids_for(roles)``: the organisations and jurisdictions
      the user belongs to in ``roles``.
    """

    user_id: int | None = None
    is_superuser: bool = False
    roles: frozenset[str] = frozenset()
    # Subtrees the user works in through jurisdiction memberships (grid worker, township officer, leader,
    # admin) and through their departments' jurisdictions (staff, head).
    jurisdiction_paths: tuple[str, ...] = ()
    department_paths: tuple[str, ...] = ()
    organisation_paths: tuple[str, ...] = ()
    department_ids: frozenset[int] = frozenset()
    department_group_ids: frozenset[int] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    head_of_department_ids: frozenset[int] = frozenset()
    admin_paths: tuple[str, ...] = ()
    memberships: tuple = field(default=(), compare=False, repr=False)

    @property
    def territory_paths(self) -> tuple[str, ...]:
        """Every government subtree: own jurisdictions and own departments' jurisdictions."""
        return minimal_prefixes(self.jurisdiction_paths + self.department_paths)

    @property
    def is_government(self) -> bool:
        return bool(self.roles & GOVERNMENT_ROLES)

    @property
    def is_external(self) -> bool:
        return bool(self.roles & EXTERNAL_ROLES) and not self.is_government

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def paths_for(self, roles: Roles = None, *, department_kind: str | None = None) -> tuple[str, ...]:
        """The subtrees the user works in through memberships in one of ``roles`` (one role, several, or None for
        every government role): a jurisdiction membership's jurisdiction, an active department's jurisdiction.
        ``department_kind`` narrows the departments that count to that kind (jurisdiction memberships still count
        when their role is asked for: "township officers and emergency-management departments" is one call).
        Organisations are no territory: their members never get a path here."""
        wanted = _roles(roles, GOVERNMENT_ROLES)
        paths = []
        for m in self.memberships:
            if m.role not in wanted:
                continue
            if m.department_id:
                if m.department.is_active and (department_kind is None or m.department.kind == department_kind):
                    paths.append(m.department.jurisdiction.path)
            elif m.jurisdiction_id:
                paths.append(m.jurisdiction.path)
        return minimal_prefixes(paths)

    def covers(self, path: str | None, roles: Roles = None, *, department_kind: str | None = None) -> bool:
        """May the user act on the place at ``path`` through their territory (``paths_for``)? Superusers cover
        everything; an empty path (a subject with no place) lies in nobody's territory."""
        if self.is_superuser:
            return True
        return bool(path) and any(path.startswith(p) for p in self.paths_for(roles, department_kind=department_kind))

    def departments_for(self, roles: Roles = None, *, kind: str | None = None) -> list:
        """The user's active departments where they hold one of ``roles`` (default: staff or head), of ``kind``
        when given."""
        wanted = _roles(roles, DEPARTMENT_ROLES)
        return [
            m.department
            for m in self.memberships
            if m.role in wanted
            and m.department_id
            and m.department.is_active
            and (kind is None or m.department.kind == kind)
        ]

    def department_covering(self, path: str | None, roles: Roles = None):
        """The user's department (in ``roles``, default staff or head) whose jurisdiction holds ``path``: the
        nearest one, or None."""
        if not path:
            return None
        candidates = [d for d in self.departments_for(roles) if path.startswith(d.jurisdiction.path)]
        if not candidates:
            return None
        return max(candidates, key=lambda d: len(d.jurisdiction.path))

    def organisation_ids_for(self, roles: Roles = None) -> frozenset[int]:
        """The organisations the user acts for in one of ``roles`` (default: organizer or venue operator)."""
        wanted = _roles(roles, EXTERNAL_ROLES)
        return frozenset(m.organisation_id for m in self.memberships if m.role in wanted and m.organisation_id)

    def jurisdiction_ids_for(self, roles: Roles = None) -> frozenset[int]:
        """The jurisdictions the user belongs to in one of ``roles`` (default: every jurisdiction role)."""
        wanted = _roles(roles, JURISDICTION_ROLES)
        return frozenset(m.jurisdiction_id for m in self.memberships if m.role in wanted and m.jurisdiction_id)


EMPTY_SCOPE = Scope()
# The platform itself acting (data migrations, scheduled scans, demo data, management commands): no user, and
# no limit. Services receive ``actor=None`` for it; ``actor_scope`` turns that into this scope.
SYSTEM_SCOPE = Scope(is_superuser=True)


def actor_scope(actor) -> Scope:
    """The scope a service checks its ``can_*`` predicates against: the acting user's, or the platform's own
    (``SYSTEM_SCOPE``) when ``actor`` is None. Views pass ``request.user``, which is never None, so an anonymous
    visitor gets the empty scope, never the platform's."""
    if actor is None:
        return SYSTEM_SCOPE
    return get_scope(actor)


# A user's memberships with what their scope reads of each: on every page, so compiled once (issue 19: ~1 ms).
_MEMBERSHIPS = Statement(
    lambda user_id: (
        apps.get_model("org", "Membership")
        .objects.filter(user_id=user_id)
        .select_related("department__jurisdiction", "jurisdiction", "organisation__jurisdiction")
    ),
    user_id=int,
)


def get_scope(user) -> Scope:
    """The user's scope, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_crowdsafe_scope", None)
    if cached is not None:
        return cached
    memberships = tuple(_MEMBERSHIPS.instances(user_id=user.pk))
    jurisdiction_paths, department_paths, organisation_paths, admin_paths = [], [], [], []
    department_ids, group_ids, organisation_ids, head_ids = set(), set(), set(), set()
    for m in memberships:
        if m.department_id:
            if not m.department.is_active:
                continue
            department_ids.add(m.department_id)
            group_ids.add(m.department.group_id)
            department_paths.append(m.department.jurisdiction.path)
            if m.role == Role.HEAD:
                head_ids.add(m.department_id)
        elif m.jurisdiction_id:
            jurisdiction_paths.append(m.jurisdiction.path)
            if m.role == Role.ADMIN:
                admin_paths.append(m.jurisdiction.path)
        elif m.organisation_id:
            organisation_ids.add(m.organisation_id)
            organisation_paths.append(m.organisation.jurisdiction.path)
    scope = Scope(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        roles=frozenset(m.role for m in memberships),
        jurisdiction_paths=minimal_prefixes(jurisdiction_paths),
        department_paths=minimal_prefixes(department_paths),
        organisation_paths=minimal_prefixes(organisation_paths),
        department_ids=frozenset(department_ids),
        department_group_ids=frozenset(group_ids),
        organisation_ids=frozenset(organisation_ids),
        head_of_department_ids=frozenset(head_ids),
        admin_paths=minimal_prefixes(admin_paths),
        memberships=memberships,
    )
    user._crowdsafe_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope (after a membership of this user changed)."""
    if hasattr(user, "_crowdsafe_scope"):
        del user._crowdsafe_scope


NOTHING = Q(pk__in=[])


def path_q(paths: Iterable[str], *, field: str = "jurisdiction__path") -> Q:
    """Rows whose jurisdiction path lies in one of the subtrees (an OR of indexed prefix matches)."""
    q = NOTHING
    for path in minimal_prefixes(paths):
        q |= Q(**{f"{field}__startswith": path})
    return q


def ancestors_q(paths: Iterable[str], *, field: str = "jurisdiction__path") -> Q:
    """Rows whose jurisdiction is a strict ancestor of one of the paths (e.g. the district above a township)."""
    ancestors = sorted({a for path in paths for a in ancestor_paths(path)})
    return Q(**{f"{field}__in": ancestors}) if ancestors else NOTHING


def in_q(ids: Iterable[int], *, field: str) -> Q:
    ids = sorted(set(ids))
    return Q(**{f"{field}__in": ids}) if ids else NOTHING


def granted_q(scope: Scope, model: type[models.Model], codename: str) -> Q:
    """Rows of ``model`` on which one of the user's departments was granted ``codename`` (django-guardian).

    Uses the model's direct-FK group permission model when one is registered (hot tables), the generic
    one otherwise; either way a single subquery."""
    return granted_to_groups_q(tuple(sorted(scope.department_group_ids)), model, codename)


def granted_to_groups_q(group_ids: Iterable[int], model: type[models.Model], codename: str) -> Q:
    """``granted_q`` for the departments' groups ``group_ids`` (a statement built from values alone)."""
    if not group_ids:
        return NOTHING
    perm_model = get_group_obj_perms_model(model)
    grants = perm_model.objects.filter(group_id__in=sorted(group_ids), permission__codename=codename)
    if perm_model.objects.is_generic():
        ids = (
            grants.filter(content_type=ContentType.objects.get_for_model(model))
            .annotate(object_id=Cast("object_pk", BigIntegerField()))
            .values("object_id")
        )
    else:
        ids = grants.values("content_object_id")
    return Q(pk__in=ids)


# --- the organisation model's own rules (``Jurisdiction/Department/Organisation.objects.visible_to``) -------------
# The org models' querysets name these by dotted path; this module never imports the org models at its top, since
# they import the scoping kernel (``crowdsafe.common.scoping``) that imports this module.


def _territories(scope: Scope) -> tuple[str, ...]:
    """The subtrees of the user's memberships (属地) and their organisations' registered territories."""
    return scope.territory_paths + scope.organisation_paths


def jurisdiction_visible_q(scope: Scope) -> Q:
    """The rule of ``Jurisdiction.objects.visible_to``: the subtrees of the user's memberships, their
    organisations' registered territories, and any territory shared with one of their departments
    (``view_jurisdiction`` granted to its group)."""
    return jurisdiction_rule(**jurisdiction_rule_values(scope))


def jurisdiction_rule_values(scope: Scope) -> dict[str, tuple]:
    """What ``jurisdiction_visible_q`` is made of, as sorted tuples: the minimal subtrees (``paths``) and the
    departments' groups (``groups``); ``jurisdiction_rule`` of them is the rule, so a statement of it is compiled
    once for every user (``crowdsafe.common.statements``)."""
    return {"paths": tuple(minimal_prefixes(_territories(scope))), "groups": tuple(sorted(scope.department_group_ids))}


def jurisdiction_rule_for(user) -> dict[str, tuple] | None:
    """``jurisdiction_rule_values`` of the user's scope, for a statement of the rule; None for a superuser, who sees
    every territory (``visible_to``'s own answer)."""
    scope = get_scope(user)
    return None if scope.is_superuser else jurisdiction_rule_values(scope)


def jurisdiction_rule(*, paths: tuple[str, ...], groups: tuple[int, ...]) -> Q:
    """``jurisdiction_visible_q`` from its values (``jurisdiction_rule_values``)."""
    jurisdiction = apps.get_model("org", "Jurisdiction")
    return path_q(paths, field="path") | granted_to_groups_q(groups, jurisdiction, "view_jurisdiction")


def department_visible_q(scope: Scope) -> Q:
    """The rule of ``Department.objects.visible_to``: departments in the user's territories and above them (a
    township sees the district's police bureau), and the user's own."""
    territories = _territories(scope)
    return path_q(territories) | ancestors_q(territories) | in_q(scope.department_ids, field="pk")


def organisation_visible_q(scope: Scope) -> Q:
    """The rule of ``Organisation.objects.visible_to``: organisations registered in the user's government
    territory, and the user's own."""
    return path_q(scope.territory_paths) | in_q(scope.organisation_ids, field="pk")


def get_scoped_or_404(queryset: QuerySet, **lookup):
    """Fetch one object from an already scoped queryset; anything outside the scope is simply not found."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
