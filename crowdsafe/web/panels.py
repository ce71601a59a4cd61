"""The kernel's home-page panels and navigation items (registered in ``WebConfig.ready``).
See ``crowdsafe/web/home.py`` and ``crowdsafe/web/nav.py``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from crowdsafe.audit.labels import TimelineEntry, timeline_entry
from crowdsafe.audit.models import ActionLog
from crowdsafe.audit.selectors import actions_by
from crowdsafe.org.access import EXTERNAL_ROLES, GOVERNMENT_ROLES, path_q
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, Role
from crowdsafe.org.selectors import department_list, jurisdiction_list, organisation_list
from crowdsafe.web.home import ALL_ROLES, HomeContext, register_panel
from crowdsafe.web.nav import register_nav_item, url_or_none
from crowdsafe.workdays.choices import DayType, ExceptionKind
from crowdsafe.workdays.models import CalendarYear
from crowdsafe.workdays.selectors import calendar_days, has_affected_deadlines

# How far ahead the holiday panel looks: long enough to see the next holiday block and its adjusted days.
HOLIDAY_LOOKAHEAD_DAYS = 60
# The State Council publishes next year's holiday schedule in November (国务院办公厅节假日安排).
HOLIDAY_SCHEDULE_MONTH = 11
RECENT_ACTIONS = 3  # on the home page; the rest is on the page of one's own actions (web:my_actions)
DEPARTMENT_NAMES_PER_KIND = 5


def roles_context(home: HomeContext) -> dict:
    """The user's memberships; ``get_scope`` has already read them with their anchors."""
    return {"memberships": home.scope.memberships}


def territory_context(home: HomeContext) -> dict:
    scope = home.scope
    # Own territories first: the jurisdictions of the memberships, and the departments' jurisdictions.
    territories, seen = [], set()
    for membership in scope.memberships:
        territory = membership.territory
        if territory is not None and territory.pk not in seen:
            seen.add(territory.pk)
            territories.append(territory)
    # One aggregated query: how many territories of each level the user may see.
    counts = dict(
        jurisdiction_list(user=home.user).order_by().values("level").annotate(n=Count("pk")).values_list("level", "n")
    )
    levels = [
        {"level": level, "label": level.label, "count": counts[level.value]}
        for level in JurisdictionLevel
        if counts.get(level.value)
    ]
    context = {"territories": territories, "levels": levels, "department_kinds": None}
    if Role.LEADER in home.roles:
        context["department_kinds"] = _departments_by_kind(home)
    return context


@dataclass
class KindGroup:
    kind: str
    label: str
    total: int = 0
    departments: list = field(default_factory=list)


def _departments_by_kind(home: HomeContext) -> list[KindGroup]:
    """Departments inside the leader's territory, grouped by kind: the first few names and the total of each
    kind, in one query (window functions number and count the rows of each kind)."""
    qs = department_list(user=home.user).filter(is_active=True)
    if not home.scope.is_superuser:
        qs = qs.filter(path_q(home.scope.territory_paths))
    qs = qs.annotate(
        rank=Window(RowNumber(), partition_by=[F("kind")], order_by=[F("jurisdiction__path"), F("name")]),
        kind_total=Window(Count("pk"), partition_by=[F("kind")]),
    ).filter(rank__lte=DEPARTMENT_NAMES_PER_KIND)
    groups: dict[str, KindGroup] = {}
    for department in qs:
        group = groups.setdefault(department.kind, KindGroup(kind=department.kind, label=department.get_kind_display()))
        group.total = department.kind_total
        group.departments.append(department)
    order = {kind: i for i, kind in enumerate(DepartmentKind.values)}
    return sorted(groups.values(), key=lambda g: order.get(g.kind, len(order)))


@dataclass
class HolidaySpan:
    """Consecutive days off or adjusted working days of one kind and name, shown as one line (e.g. 国庆节
    10-01 – 10-08). ``kind`` is a ``DayType``: a statutory holiday, an adjusted working day, or a provisional
    statutory holiday (a year whose State Council schedule is not entered: computed from the national holiday
    rules, issue 20 point 4)."""

    kind: str
    name: str
    start: datetime.date
    end: datetime.date
    days: int = 1

    @property
    def is_holiday(self) -> bool:
        return self.kind in (DayType.HOLIDAY, DayType.PROVISIONAL_HOLIDAY)

    @property
    def is_provisional(self) -> bool:
        return self.kind == DayType.PROVISIONAL_HOLIDAY

    @property
    def kind_label(self) -> str:
        if self.kind == DayType.HOLIDAY:
            return str(ExceptionKind.HOLIDAY.label)
        return str(DayType(self.kind).label)


# The days the panel lists: those that differ from the Monday–Friday rule other than ordinary weekends.
_PANEL_DAY_TYPES = (DayType.HOLIDAY, DayType.ADJUSTED_WORKING, DayType.PROVISIONAL_HOLIDAY)


