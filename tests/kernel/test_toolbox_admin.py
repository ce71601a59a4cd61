"""The kernel's admin toolbox (crowdsafe/common/admin.py): the read-only admin and inline refuse every write, and a
service's refusal (a ``DomainError``) is shown where the administrator is looking with nothing saved — on the form
(duties' rules, permits' promised deadlines), or as an error message for actions and deletions."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import Client, RequestFactory

from crowdsafe.audit.models import ActionLog
from crowdsafe.common.admin import ReadOnlyAdmin, ReadOnlyInline
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.models import Department
from crowdsafe.workdays.models import CalendarDay
from drills.admin import VersionInline
from duties.models import ResponsibilityRule
from permits.models import PromisedDeadline
from tests.kernel.test_admin import form_errors, post_data_from
from venues.admin import VenueAdmin, ZoneInline
from venues.models import Venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", password="x" * 12)


@pytest.fixture
def root_client(root):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(root)
    return client


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


# --- read-only ----------------------------------------------------------------------------------------------


def test_the_read_only_admin_refuses_add_change_and_delete_even_to_a_superuser(root):
    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = ReadOnlyAdmin(Venue, admin.site)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    inline = ZoneInline(Venue, admin.site)
    assert not inline.has_add_permission(request, None)
    assert not inline.has_change_permission(request)
    assert not inline.has_delete_permission(request)
    assert (inline.extra, inline.can_delete) == (0, False)


def test_the_apps_read_only_admins_are_the_kernels():
    assert issubclass(VenueAdmin, ReadOnlyAdmin)
    assert issubclass(VersionInline, ReadOnlyInline)


def test_a_read_only_admin_answers_403_to_adding_and_deleting_and_shows_the_row_without_a_save_button(
    root_client, root, city
):
    from permits.services.local import promised_deadline_save

    promised_deadline_save(jurisdiction=city.wenfeng, days=3, unit="working", actor=root)
    entry = ActionLog.objects.latest("pk")
    assert root_client.get("/admin/audit/actionlog/add/").status_code == 403
    assert root_client.post(f"/admin/audit/actionlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    page = root_client.get(f"/admin/audit/actionlog/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


# --- a refusal on the add or change form ----------------------------------------------------------------------


def test_a_refused_rule_is_shown_on_the_field_and_nothing_is_saved_even_what_the_service_wrote(
    root_client, monkeypatch
):
    """The service saves the rule and logs it, then refuses: the admin's transaction rolls all of it back."""
    import duties.admin
    from duties.services import rule_save

    def saves_then_refuses(*, rule, actor, changed=()):
        rule_save(rule=rule, actor=actor, changed=changed)
        raise DomainError("This duty is already given by another rule.", field="duty_name")

    monkeypatch.setattr(duties.admin, "rule_save", saves_then_refuses)
    rule = ResponsibilityRule.objects.order_by("pk").first()
    url = f"/admin/duties/responsibilityrule/{rule.pk}/change/"
    data = post_data_from(root_client.get(url))
    data["conditions"] = json.dumps(rule.conditions)
    data["duty_name"] = "A new duty"
    logged = ActionLog.objects.count()

    response = root_client.post(url, data)

    assert response.status_code == 200
    assert form_errors(response) == {"duty_name": ["This duty is already given by another rule."]}
    assert response.context["adminform"].form["duty_name"].value() == "A new duty"  # what was typed is kept
    rule.refresh_from_db()
    assert rule.duty_name != "A new duty"
    assert ActionLog.objects.count() == logged


def test_a_promised_deadline_over_the_limit_is_a_form_error_on_days_and_nothing_is_saved(root_client, city):
    response = root_client.post(
        "/admin/permits/promiseddeadline/add/",
        {"jurisdiction": city.wenfeng.pk, "days": "61", "unit": "working", "review_authority": "", "court": ""},
    )
    assert response.status_code == 200
    # Over the statutory 7 working days (issue 20 point 5: a promise may not be later than the law).
    assert form_errors(response) == {
        "days": [
            "A promised decision deadline may not be later than the statutory one: at most 7 days (Order 505 "
            "Art. 14, counted in working days by the Administrative Licensing Law Art. 82)."
        ]
    }
    assert not PromisedDeadline.objects.exists()


def test_a_promised_deadline_for_another_city_is_refused_on_the_form_not_with_a_403(city, users):
    users.admin.is_staff = True
    users.admin.save(update_fields=["is_staff"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users.admin)
    response = client.post(
        "/admin/permits/promiseddeadline/add/",
        {"jurisdiction": city.mhk_town.pk, "days": "3", "unit": "working", "review_authority": "", "court": ""},
    )
    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["Only an administrator of this city may change its promised deadlines."]
    }
    assert not PromisedDeadline.objects.exists()


# --- a refusal in an action or a deletion ---------------------------------------------------------------------


def test_an_action_reports_each_refusal_as_a_message_naming_the_object_and_does_the_others(
    root_client, city, monkeypatch
):
    import crowdsafe.org.admin
    from crowdsafe.org.services import department_set_active

    refused = city.beiguan_police

    def set_active(*, department, active, actor, reason=""):
        if department.pk == refused.pk:
            raise DomainError("This department still holds open tasks.")
        return department_set_active(department=department, active=active, actor=actor, reason=reason)

    monkeypatch.setattr(crowdsafe.org.admin.services, "department_set_active", set_active)
    response = root_client.post(
        "/admin/org/department/",
        {"action": "deactivate", "_selected_action": [city.wenfeng_police.pk, refused.pk]},
    )
    assert response.status_code == 302
    assert ("error", f"{refused}: This department still holds open tasks.") in messages_of(response)
    assert ("success", "1 departments updated.") in messages_of(response)
    assert Department.objects.get(pk=refused.pk).is_active
    assert not Department.objects.get(pk=city.wenfeng_police.pk).is_active


def test_an_action_refused_half_way_leaves_none_of_its_writes(admin_client, monkeypatch):
    import crowdsafe.workdays.admin

    def writes_then_refuses(*, actor):
        CalendarDay.objects.filter(date__year=2026).delete()
        raise PermissionDeniedError("Only a system administrator may sync the calendar.")

    monkeypatch.setattr(crowdsafe.workdays.admin.services, "calendar_sync_from_library", writes_then_refuses)
    days = CalendarDay.objects.filter(date__year=2026).count()
    response = admin_client.post(
        "/admin/workdays/calendaryear/", {"action": "sync_from_library", "_selected_action": ["2026"]}
    )
    assert response.status_code == 302
    assert ("error", "Only a system administrator may sync the calendar.") in messages_of(response)
    assert CalendarDay.objects.filter(date__year=2026).count() == days


def test_a_refused_deletion_is_an_error_message_and_the_row_stays(root_client, root, city, monkeypatch):
    import permits.admin
    from permits.services.local import promised_deadline_save

    row = promised_deadline_save(jurisdiction=city.wenfeng, days=3, unit="working", actor=root)

    def refuses(*, row, actor):
        raise PermissionDeniedError("Only an administrator of this city may change its promised deadlines.")

    monkeypatch.setattr(permits.admin, "promised_deadline_delete", refuses)
    url = f"/admin/permits/promiseddeadline/{row.pk}/delete/"
    response = root_client.post(url, {"post": "yes"})
    assert response.status_code == 302 and response["Location"] == url
    assert ("error", "Only an administrator of this city may change its promised deadlines.") in messages_of(response)
    assert PromisedDeadline.objects.filter(pk=row.pk).exists()
