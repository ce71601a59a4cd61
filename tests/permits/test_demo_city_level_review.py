"""The demo city can license a large event: an application for 6,000 people goes to 安阳市公安局 (Order 505
Art. 12: 5,000 or more, the public security of the city), whose demo reviewer (demo_city_police) takes it
through acceptance, review and the joint inspection, and whose demo head (demo_city_police_head) decides it.
The demo administrator sees it in the review queue, read-only: no 403, and no decision in their name."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from crowdsafe.errors import PermissionDeniedError
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Membership, Organisation
from permits import services
from permits.management.commands.seed_demo_permits import ORGANISATION, ORGANIZER
from permits.models import SiteInspection
from tests.permits.conftest import build_application
from venues.models import Venue

pytestmark = pytest.mark.django_db


def demo(username: str):
    return get_user_model().objects.get(username=username)


def test_the_demo_city_police_review_and_decide_a_6000_person_application_and_the_admin_sees_the_queue(
    settings,
):
    settings.LANGUAGE_CODE = "en"
    call_command("seed_demo", no_progress=True, verbosity=0)
    call_command("seed_demo_venues", verbosity=0)
    reviewer, head, admin = demo("demo_city_police"), demo("demo_city_police_head"), demo("demo_admin")
    stadium = Venue.objects.get(name="安阳市文峰体育中心体育场", is_active=True)
    zones = {zone.name: zone.pk for zone in stadium.zones.all()}
    application = build_application(
        organizer=demo(ORGANIZER),
        organisation=Organisation.objects.get(credit_code=ORGANISATION),
        venue=stadium,
        attendance=6000,
        tickets={zones["东看台"]: 3000, zones["西看台"]: 3000},
        name="洹河之夜大型演唱会",
    )
    services.application_submit(application=application, actor=demo(ORGANIZER))
    application.refresh_from_db()
    assert application.licensing_department.name == "安阳市公安局"  # Art. 12: 5,000 or more

    # The administrator sees what waits for 安阳市公安局, read-only.
    admin_client = Client()
    admin_client.force_login(admin)
    queue = admin_client.get("/permits/review/")
    assert queue.status_code == 200
    assert "洹河之夜大型演唱会" in queue.content.decode()
    with pytest.raises(PermissionDeniedError):
        services.application_accept(application=application, actor=admin)

    services.application_accept(application=application, actor=reviewer)
    services.application_start_review(application=application, actor=reviewer)
    inspections = services.application_start_inspection(application=application, actor=reviewer)
    for inspection in SiteInspection.objects.filter(pk__in=[i.pk for i in inspections]).select_related("department"):
        # Each inspecting department has a demo person who can record its part.
        member = (
            Membership.objects.filter(
                department=inspection.department, role__in=[Role.STAFF, Role.HEAD], user__username__startswith="demo_"
            )
            .select_related("user")
            .first()
        )
        assert member is not None, f"no demo login in {inspection.department.name} to record its inspection"
        services.inspection_record(inspection=inspection, actor=member.user, passed=True, findings="符合要求。")

    with pytest.raises(PermissionDeniedError):  # the reviewer is not a head (Art. 14)
        services.application_decide(application=application, actor=reviewer, outcome="approve", approved_capacity=6000)
    decided = services.application_decide(
        application=application,
        actor=head,
        outcome="approve",
        approved_capacity=6000,
        tickets_by_zone={p.pk: p.tickets for p in application.zone_plans.all()},
    )
    assert decided.state == "approved" and decided.decided_by == head
    # In the queue before the decision; gone from it (and still no 403) after.
    assert admin_client.get("/permits/review/").status_code == 200