def holidays_context(home: HomeContext) -> dict:
    start = home.today
    end = start + datetime.timedelta(days=HOLIDAY_LOOKAHEAD_DAYS)
    spans: list[HolidaySpan] = []
    # The calendar as deadlines count it (crowdsafe.workdays): the entered days of a covered year, the
    # provisional statutory holidays of a year not entered yet.
    days = calendar_days(start, end)
    for day in days:
        if day.type not in _PANEL_DAY_TYPES:
            continue
        last = spans[-1] if spans else None
        if (
            last is not None
            and last.kind == day.type
            and last.name == day.name
            and day.date == last.end + datetime.timedelta(days=1)
        ):
            last.end = day.date
            last.days += 1
        else:
            spans.append(HolidaySpan(kind=day.type, name=day.name, start=day.date, end=day.date))
    uncovered = sorted({day.date.year for day in days if not day.covered})
    # The "schedule not entered" notice is for those who can act on it (administrators) and those whose own
    # deadlines it moves; everyone else would only learn that a form somewhere is empty.
    if uncovered and not (Role.ADMIN in home.roles or has_affected_deadlines(home.user, uncovered)):
        uncovered = []
    return {
        "spans": spans,
        "start": start,
        "end": end,
        "lookahead_days": HOLIDAY_LOOKAHEAD_DAYS,
        "uncovered_years": uncovered,
        "has_provisional": any(span.is_provisional for span in spans),
        "calendar_url": url_or_none("workdays:calculator"),
    }


def holiday_schedule_needed_context(home: HomeContext) -> dict | None:
    """From 1 November, until next year's holiday schedule has been entered. Deadlines in working days that
    run into next year would otherwise count only weekends as rest days."""
    if home.today.month < HOLIDAY_SCHEDULE_MONTH:
        return None
    next_year = home.today.year + 1
    if CalendarYear.objects.filter(year=next_year).exists():
        return None
    admin_url = days_url = None
    if getattr(home.user, "is_staff", False):
        try:
            days_url = reverse("admin:workdays_calendarday_changelist")
            admin_url = reverse("admin:workdays_calendaryear_schedule") + f"?year={next_year}"
        except NoReverseMatch:
            admin_url = None
    return {"year": next_year, "admin_url": admin_url, "days_url": days_url}


def organisation_context(home: HomeContext) -> dict:
    organisations = organisation_list(user=home.user).filter(pk__in=sorted(home.scope.organisation_ids))
    return {"organisations": list(organisations)}


@dataclass
class ActionRow:
    entry: ActionLog
    change: TimelineEntry
    subject_type: str


def action_rows(entries) -> list[ActionRow]:
    """The user's own log entries in words: the verb, the states as labels of the subject's model, its kind."""
    rows = []
    for entry in entries:
        model = entry.subject_type.model_class()
        rows.append(
            ActionRow(
                entry=entry,
                change=timeline_entry(entry, model),
                subject_type=str(model._meta.verbose_name) if model is not None else "",
            )
        )
    return rows


def recent_actions_context(home: HomeContext) -> dict:
    """The last few of the user's own actions, one line each; the whole log is on its own page."""
    return {"rows": action_rows(actions_by(actor=home.user, limit=RECENT_ACTIONS)), "limit": RECENT_ACTIONS}


def _api_docs_visible(user, scope) -> bool:
    # The API is for connecting government systems: shown to government staff and to site staff.
    return user.is_staff or scope.is_government


def register_kernel_nav() -> None:
    any_role = ALL_ROLES
    register_nav_item("home", label=_("Home"), url="home", order=0)
    register_nav_item("jurisdictions", label=_("Jurisdictions"), url="org:jurisdiction_list", order=10, roles=any_role)
    register_nav_item("departments", label=_("Departments"), url="org:department_list", order=20, roles=any_role)
    register_nav_item("calendar", label=_("Working-day calculator"), url="workdays:calculator", order=80)
    register_nav_item("my_actions", label=_("My recent actions"), url="my_actions", order=85)
    register_nav_item("api", label=_("API docs"), url="api-docs", order=90, visible=_api_docs_visible)
    register_nav_item("admin", label=_("Administration"), url="admin:index", order=100, visible=lambda u, s: u.is_staff)


def register_kernel_panels() -> None:
    register_panel(
        "holiday_schedule_needed",
        roles={Role.ADMIN},
        template="web/panels/holiday_schedule_needed.html",
        context_func=holiday_schedule_needed_context,
        order=5,
    )
    register_panel(
        "organisation",
        roles=EXTERNAL_ROLES,
        template="web/panels/organisation.html",
        context_func=organisation_context,
        order=40,
    )
    register_panel(
        "territory",
        roles=GOVERNMENT_ROLES,
        template="web/panels/territory.html",
        context_func=territory_context,
        order=40,
    )
    register_panel(
        "holidays",
        roles=ALL_ROLES,
        template="web/panels/holidays.html",
        context_func=holidays_context,
        order=60,
    )
    register_panel(
        "roles",
        roles=ALL_ROLES,
        template="web/panels/roles.html",
        context_func=roles_context,
        order=70,
    )
    register_panel(
        "recent_actions",
        roles=ALL_ROLES,
        template="web/panels/recent_actions.html",
        context_func=recent_actions_context,
        order=90,
    )
