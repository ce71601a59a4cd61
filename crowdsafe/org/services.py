"""Writes to the kernel's organisation model: jurisdictions, departments, organisations, memberships and
object-permission grants. Each runs in one transaction and writes the action log."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from crowdsafe.audit.services import log_action
from crowdsafe.common.identifiers import normalise_identifier
from crowdsafe.errors import DomainError
from crowdsafe.org.access import forget_scope
from crowdsafe.org.choices import LEVEL_DEPTH, ROLE_ANCHOR, ROLE_LEVELS, Anchor, JurisdictionLevel, Role
from crowdsafe.org.models import PATH_SEPARATOR, Boundary, Department, Jurisdiction, Membership, Organisation


def _full_clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def _check_code_under_parent(code: str, level: str, parent: Jurisdiction) -> None:
    if level == JurisdictionLevel.DISTRICT:
        # A district's code shares the first four digits (province + city) with its city: 410502 in 410500.
        ok = code[:4] == parent.code[:4] and code != parent.code
    else:
        ok = code.startswith(parent.code) and code != parent.code
    if not ok:
        raise DomainError(
            _("Division code %(code)s does not belong under %(parent)s (%(parent_code)s).")
            % {"code": code, "parent": parent.name, "parent_code": parent.code},
            field="code",
        )


def jurisdiction_create(*, code: str, name: str, level: str, parent: Jurisdiction | None, actor) -> Jurisdiction:
    """Add a territory under ``parent`` (or a new city at the root)."""
    code, name = code.strip(), name.strip()
    if parent is None and level != JurisdictionLevel.CITY:
        raise DomainError(_("Only a city can have no parent."), field="parent")
    if parent is not None:
        if LEVEL_DEPTH[JurisdictionLevel(level)] <= LEVEL_DEPTH[JurisdictionLevel(parent.level)]:
            raise DomainError(
                _("A %(level)s cannot be placed under a %(parent_level)s.")
                % {"level": JurisdictionLevel(level).label, "parent_level": parent.get_level_display()},
                field="level",
            )
        _check_code_under_parent(code, level, parent)
    jurisdiction = Jurisdiction(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=(parent.path if parent else "") + code + PATH_SEPARATOR,
        depth=(parent.depth + 1) if parent else 0,
    )
    _full_clean(jurisdiction, exclude=["path", "code"] if not code else ["path"])
    with transaction.atomic():
        if Jurisdiction.objects.filter(code=code).exists():
            raise DomainError(_("Division code %(code)s already exists.") % {"code": code}, field="code")
        try:
            with transaction.atomic():
                jurisdiction.save(force_insert=True)
        except IntegrityError as exc:  # a concurrent insert of the same code
            raise DomainError(_("Division code %(code)s already exists.") % {"code": code}, field="code") from exc
        log_action(actor=actor, subject=jurisdiction, verb="created", data={"code": code, "level": level})
    return jurisdiction


def jurisdiction_rename(*, jurisdiction: Jurisdiction, name: str, actor, reason: str = "") -> Jurisdiction:
    name = name.strip()
    if not name:
        raise DomainError(_("The name cannot be empty."), field="name")
    with transaction.atomic():
        locked = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
        if locked.name == name:
            return locked
        old = locked.name
        locked.name = name
        locked.save(update_fields=["name"])
        log_action(actor=actor, subject=locked, verb="renamed", from_state=old, to_state=name, reason=reason)
    return locked


def department_create(
    *, name: str, kind: str, jurisdiction: Jurisdiction, actor, short_name: str = "", duty_phone: str = ""
) -> Department:
    """Add an agency at a jurisdiction, with its own permission group."""
    name = name.strip()
    department = Department(
        name=name, kind=kind, jurisdiction=jurisdiction, short_name=short_name, duty_phone=duty_phone
    )
    _full_clean(department, exclude=["group"])
    with transaction.atomic():
        if Department.objects.filter(jurisdiction=jurisdiction, name=name).exists():
            raise DomainError(
                _("%(jurisdiction)s already has a department named “%(name)s”.")
                % {"jurisdiction": jurisdiction, "name": name},
                field="name",
            )
        department.group = Group.objects.create(name=f"department:{jurisdiction.code}:{name}"[:150])
        department.save(force_insert=True)
        log_action(
            actor=actor,
            subject=department,
            verb="created",
            data={"kind": kind, "jurisdiction": jurisdiction.code},
        )
    return department


def department_set_active(*, department: Department, active: bool, actor, reason: str = "") -> Department:
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        log_action(
            actor=actor,
            subject=locked,
            verb="activated" if active else "deactivated",
            from_state=str(not active),
            to_state=str(active),
            reason=reason,
        )
    return locked


def organisation_create(
    *,
    name: str,
    kind: str,
    credit_code: str,
    jurisdiction: Jurisdiction,
    safety_officer_name: str,
    safety_officer_phone: str,
    actor,
    address: str = "",
    safety_officer_id_number: str = "",
) -> Organisation:
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        credit_code=normalise_identifier(credit_code),
        jurisdiction=jurisdiction,
        address=address,
        safety_officer_name=safety_officer_name.strip(),
        safety_officer_phone=safety_officer_phone.strip(),
        safety_officer_id_number=normalise_identifier(safety_officer_id_number),
    )
    _full_clean(organisation, exclude=["credit_code"])
    with transaction.atomic():
        if Organisation.objects.filter(credit_code=organisation.credit_code).exists():
            raise DomainError(
                _("An organisation with this unified social credit code is already registered."),
                field="credit_code",
            )
        _full_clean(organisation)
        organisation.save(force_insert=True)
        log_action(actor=actor, subject=organisation, verb="created", data={"credit_code": organisation.credit_code})
    return organisation


def membership_add(
    *,
    user,
    role: str,
    actor,
    department: Department | None = None,
    jurisdiction: Jurisdiction | None = None,
    organisation: Organisation | None = None,
    title: str = "",
) -> Membership:
    """Give ``user`` a role at a department, jurisdiction or organisation (whichever the role needs)."""
    role = Role(role)
    anchors = {
        Anchor.DEPARTMENT: department,
        Anchor.JURISDICTION: jurisdiction,
        Anchor.ORGANISATION: organisation,
    }
    needed = ROLE_ANCHOR[role]
    if anchors[needed] is None or any(v is not None for k, v in anchors.items() if k != needed):
        raise DomainError(
            _("A %(role)s belongs to exactly one %(anchor)s.") % {"role": role.label, "anchor": needed.label},
            field=needed.value,
        )
    if role in ROLE_LEVELS and jurisdiction is not None and jurisdiction.level not in ROLE_LEVELS[role]:
        raise DomainError(
            _("A %(role)s cannot be placed at %(level)s level.")
            % {"role": role.label, "level": jurisdiction.get_level_display()},
            field="jurisdiction",
        )
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user,
            role=role,
            department=department,
            jurisdiction=jurisdiction,
            organisation=organisation,
            defaults={"title": title},
        )
        if created:
            if department is not None:
                user.groups.add(department.group)
            log_action(
                actor=actor,
                subject=user,
                verb="membership_added",
                to_state=role,
                data={"membership": membership.pk, "anchor": str(membership.anchor)},
            )
    forget_scope(user)
    return membership


def membership_remove(*, membership: Membership, actor, reason: str = "") -> None:
    user = membership.user
    with transaction.atomic():
        locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if locked is None:
            return
        department = locked.department
        log_action(
            actor=actor,
            subject=user,
            verb="membership_removed",
            from_state=locked.role,
            reason=reason,
            data={"membership": locked.pk, "anchor": str(locked.anchor)},
        )
        locked.delete()
        if department is not None and not Membership.objects.filter(user=user, department=department).exists():
            user.groups.remove(department.group)
    forget_scope(user)


def grant_to_department(*, obj: models.Model, codename: str, department: Department, actor, reason: str = ""):
    """Open one object to a department outside its default scope (e.g. a permit to the fire brigade for a
    joint inspection). The grant goes to the department's group, never to one person."""
    with transaction.atomic():
        assign_perm(codename, department.group, obj)
        log_action(
            actor=actor,
            subject=obj,
            verb="granted",
            to_state=codename,
            reason=reason,
            data={"department": department.pk, "department_name": department.name, "permission": codename},
        )


