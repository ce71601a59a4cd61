"""The admin for the kernel: it writes through the services, shows their refusals as form errors, keeps the
action log read-only, and shows a city's system administrator their own city only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms import MultiWidget
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crowdsafe.audit.models import ActionLog
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, OrganisationKind, Role
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation
from tests.factories import DepartmentFactory, JurisdictionFactory, OrganisationFactory, UserFactory, member

User = get_user_model()

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [Jurisdiction, Department, Organisation, Membership, User, ActionLog]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def client():
    """A browser asking for English, so the assertions read the messages' source text."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def root_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def city_admin(users):
    users.admin.is_staff = True
    users.admin.save(update_fields=["is_staff"])
    return users.admin


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def post_data_from(response) -> dict:
    """The POST a browser would send back for an admin change page as rendered: the main form and every
    inline formset with their current values."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None:
                continue
            if isinstance(field.widget, MultiWidget):  # e.g. date_joined as a date and a time input
                for i, part in enumerate(field.widget.decompress(value)):
                    data[f"{form.add_prefix(name)}_{i}"] = str(part)
            elif isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = str(field.prepare_value(value))

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.initial_forms:
            data[form.add_prefix("id")] = str(form.instance.pk)
            data[form.add_prefix(formset.fk.name)] = str(formset.instance.pk)
    return data


class TestChangelists:
    @pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.model_name)
    def test_every_kernel_changelist_renders_for_a_superuser(self, root_client, users, model):
        response = root_client.get(admin_url(model, "changelist"))
        assert response.status_code == 200
        assert response.context["cl"].result_count > 0

    @pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.model_name)
    def test_every_kernel_change_page_renders_for_a_superuser(self, root_client, users, model):
        obj = model.objects.order_by("pk").last()
        response = root_client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200

    @pytest.mark.parametrize("model", [Jurisdiction, Department, Organisation, Membership, User])
    def test_every_add_page_renders_for_a_superuser(self, root_client, city, model):
        assert root_client.get(admin_url(model, "add")).status_code == 200

    def test_the_changelist_filters_render(self, root_client, city):
        url = admin_url(Department, "changelist")
        response = root_client.get(url, {"territory": city.wenfeng.code, "kind": DepartmentKind.PUBLIC_SECURITY})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [city.wenfeng_police]
        response = root_client.get(admin_url(Jurisdiction, "changelist"), {"q": "410502"})
        assert {j.code for j in response.context["cl"].result_list} >= {"410502", "410502001", "410502001001G01"}
        assert "410503" not in {j.code for j in response.context["cl"].result_list}

    @pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.model_name)
    def test_a_changelist_takes_the_same_queries_whatever_the_number_of_rows(self, root_client, users, city, model):
        url = admin_url(model, "changelist")
        before = count_queries(root_client, url)
        for n in range(1, 4):
            street = JurisdictionFactory(
                code=f"41050300{n}", name=f"街道{n}", level=JurisdictionLevel.TOWNSHIP, parent=city.beiguan
            )
            department = DepartmentFactory(name=f"{street.name}办事处", kind="township_government", jurisdiction=street)
            member(role=Role.STAFF, department=department)
            OrganisationFactory(jurisdiction=street)
        assert count_queries(root_client, url) == before <= 12


class TestJurisdictionAdmin:
    def test_adding_a_code_outside_its_parent_shows_the_error_and_creates_nothing(self, root_client, city):
        before_j, before_log = Jurisdiction.objects.count(), ActionLog.objects.count()
        response = root_client.post(
            admin_url(Jurisdiction, "add"),
            {"code": "410602", "name": "鹤山区", "level": JurisdictionLevel.DISTRICT, "parent": city.anyang.pk},
        )
        assert response.status_code == 200
        assert form_errors(response)["code"] == ["Division code 410602 does not belong under 安阳市 (410500)."]
        assert not response.context["adminform"].form.non_field_errors()
        assert (Jurisdiction.objects.count(), ActionLog.objects.count()) == (before_j, before_log)

    def test_adding_a_malformed_code_shows_the_error_and_creates_nothing(self, root_client, city):
        before = Jurisdiction.objects.count()
        response = root_client.post(
            admin_url(Jurisdiction, "add"),
            {"code": "41050X", "name": "错区", "level": JurisdictionLevel.DISTRICT, "parent": city.anyang.pk},
        )
        assert response.status_code == 200
        assert "code" in form_errors(response)
        assert Jurisdiction.objects.count() == before

    def test_adding_a_township_above_its_level_shows_the_error(self, root_client, city):
        response = root_client.post(
            admin_url(Jurisdiction, "add"),
            {
                "code": "410502009",
                "name": "紫薇大道街道",
                "level": JurisdictionLevel.DISTRICT,
                "parent": city.wenfeng.pk,
            },
        )
        assert response.status_code == 200
        assert "level" in form_errors(response)
        assert not Jurisdiction.objects.filter(code="410502009").exists()

    def test_adding_an_existing_code_shows_the_error(self, root_client, city):
        response = root_client.post(
            admin_url(Jurisdiction, "add"),
            {"code": "410502001", "name": "重复", "level": JurisdictionLevel.TOWNSHIP, "parent": city.wenfeng.pk},
        )
        assert response.status_code == 200
        assert "already exists" in form_errors(response)["code"][0]
        assert Jurisdiction.objects.get(code="410502001").name == "东大街街道"

    def test_adding_goes_through_the_service(self, root_client, root, city):
        response = root_client.post(
            admin_url(Jurisdiction, "add"),
            {"code": "410502004", "name": "北大街街道", "level": JurisdictionLevel.TOWNSHIP, "parent": city.wenfeng.pk},
        )
        assert response.status_code == 302
        added = Jurisdiction.objects.get(code="410502004")
        assert (added.path, added.depth) == ("410500/410502/410502004/", 2)
        log = ActionLog.objects.get(subject_id=added.pk, verb="created", subject_type__model="jurisdiction")
        assert log.actor == root

    def test_changing_only_renames(self, root_client, root, city):
        response = root_client.post(
            admin_url(Jurisdiction, "change", city.street.pk),
            {"name": "东大街街道（新）", "reason": "区划调整", "code": "999999", "level": JurisdictionLevel.CITY},
        )
        assert response.status_code == 302
        street = Jurisdiction.objects.get(pk=city.street.pk)
        assert (street.code, street.name, street.level) == ("410502001", "东大街街道（新）", JurisdictionLevel.TOWNSHIP)
        log = ActionLog.objects.get(subject_id=street.pk, verb="renamed", subject_type__model="jurisdiction")
        assert (log.from_state, log.to_state, log.reason, log.actor) == (
            "东大街街道",
            "东大街街道（新）",
            "区划调整",
            root,
        )

    def test_jurisdictions_cannot_be_deleted(self, root_client, city):
        assert root_client.get(admin_url(Jurisdiction, "delete", city.grid.pk)).status_code == 403


class TestDepartmentAndOrganisationAdmin:
    def test_adding_a_department_goes_through_the_service(self, root_client, city):
        response = root_client.post(
            admin_url(Department, "add"),
            {"name": "文峰区应急管理局", "kind": DepartmentKind.EMERGENCY, "jurisdiction": city.wenfeng.pk},
        )
        assert response.status_code == 302
        department = Department.objects.get(name="文峰区应急管理局")
        assert department.group.name == "department:410502:文峰区应急管理局"
        assert ActionLog.objects.filter(subject_id=department.pk, verb="created").exists()

    def test_a_duplicate_department_name_shows_the_error(self, root_client, city):
        before = Department.objects.count()
        response = root_client.post(
            admin_url(Department, "add"),
            {"name": "安阳市公安局文峰分局", "kind": DepartmentKind.PUBLIC_SECURITY, "jurisdiction": city.wenfeng.pk},
        )
        assert response.status_code == 200
        assert "name" in form_errors(response)
        assert Department.objects.count() == before

    def test_changing_a_department_only_sets_it_active_or_not(self, root_client, city):
        response = root_client.post(
            admin_url(Department, "change", city.wenfeng_police.pk), {"reason": "机构改革", "name": "改名"}
        )
        assert response.status_code == 302
        department = Department.objects.get(pk=city.wenfeng_police.pk)
        assert (department.is_active, department.name) == (False, "安阳市公安局文峰分局")
        log = ActionLog.objects.get(subject_id=department.pk, verb="deactivated")
        assert log.reason == "机构改革"

    def test_adding_an_organisation_with_a_bad_credit_code_shows_the_error(self, root_client, city):
        before = Organisation.objects.count()
        response = root_client.post(
            admin_url(Organisation, "add"),
            {
                "name": "某某公司",
                "kind": OrganisationKind.ORGANIZER,
                "credit_code": "91410502MA9XK3L0IO",
                "jurisdiction": city.wenfeng.pk,
                "safety_officer_name": "张三",
                "safety_officer_phone": "13800000000",
            },
        )
        assert response.status_code == 200
        assert "credit_code" in form_errors(response)
        assert Organisation.objects.count() == before

    def test_adding_an_organisation_goes_through_the_service(self, root_client, city):
        response = root_client.post(
            admin_url(Organisation, "add"),
            {
                "name": "安阳市某演出公司",
                "kind": OrganisationKind.ORGANIZER,
                "credit_code": "91410502ma47r8c22y",
                "jurisdiction": city.wenfeng.pk,
                "safety_officer_name": "张三",
                "safety_officer_phone": "13800000000",
            },
        )
        assert response.status_code == 302
        organisation = Organisation.objects.get(name="安阳市某演出公司")
        assert organisation.credit_code == "91410502MA47R8C22Y"
        assert ActionLog.objects.filter(subject_id=organisation.pk, verb="created").exists()


class TestMembershipAdmin:
    def test_a_role_at_the_wrong_kind_of_anchor_shows_the_error_and_adds_nothing(self, root_client, city):
        user = UserFactory()
        response = root_client.post(
            admin_url(Membership, "add"), {"user": user.pk, "role": Role.STAFF, "jurisdiction": city.wenfeng.pk}
        )
        assert response.status_code == 200
        assert form_errors(response) == {"department": ["A Department staff belongs to exactly one department."]}
        assert not user.memberships.exists()

    def test_adding_goes_through_the_service(self, root_client, city):
        user = UserFactory()
        response = root_client.post(
            admin_url(Membership, "add"), {"user": user.pk, "role": Role.STAFF, "department": city.wenfeng_police.pk}
        )
        assert response.status_code == 302
        assert user.memberships.get().department == city.wenfeng_police
        assert user.groups.filter(pk=city.wenfeng_police.group_id).exists()
        assert ActionLog.objects.filter(subject_id=user.pk, verb="membership_added").exists()

    def test_a_duplicate_shows_the_error(self, root_client, users, city):
        response = root_client.post(
            admin_url(Membership, "add"),
            {"user": users.staff.pk, "role": Role.STAFF, "department": city.wenfeng_police.pk},
        )
        assert response.status_code == 200
        assert "role" in form_errors(response)

    def test_deleting_goes_through_the_service(self, root_client, users, city):
        membership = users.staff.memberships.get()
        response = root_client.post(admin_url(Membership, "delete", membership.pk), {"post": "yes"})
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert not users.staff.groups.filter(pk=city.wenfeng_police.group_id).exists()
        assert ActionLog.objects.filter(subject_id=users.staff.pk, verb="membership_removed").exists()

    def test_the_delete_action_goes_through_the_service(self, root_client, users):
        ids = [users.staff.memberships.get().pk, users.head.memberships.get().pk]
        response = root_client.post(
            admin_url(Membership, "changelist"),
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
        assert response.status_code == 302
        assert not Membership.objects.filter(pk__in=ids).exists()
        assert ActionLog.objects.filter(verb="membership_removed").count() == 2


class TestUserAdmin:
    def test_the_membership_inline_adds_through_the_service(self, root_client, city):
        user = UserFactory(username="newcomer")
        url = admin_url(User, "change", user.pk)
        data = post_data_from(root_client.get(url))
        data.update(
            {
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-role": Role.TOWNSHIP_OFFICER,
                "memberships-0-jurisdiction": str(city.street.pk),
                "memberships-0-title": "干部",
            }
        )
        response = root_client.post(url, data)
        assert response.status_code == 302, response.context and response.context["errors"]
        membership = user.memberships.get()
        assert (membership.role, membership.jurisdiction, membership.title) == (
            Role.TOWNSHIP_OFFICER,
            city.street,
            "干部",
        )
        assert ActionLog.objects.filter(subject_id=user.pk, verb="membership_added").exists()

    def test_the_membership_inline_shows_a_refusal_as_an_error(self, root_client, city):
        user = UserFactory(username="newcomer")
        url = admin_url(User, "change", user.pk)
        data = post_data_from(root_client.get(url))
        data.update(
            {
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-role": Role.GRID_WORKER,
                "memberships-0-jurisdiction": str(city.wenfeng.pk),
            }
        )
        response = root_client.post(url, data)
        assert response.status_code == 200
        errors = response.context["inline_admin_formsets"][0].formset.errors
        assert errors[0]["jurisdiction"] == ["A Grid worker cannot be placed at District / county level."]
        assert not user.memberships.exists()

    def test_the_membership_inline_removes_through_the_service(self, root_client, users, city):
        url = admin_url(User, "change", users.staff.pk)
        data = post_data_from(root_client.get(url))
        data["memberships-0-DELETE"] = "on"
        response = root_client.post(url, data)
        assert response.status_code == 302
        assert not users.staff.memberships.exists()
        assert not users.staff.groups.exists()
        assert ActionLog.objects.filter(subject_id=users.staff.pk, verb="membership_removed").exists()

    def test_the_user_page_edits_full_name_and_phone(self, root_client, users):
        url = admin_url(User, "change", users.staff.pk)
        data = post_data_from(root_client.get(url))
        data.update({"full_name": "张伟", "phone": "13800000001"})
        assert root_client.post(url, data).status_code == 302
        users.staff.refresh_from_db()
        assert (users.staff.full_name, users.staff.phone) == ("张伟", "13800000001")

    def test_users_are_not_deleted_here(self, root_client, users):
        assert root_client.get(admin_url(User, "delete", users.staff.pk)).status_code == 403


class TestActionLogAdmin:
    def test_it_is_read_only(self, root_client, users):
        entry = ActionLog.objects.first()
        assert root_client.get(admin_url(ActionLog, "add")).status_code == 403
        assert root_client.get(admin_url(ActionLog, "delete", entry.pk)).status_code == 403
        page = root_client.get(admin_url(ActionLog, "change", entry.pk))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        assert b'name="_save"' not in page.content
        root_client.post(admin_url(ActionLog, "change", entry.pk), {"verb": "forged", "reason": "x"})
        entry_after = ActionLog.objects.get(pk=entry.pk)
        assert (entry_after.verb, entry_after.reason) == (entry.verb, entry.reason)
        changelist = root_client.get(admin_url(ActionLog, "changelist"))
        assert changelist.context["action_form"] is None  # no actions at all, so no bulk delete

    def test_it_filters_by_verb_and_subject_type_and_searches_labels(self, root_client, users, city):
        url = admin_url(ActionLog, "changelist")
        rows = root_client.get(url, {"verb": "membership_added"}).context["cl"].result_list
        assert rows and {row.verb for row in rows} == {"membership_added"}
        rows = root_client.get(url, {"q": "东大街"}).context["cl"].result_list
        assert rows and all("东大街" in row.subject_label for row in rows)


class TestCityAdministrator:
    def test_a_city_admin_sees_their_own_city_only(self, client, city_admin, city):
        client.force_login(city_admin)
        response = client.get(admin_url(Jurisdiction, "changelist"))
        assert response.status_code == 200
        codes = {j.code for j in response.context["cl"].result_list}
        assert {"410500", "410502", "410502001001G01"} <= codes
        assert not codes & {"220581", "220581100"}
        # Another city's rows are simply not found.
        response = client.get(admin_url(Jurisdiction, "change", city.meihekou.pk))
        assert response.status_code == 302
        departments = client.get(admin_url(Department, "changelist")).context["cl"].result_list
        assert city.mhk_fire not in departments and city.wenfeng_police in departments

    def test_a_city_admin_cannot_add_under_another_city(self, client, city_admin, city):
        client.force_login(city_admin)
        response = client.post(
            admin_url(Jurisdiction, "add"),
            {"code": "220581101", "name": "红梅镇", "level": JurisdictionLevel.TOWNSHIP, "parent": city.meihekou.pk},
        )
        assert response.status_code == 200
        assert "parent" in form_errors(response)
        assert not Jurisdiction.objects.filter(code="220581101").exists()

    def test_a_city_admin_cannot_add_a_city(self, client, city_admin):
        client.force_login(city_admin)
        response = client.post(
            admin_url(Jurisdiction, "add"), {"code": "410600", "name": "鹤壁市", "level": JurisdictionLevel.CITY}
        )
        assert response.status_code == 200
        assert "parent" in form_errors(response)

    def test_a_city_admin_cannot_grant_superuser(self, client, city_admin, users):
        client.force_login(city_admin)
        url = admin_url(User, "change", users.staff.pk)
        page = client.get(url)
        assert page.status_code == 200
        data = post_data_from(page)
        data["is_superuser"] = "on"
        assert client.post(url, data).status_code == 302
        users.staff.refresh_from_db()
        assert not users.staff.is_superuser

    def test_a_city_admin_does_not_see_users_of_another_city(self, client, city_admin, users):
        client.force_login(city_admin)
        shown = set(client.get(admin_url(User, "changelist")).context["cl"].result_list)
        assert users.staff in shown and users.outsider not in shown

    def test_staff_without_an_admin_membership_see_nothing(self, client, users):
        users.leader.is_staff = True
        users.leader.save(update_fields=["is_staff"])
        client.force_login(users.leader)
        for model in [Jurisdiction, Department, Organisation, Membership, User, ActionLog]:
            assert client.get(admin_url(model, "changelist")).status_code == 403

    def test_a_city_admin_is_not_shown_the_action_log(self, client, city_admin):
        client.force_login(city_admin)
        assert client.get(admin_url(ActionLog, "changelist")).status_code == 403
