"""Document numbers (发文字号) 代字〔year〕N号: the 代字 an issuer uses for a kind, the gapless serial, and the public
security organ one level up that permit decisions are copied to."""

from __future__ import annotations

from django.db import transaction

from crowdsafe.org.access import ancestor_paths
from crowdsafe.org.choices import DepartmentKind
from crowdsafe.org.models import Department
from notices.kinds import spec_for
from notices.models import NumberCounter, NumberingScheme

# One or two characters for a department's kind in a default 代字: 安阳市公安局 → 安公, 梅河口市消防救援大队 → 梅消.
KIND_ABBREVIATIONS = {
    DepartmentKind.PUBLIC_SECURITY: "公",
    DepartmentKind.FIRE_RESCUE: "消",
    DepartmentKind.EMERGENCY: "应急",
    DepartmentKind.MARKET_REGULATION: "市监",
    DepartmentKind.HOUSING: "建",
    DepartmentKind.CULTURE_TOURISM: "文旅",
    DepartmentKind.EDUCATION: "教",
    DepartmentKind.TRANSPORT: "交",
    DepartmentKind.CIVIL_AFFAIRS: "民",
    DepartmentKind.HEALTH: "卫",
    DepartmentKind.TOWNSHIP_GOVERNMENT: "政",
    DepartmentKind.OTHER: "",
}

# Provinces by the first two digits of the division code (GB/T 2260), for the organ above a city at the root of
# the tree: a permit decision of 安阳市公安局 is copied to 河南省公安厅.
PROVINCES = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
MUNICIPALITIES = {"11", "12", "31", "50"}  # their public security organ is a 公安局, the provinces' a 公安厅


def default_prefix(issuer: Department, kind: str) -> str:
    """The 代字 used when the administrator set none: the first character of the issuer's territory, its kind's
    abbreviation and the document kind's suffix (安阳市公安局, permit decision → 安公许)."""
    territory = issuer.jurisdiction.name[:1]
    return f"{territory}{KIND_ABBREVIATIONS.get(issuer.kind, '')}{spec_for(kind).prefix_suffix}"


def prefix_for(issuer: Department, kind: str) -> str:
    scheme = NumberingScheme.objects.filter(issuer=issuer, kind=kind).values_list("prefix", flat=True).first()
    return scheme or default_prefix(issuer, kind)


def format_number(prefix: str, year: int, serial: int) -> str:
    """安公许〔2026〕12号: the year in full in hexagonal brackets (六角括号), the serial without leading zeros
    (GB/T 9704-2012 7.2.4)."""
    return f"{prefix}〔{year}〕{serial}号"


def take_serial(*, issuer: Department, kind: str, year: int) -> int:
    """The next serial number of (issuer, kind, year), taken inside the caller's transaction.

    Two races are closed here:

    - Two issues at once (two reviewers deciding two permits of the same bureau) would both read N and both
      write N+1. The counter row is locked with SELECT … FOR UPDATE, so the second waits until the first's
      transaction ends and then reads the committed N+1. The number is gapless because the increment commits or
      rolls back together with the document: a failed issue gives its number back.
    - The first issue of a year finds no counter row, and two such issues would both INSERT it. The row is
      created with INSERT … ON CONFLICT DO NOTHING: the second insert waits on the first's uncommitted row and
      then does nothing, and both go on to lock the one row. (``get_or_create`` would instead raise an
      IntegrityError in the second transaction, after its savepoint had already waited.)

    The lock is held until the caller's transaction commits; issuing inside a long transaction therefore
    serialises the issuer's documents of that kind — the price of numbers without gaps.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_serial must run inside transaction.atomic()")
    lookup = {"issuer": issuer, "kind": kind, "year": year}
    counter = NumberCounter.objects.select_for_update().filter(**lookup).first()
    if counter is None:
        NumberCounter.objects.bulk_create([NumberCounter(**lookup)], ignore_conflicts=True)
        counter = NumberCounter.objects.select_for_update().get(**lookup)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial


def next_level_public_security(issuer: Department) -> str | None:
    """The public security organ one level above the issuer (上一级公安机关), by name: the nearest active public
    security department in the jurisdictions above the issuer's (文峰分局 → 安阳市公安局); above a city at the
    root of the tree, the province's department (安阳市公安局 → 河南省公安厅). None when the province is unknown."""
    paths = ancestor_paths(issuer.jurisdiction.path)
    if paths:
        department = (
            Department.objects.filter(kind=DepartmentKind.PUBLIC_SECURITY, is_active=True, jurisdiction__path__in=paths)
            .exclude(pk=issuer.pk)
            .order_by("-jurisdiction__depth", "name")
            .values_list("name", flat=True)
            .first()
        )
        if department:
            return department
    root_code = issuer.jurisdiction.city_code
    province = PROVINCES.get(root_code[:2])
    if province is None:
        return None
    return f"{province}公安{'局' if root_code[:2] in MUNICIPALITIES else '厅'}"