def revoke_from_department(*, obj: models.Model, codename: str, department: Department, actor, reason: str = ""):
    with transaction.atomic():
        remove_perm(codename, department.group, obj)
        log_action(
            actor=actor,
            subject=obj,
            verb="revoked",
            from_state=codename,
            reason=reason,
            data={"department": department.pk, "department_name": department.name, "permission": codename},
        )


def may_set_boundary(actor, jurisdiction: Jurisdiction) -> bool:
    """A superuser, or a system administrator of a city the jurisdiction is in (DESIGN.md section 4); no actor is
    the platform itself (the demo seeder's approximate boundaries)."""
    if actor is None:
        return True
    if not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    from crowdsafe.org.access import get_scope

    return any(jurisdiction.path.startswith(path) for path in get_scope(actor).admin_paths)


def jurisdiction_set_boundary(
    *, jurisdiction: Jurisdiction, geometry: dict | None, actor, approximate: bool = False, reason: str = ""
) -> Boundary | None:
    """Set (or, with ``geometry=None``, remove) a territory's boundary, a geometry already checked by
    ``crowdsafe.org.boundaries.read_boundary``. Only its city's system administrator (or a superuser) may."""
    from crowdsafe.org.boundaries import bounding_box, centre_of, point_count, read_boundary

    if not may_set_boundary(actor, jurisdiction):
        raise DomainError(_("Only the city's system administrator may change a boundary."), field="boundary")
    with transaction.atomic():
        if geometry is None:
            deleted, _rows = Boundary.objects.filter(jurisdiction=jurisdiction).delete()
            if deleted:
                log_action(actor=actor, subject=jurisdiction, verb="boundary_removed", reason=reason)
            return None
        geometry = read_boundary(geometry, field="boundary")
        lat, lng = centre_of(geometry)
        south, west, north, east = bounding_box(geometry)
        boundary, created = Boundary.objects.update_or_create(
            jurisdiction=jurisdiction,
            defaults={
                "geometry": geometry,
                "approximate": approximate,
                "centre_latitude": lat,
                "centre_longitude": lng,
                "min_latitude": south,
                "min_longitude": west,
                "max_latitude": north,
                "max_longitude": east,
                "points": point_count(geometry),
            },
        )
        log_action(
            actor=actor,
            subject=jurisdiction,
            verb="boundary_set",
            reason=reason,
            data={"points": boundary.points, "approximate": approximate, "created": created},
        )
    return boundary
