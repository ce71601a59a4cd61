"""``seed_demo`` and ``demo_logins``: the demo city, loaded through the services, idempotently."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from crowdsafe.audit.models import ActionLog
from crowdsafe.common.identifiers import validate_credit_code
from crowdsafe.org import demo_data
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, Role
from crowdsafe.org.management.commands.seed_demo import plan_size
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation

User = get_user_model()
L = JurisdictionLevel

pytestmark = pytest.mark.django_db

ANYANG_DISTRICTS = {
    "410502": "文峰区",
    "410503": "北关区",
    "410505": "殷都区",
    "410506": "龙安区",
    "410522": "安阳县",
    "410523": "汤阴县",
    "410526": "滑县",
    "410527": "内黄县",
    "410581": "林州市",
}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def snapshot() -> dict:
    """Every row the command writes, with the values it sets."""
    return {
        "jurisdictions": list(Jurisdiction.objects.order_by("pk").values_list("pk", "code", "name", "level", "path")),
        "departments": list(
            Department.objects.order_by("pk").values_list("pk", "name", "kind", "jurisdiction_id", "group_id")
        ),
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role", "title")),
        "users": list(User.objects.order_by("pk").values_list("pk", "username", "full_name", "password", "is_staff")),
        "groups": Group.objects.count(),
        "log": list(ActionLog.objects.order_by("pk").values_list("pk", flat=True)),
    }


def test_it_creates_anyang_with_its_real_district_and_county_codes(seeded):
    anyang = Jurisdiction.objects.get(code="410500")
    assert (anyang.name, anyang.level, anyang.parent) == ("安阳市", L.CITY, None)
    districts = dict(anyang.children.values_list("code", "name"))
    assert districts == ANYANG_DISTRICTS
    assert set(anyang.children.values_list("level", flat=True)) == {L.DISTRICT}


def test_it_creates_meihekou_as_a_second_root_city(seeded):
    meihekou = Jurisdiction.objects.get(code="220581")
    assert (meihekou.name, meihekou.level, meihekou.parent, meihekou.path) == ("梅河口市", L.CITY, None, "220581/")
    townships = dict(meihekou.children.values_list("code", "name"))
    assert {"220581100": "山城镇", "220581101": "红梅镇", "220581102": "海龙镇"}.items() <= townships.items()


def test_codes_below_the_counties_follow_the_official_pattern(seeded):
    for township in Jurisdiction.objects.filter(level=L.TOWNSHIP).select_related("parent"):
        assert re.fullmatch(r"\d{9}", township.code) and township.code.startswith(township.parent.code)
        number = int(township.code[6:])
        if township.name.endswith("街道"):
            assert 1 <= number <= 99, township
        elif township.name.endswith("镇"):
            assert 100 <= number <= 199, township
        else:
            assert township.name.endswith("乡") and number >= 200, township
        assert township.children.count() == 2  # two communities or villages each
    for community in Jurisdiction.objects.filter(level=L.COMMUNITY).select_related("parent"):
        assert re.fullmatch(r"\d{12}", community.code) and community.code.startswith(community.parent.code)
        assert sorted(community.children.values_list("code", flat=True)) == [
            community.code + "G01",
            community.code + "G02",
        ]
    assert Jurisdiction.objects.filter(code="410502001", name="东大街街道", parent__code="410502").exists()
    assert Jurisdiction.objects.filter(code__startswith="410581", name="石板岩镇").exists()


def test_every_city_and_district_has_each_line_department_and_every_township_its_government(seeded):
    line_kinds = set(demo_data.LINE_DEPARTMENT_KINDS)
    assert line_kinds == set(DepartmentKind) - {DepartmentKind.TOWNSHIP_GOVERNMENT, DepartmentKind.OTHER}
    for jurisdiction in Jurisdiction.objects.filter(level__in=[L.CITY, L.DISTRICT]):
        kinds = set(jurisdiction.departments.values_list("kind", flat=True))
        assert kinds == line_kinds, jurisdiction
    for township in Jurisdiction.objects.filter(level=L.TOWNSHIP):
        government = township.departments.get()
        assert government.kind == DepartmentKind.TOWNSHIP_GOVERNMENT
        assert government.name in (f"{township.name}办事处", f"{township.name}人民政府")
    # 梅河口市 has departments at city level only.
    assert Department.objects.filter(jurisdiction__code="220581", name="梅河口市消防救援大队").exists()
    assert Department.objects.get(name="安阳市公安局文峰分局").jurisdiction.code == "410502"
    assert Department.objects.get(name="林州市公安局").jurisdiction.code == "410581"


def test_the_demo_organisations_have_well_formed_credit_codes(seeded):
    weights = [pow(3, i, 31) for i in range(17)]
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    organisations = list(Organisation.objects.all())
    assert len(organisations) == len(demo_data.ORGANISATIONS) >= 2
    for organisation in organisations:
        validate_credit_code(organisation.credit_code)
        # GB 32100-2015: the 18th character is the check character over the first 17.
        total = sum(charset.index(ch) * w for ch, w in zip(organisation.credit_code[:17], weights, strict=True))
        assert organisation.credit_code[17] == charset[(31 - total % 31) % 31], organisation


def test_everything_is_created_through_the_services(seeded):
    created = ActionLog.objects.filter(verb="created", actor=None)
    assert created.filter(subject_type__model="jurisdiction").count() == Jurisdiction.objects.count()
    assert created.filter(subject_type__model="department").count() == Department.objects.count()
    assert created.filter(subject_type__model="organisation").count() == Organisation.objects.count()
    assert ActionLog.objects.filter(verb="membership_added").count() == Membership.objects.count()
    # Departments got their permission groups, and staff are in their department's group.
    staff = User.objects.get(username="demo_staff")
    assert staff.groups.get() == Department.objects.get(name="安阳市公安局文峰分局").group


def test_a_second_run_creates_and_changes_nothing(seeded):
    before = snapshot()
    out = io.StringIO()
    with translation.override("en"):
        call_command("seed_demo", "--no-progress", stdout=out)
    assert snapshot() == before
    assert "nothing to create" in out.getvalue()


def test_it_fills_in_a_city_that_is_partly_there(city):
    """Over the test fixture's small tree (安阳市, 文峰区, 东大街街道 … and 安阳市公安局文峰分局) it adds the
    rest and reuses what exists."""
    call_command("seed_demo", verbosity=0)
    expected = sum(plan_size(c) for c in demo_data.CITIES)
    created = Jurisdiction.objects.count() + Department.objects.count() + len(demo_data.DEMO_USERS)
    assert created + len(demo_data.ORGANISATIONS) == expected
    assert Jurisdiction.objects.get(code="410502001").pk == city.street.pk
    staff = Membership.objects.get(user__username="demo_staff")
    assert staff.department_id == city.wenfeng_police.pk


def test_it_creates_one_demo_user_per_role_who_can_sign_in(seeded, client):
    demo_users = {spec["username"]: spec for spec in demo_data.DEMO_USERS}
    roles = set(Membership.objects.filter(user__username__in=demo_users).values_list("role", flat=True))
    assert roles == set(Role)
    for username, spec in demo_users.items():
        user = User.objects.get(username=username)
        assert user.full_name == spec["full_name"] and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", user.full_name)
        assert client.login(username=username, password=demo_data.DEMO_PASSWORD), username
        client.logout()
    assert not User.objects.filter(is_superuser=True).exists()


def test_the_demo_users_sit_where_the_brief_puts_them(seeded):
    def membership(username, role=None):
        rows = Membership.objects.select_related("department", "jurisdiction", "organisation")
        return rows.get(user__username=username, **({"role": role} if role else {}))

    assert membership("demo_staff").department.name == "安阳市公安局文峰分局"
    assert (membership("demo_head").role, membership("demo_head").department.name) == (
        Role.HEAD,
        "安阳市公安局文峰分局",
    )
    grid = membership("demo_grid").jurisdiction
    assert grid.level == L.GRID and grid.code.startswith("410502001")
    assert membership("demo_township", Role.TOWNSHIP_OFFICER).jurisdiction.name == "东大街街道"
    # Issue 14: the township user also works in the street's office, which holds the street's tasks.
    assert membership("demo_township", Role.STAFF).department.name == "东大街街道办事处"
    assert membership("demo_city_police").department.name == "安阳市公安局"
    assert membership("demo_city_police_head", Role.HEAD).department.name == "安阳市公安局"
    assert membership("demo_staff").on_duty
    assert membership("demo_leader").jurisdiction.code == "410502"
    assert membership("demo_admin").jurisdiction.code == "410500"
    assert membership("demo_organizer").organisation.kind == "organizer"
    assert membership("demo_operator").organisation.kind == "venue_operator"
    assert membership("demo_mhk").jurisdiction.city_code == "220581"
    admin = User.objects.get(username="demo_admin")
    assert admin.is_staff and not admin.is_superuser
    assert not User.objects.filter(is_staff=True).exclude(username="demo_admin").exists()


def test_the_demo_admin_can_use_the_admin_site_for_their_city(seeded, client):
    assert client.login(username="demo_admin", password=demo_data.DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200
    response = client.get("/admin/org/jurisdiction/", {"level": L.CITY})
    assert [j.code for j in response.context["cl"].result_list] == ["410500"]


def test_a_password_a_demo_user_changed_survives_a_rerun(seeded, client):
    user = User.objects.get(username="demo_grid")
    user.set_password("my-own-secret-pass")
    user.save()
    call_command("seed_demo", verbosity=0)
    assert client.login(username="demo_grid", password="my-own-secret-pass")


def test_demo_logins_prints_every_demo_login(seeded):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert "用户名 Username" in text and "密码 Password" in text and "角色 Role" in text
    for spec in demo_data.DEMO_USERS:
        line = next(line for line in text.splitlines() if line.startswith(spec["username"] + " "))
        assert demo_data.DEMO_PASSWORD in line and spec["full_name"] in line
    assert "东大街街道" in text and "安阳市公安局文峰分局" in text
    # Nothing secret but the published demo password: no password hashes.
    assert "md5$" not in text and "pbkdf2" not in text


def test_demo_logins_before_seeding_says_what_to_run(db):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_logins")
