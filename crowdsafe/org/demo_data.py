"""The demo city: 安阳市 with its nine districts and counties, and 梅河口市 as a second city (``seed_demo``).

Codes. The city and district/county codes are the official statistical division codes (国家统计局统计用区划代码):
安阳市 410500, 文峰区 410502, 北关区 410503, 殷都区 410505, 龙安区 410506, 安阳县 410522, 汤阴县 410523,
滑县 410526, 内黄县 410527, 林州市 410581, and 梅河口市 220581. The townships and streets are real ones of
each district; their 9-digit codes follow the official pattern (county code + 001–099 for a street, 100–199 for
a town, 200+ for a township) and are demo values where the exact official code could not be verified. Below
them, communities and villages (12 digits: township code + 001–199 for a community, 200+ for a village) and
their names are illustrative, and each community has two grids (its code + G01, G02).

Names. Departments carry the usual official names of those agencies. The organisations are fictional; their
unified social credit codes are well formed, with both check characters computed per GB 32100-2015 and
GB 11714, but belong to no real company. The demo users' names are common names, not real officials.

Everything here is plain data; ``crowdsafe/org/management/commands/seed_demo.py`` turns it into rows through
the services in ``crowdsafe.org.services``.
"""

from __future__ import annotations

from crowdsafe.org.choices import DepartmentKind, OrganisationKind, Role

K = DepartmentKind

# The one password of every demo user, set only when the user is first created. Printed by ``demo_logins``.
DEMO_PASSWORD = "crowdsafe-demo"

# Every community gets these grids: code suffix and name suffix.
GRIDS = (("G01", "第一网格"), ("G02", "第二网格"))

# Kinds of department that every city and every district/county has (township governments come from the
# townships themselves; "other" is for what does not fit).
LINE_DEPARTMENT_KINDS = tuple(kind for kind in DepartmentKind if kind not in (K.TOWNSHIP_GOVERNMENT, K.OTHER))


def grids(community_code: str, community_name: str) -> list[tuple[str, str]]:
    """The demo grids of one community: (code, name)."""
    return [(community_code + suffix, community_name + name) for suffix, name in GRIDS]


def township_government_name(township_name: str) -> str:
    """A street's agency is its 街道办事处; a town's or township's is its 人民政府."""
    return township_name + ("办事处" if township_name.endswith("街道") else "人民政府")


def _district_departments(name: str, *, police: str) -> list[tuple[str, str]]:
    """The line departments of one district or county. An urban district's police is a branch of the city
    bureau (安阳市公安局文峰分局); a county's or county-level city's has its own bureau (林州市公安局)."""
    return [
        (K.PUBLIC_SECURITY, police),
        (K.FIRE_RESCUE, f"{name}消防救援大队"),
        (K.EMERGENCY, f"{name}应急管理局"),
        (K.MARKET_REGULATION, f"{name}市场监督管理局"),
        (K.HOUSING, f"{name}住房和城乡建设局"),
        (K.CULTURE_TOURISM, f"{name}文化广电和旅游局"),
        (K.EDUCATION, f"{name}教育局"),
        (K.TRANSPORT, f"{name}交通运输局"),
        (K.CIVIL_AFFAIRS, f"{name}民政局"),
        (K.HEALTH, f"{name}卫生健康委员会"),
    ]


# A city: code, name, its own departments, its districts (each with departments and townships) and any
# townships directly under it (a county-level city such as 梅河口市 as a root). A township lists its
# communities as (code, name).
ANYANG = {
    "code": "410500",
    "name": "安阳市",
    "departments": [
        (K.PUBLIC_SECURITY, "安阳市公安局"),
        (K.FIRE_RESCUE, "安阳市消防救援支队"),
        (K.EMERGENCY, "安阳市应急管理局"),
        (K.MARKET_REGULATION, "安阳市市场监督管理局"),
        (K.HOUSING, "安阳市住房和城乡建设局"),
        (K.CULTURE_TOURISM, "安阳市文化广电和旅游局"),
        (K.EDUCATION, "安阳市教育局"),
        (K.TRANSPORT, "安阳市交通运输局"),
        (K.CIVIL_AFFAIRS, "安阳市民政局"),
        (K.HEALTH, "安阳市卫生健康委员会"),
    ],
    "districts": [
        {
            "code": "410502",
            "name": "文峰区",
            "departments": _district_departments("文峰区", police="安阳市公安局文峰分局"),
            "townships": [
                {
                    "code": "410502001",
                    "name": "东大街街道",
                    "communities": [("410502001001", "东大街社区"), ("410502001002", "仓巷社区")],
                },
                {
                    "code": "410502002",
                    "name": "西大街街道",
                    "communities": [("410502002001", "西大街社区"), ("410502002002", "鼓楼社区")],
                },
                {
                    "code": "410502003",
                    "name": "南关街道",
                    "communities": [("410502003001", "南关社区"), ("410502003002", "东南营社区")],
                },
                {
                    "code": "410502100",
                    "name": "宝莲寺镇",
                    "communities": [("410502100001", "宝莲寺社区"), ("410502100201", "东郭村")],
                },
            ],
        },
        {
            "code": "410503",
            "name": "北关区",
            "departments": _district_departments("北关区", police="安阳市公安局北关分局"),
            "townships": [
                {
                    "code": "410503001",
                    "name": "红旗路街道",
                    "communities": [("410503001001", "红旗路社区"), ("410503001002", "人民大道社区")],
                },
                {
                    "code": "410503002",
                    "name": "解放路街道",
                    "communities": [("410503002001", "解放路社区"), ("410503002002", "北关社区")],
                },
                {
                    "code": "410503003",
                    "name": "灯塔路街道",
                    "communities": [("410503003001", "灯塔路社区"), ("410503003002", "自由路社区")],
                },
                {
                    "code": "410503100",
                    "name": "柏庄镇",
                    "communities": [("410503100001", "柏庄社区"), ("410503100201", "柏庄村")],
                },
            ],
        },
        {
            "code": "410505",
            "name": "殷都区",
            "departments": _district_departments("殷都区", police="安阳市公安局殷都分局"),
            "townships": [
                {
                    "code": "410505001",
                    "name": "梅园庄街道",
                    "communities": [("410505001001", "梅园庄社区"), ("410505001002", "铁西路社区")],
                },
                {
                    "code": "410505002",
                    "name": "李珍街道",
                    "communities": [("410505002001", "李珍社区"), ("410505002002", "钢城社区")],
                },
                {
                    "code": "410505003",
                    "name": "电厂路街道",
                    "communities": [("410505003001", "电厂路社区"), ("410505003002", "安钢大道社区")],
                },
                {
                    "code": "410505100",
                    "name": "水冶镇",
                    "communities": [("410505100001", "水冶社区"), ("410505100201", "北街村")],
                },
            ],
        },
        {
            "code": "410506",
            "name": "龙安区",
            "departments": _district_departments("龙安区", police="安阳市公安局龙安分局"),
            "townships": [
                {
                    "code": "410506001",
                    "name": "田村街道",
                    "communities": [("410506001001", "田村社区"), ("410506001002", "龙安社区")],
                },
                {
                    "code": "410506002",
                    "name": "彰武街道",
                    "communities": [("410506002001", "彰武社区"), ("410506002002", "文明大道社区")],
                },
                {
                    "code": "410506100",
                    "name": "龙泉镇",
                    "communities": [("410506100001", "龙泉社区"), ("410506100201", "龙泉村")],
                },
                {
                    "code": "410506101",
                    "name": "善应镇",
                    "communities": [("410506101001", "善应社区"), ("410506101201", "善应村")],
                },
            ],
        },
        {
            "code": "410522",
            "name": "安阳县",
            "departments": _district_departments("安阳县", police="安阳县公安局"),
            "townships": [
                {
                    "code": "410522100",
                    "name": "白璧镇",
                    "communities": [("410522100001", "白璧社区"), ("410522100201", "白璧村")],
                },
                {
                    "code": "410522101",
                    "name": "吕村镇",
                    "communities": [("410522101001", "吕村社区"), ("410522101201", "吕村")],
                },
                {
                    "code": "410522102",
                    "name": "崔家桥镇",
                    "communities": [("410522102001", "崔家桥社区"), ("410522102201", "崔家桥村")],
                },
                {
                    "code": "410522200",
                    "name": "瓦店乡",
                    "communities": [("410522200201", "瓦店村"), ("410522200202", "东瓦店村")],
                },
            ],
        },
        {
            "code": "410523",
            "name": "汤阴县",
            "departments": _district_departments("汤阴县", police="汤阴县公安局"),
            "townships": [
                {
                    "code": "410523100",
                    "name": "城关镇",
                    "communities": [("410523100001", "人民路社区"), ("410523100002", "岳庙社区")],
                },
                {
                    "code": "410523101",
                    "name": "菜园镇",
                    "communities": [("410523101001", "菜园社区"), ("410523101201", "菜园村")],
                },
                {
                    "code": "410523102",
                    "name": "宜沟镇",
                    "communities": [("410523102001", "宜沟社区"), ("410523102201", "宜沟村")],
                },
                {
                    "code": "410523200",
                    "name": "瓦岗乡",
                    "communities": [("410523200201", "瓦岗村"), ("410523200202", "北瓦岗村")],
                },
            ],
        },
        {
            "code": "410526",
            "name": "滑县",
            "departments": _district_departments("滑县", police="滑县公安局"),
            "townships": [
                {
                    "code": "410526100",
                    "name": "道口镇",
                    "communities": [("410526100001", "道口社区"), ("410526100002", "顺河社区")],
                },
                {
                    "code": "410526101",
                    "name": "白道口镇",
                    "communities": [("410526101001", "白道口社区"), ("410526101201", "白道口村")],
                },
                {
                    "code": "410526102",
                    "name": "留固镇",
                    "communities": [("410526102001", "留固社区"), ("410526102201", "留固村")],
                },
                {
                    "code": "410526103",
                    "name": "八里营镇",
                    "communities": [("410526103001", "八里营社区"), ("410526103201", "八里营村")],
                },
            ],
        },
        {
            "code": "410527",
            "name": "内黄县",
            "departments": _district_departments("内黄县", police="内黄县公安局"),
            "townships": [
                {
                    "code": "410527100",
                    "name": "城关镇",
                    "communities": [("410527100001", "城关社区"), ("410527100002", "繁阳社区")],
                },
                {
                    "code": "410527101",
                    "name": "楚旺镇",
                    "communities": [("410527101001", "楚旺社区"), ("410527101201", "楚旺村")],
                },
                {
                    "code": "410527102",
                    "name": "井店镇",
                    "communities": [("410527102001", "井店社区"), ("410527102201", "井店村")],
                },
                {
                    "code": "410527200",
                    "name": "亳城乡",
                    "communities": [("410527200201", "亳城村"), ("410527200202", "东亳城村")],
                },
            ],
        },
        {
            "code": "410581",
            "name": "林州市",
            "departments": _district_departments("林州市", police="林州市公安局"),
            "townships": [
                {
                    "code": "410581001",
                    "name": "开元街道",
                    "communities": [("410581001001", "开元社区"), ("410581001002", "红旗渠大道社区")],
                },
                {
                    "code": "410581002",
                    "name": "振林街道",
                    "communities": [("410581002001", "振林社区"), ("410581002002", "太行社区")],
                },
                {
                    "code": "410581100",
                    "name": "任村镇",
                    "communities": [("410581100001", "任村社区"), ("410581100201", "盘阳村")],
                },
                {
                    "code": "410581101",
                    "name": "石板岩镇",
                    "communities": [("410581101001", "石板岩社区"), ("410581101201", "桃花洞村")],
                },
            ],
        },
    ],
    "townships": [],
}

# 梅河口市, a county-level city, stands as a root city of its own: city-level departments and townships
# directly under it.
MEIHEKOU = {
    "code": "220581",
    "name": "梅河口市",
    "departments": [
        (K.PUBLIC_SECURITY, "梅河口市公安局"),
        (K.FIRE_RESCUE, "梅河口市消防救援大队"),
        (K.EMERGENCY, "梅河口市应急管理局"),
        (K.MARKET_REGULATION, "梅河口市市场监督管理局"),
        (K.HOUSING, "梅河口市住房和城乡建设局"),
        (K.CULTURE_TOURISM, "梅河口市文化广播电视和旅游局"),
        (K.EDUCATION, "梅河口市教育局"),
        (K.TRANSPORT, "梅河口市交通运输局"),
        (K.CIVIL_AFFAIRS, "梅河口市民政局"),
        (K.HEALTH, "梅河口市卫生健康局"),
    ],
    "districts": [],
    "townships": [
        {
            "code": "220581001",
            "name": "新华街道",
            "communities": [("220581001001", "新华社区"), ("220581001002", "东方社区")],
        },
        {
            "code": "220581100",
            "name": "山城镇",
            "communities": [("220581100001", "山城社区"), ("220581100201", "山城村")],
        },
        {
            "code": "220581101",
            "name": "红梅镇",
            "communities": [("220581101001", "红梅社区"), ("220581101201", "红梅村")],
        },
        {
            "code": "220581102",
            "name": "海龙镇",
            "communities": [("220581102001", "海龙社区"), ("220581102201", "海龙村")],
        },
    ],
}

# Fictional outside bodies, each registered in a district or city (given by its code).
ORGANISATIONS = [
    {
        "city": "410500",
        "name": "安阳市洹河文化演艺有限公司",
        "kind": OrganisationKind.ORGANIZER,
        "credit_code": "91410502MA9XK3L04M",
        "jurisdiction": "410502",
        "address": "安阳市文峰区中华路",
        "safety_officer_name": "王建国",
        "safety_officer_phone": "13800000101",
    },
    {
        "city": "410500",
        "name": "安阳市文峰体育场馆运营管理有限公司",
        "kind": OrganisationKind.VENUE_OPERATOR,
        "credit_code": "91410502MA47R8C22Y",
        "jurisdiction": "410502",
        "address": "安阳市文峰区文明大道",
        "safety_officer_name": "刘志强",
        "safety_officer_phone": "13800000102",
    },
    {
        "city": "410500",
        "name": "林州市太行山水旅游开发有限公司",
        "kind": OrganisationKind.BOTH,
        "credit_code": "91410581MA3TQ6N543",
        "jurisdiction": "410581",
        "address": "林州市石板岩镇",
        "safety_officer_name": "郭振华",
        "safety_officer_phone": "13800000103",
    },
    {
        "city": "220581",
        "name": "梅河口市东方会展服务有限公司",
        "kind": OrganisationKind.ORGANIZER,
        "credit_code": "91220581MA0YB7E495",
        "jurisdiction": "220581",
        "address": "梅河口市新华街道",
        "safety_officer_name": "于海波",
        "safety_officer_phone": "13800000104",
    },
]

# One demo user per role (and one in the second city). The anchor is what the role needs: a department
# (jurisdiction code + name), a jurisdiction (code) or an organisation (credit code).
DEMO_USERS = [
    {
        "city": "410500",
        "username": "demo_staff",
        "full_name": "张伟",
        "role": Role.STAFF,
        "department": ("410502", "安阳市公安局文峰分局"),
        "title": "民警",
        # On the branch's on-duty desk (值班): urgent alerts of its territory reach the people on duty first.
        "on_duty": True,
    },
    {
        "city": "410500",
        "username": "demo_head",
        "full_name": "李建华",
        "role": Role.HEAD,
        "department": ("410502", "安阳市公安局文峰分局"),
        "title": "分局局长",
    },
    {
        "city": "410500",
        "username": "demo_grid",
        "full_name": "王芳",
        "role": Role.GRID_WORKER,
        "jurisdiction": "410502001001G01",
        "title": "专职网格员",
    },
    {
        "city": "410500",
        "username": "demo_township",
        "full_name": "赵磊",
        "role": Role.TOWNSHIP_OFFICER,
        "jurisdiction": "410502001",
        "title": "平安建设办公室主任",
    },
    # The same person works in the street's office (街道办事处), which holds the street's tasks: without this
    # membership nobody could receive that department's reminders.
    {
        "city": "410500",
        "username": "demo_township",
        "full_name": "赵磊",
        "role": Role.STAFF,
        "department": ("410502001", "东大街街道办事处"),
        "title": "平安建设办公室主任",
    },
    # 安阳市公安局 licenses events of 5,000 people or more (Order 505 Art. 12): a reviewer and the head who signs.
    {
        "city": "410500",
        "username": "demo_city_police",
        "full_name": "马超",
        "role": Role.STAFF,
        "department": ("410500", "安阳市公安局"),
        "title": "治安管理支队民警",
        "on_duty": True,
    },
    {
        "city": "410500",
        "username": "demo_city_police_head",
        "full_name": "高志远",
        "role": Role.HEAD,
        "department": ("410500", "安阳市公安局"),
        "title": "治安管理支队支队长",
    },
    # The departments that join site inspections (联合踏勘) and receive red alerts.
    {
        "city": "410500",
        "username": "demo_city_fire",
        "full_name": "郑凯",
        "role": Role.STAFF,
        "department": ("410500", "安阳市消防救援支队"),
        "title": "防火监督员",
    },
    {
        "city": "410500",
        "username": "demo_fire",
        "full_name": "何明",
        "role": Role.STAFF,
        "department": ("410502", "文峰区消防救援大队"),
        "title": "防火监督员",
    },
    {
        "city": "410500",
        "username": "demo_emergency",
        "full_name": "罗丹",
        "role": Role.STAFF,
        "department": ("410502", "文峰区应急管理局"),
        "title": "应急值守科科员",
        "on_duty": True,
    },
    {
        "city": "410500",
        "username": "demo_market",
        "full_name": "梁晓",
        "role": Role.STAFF,
        "department": ("410502", "文峰区市场监督管理局"),
        "title": "特种设备安全监察员",
    },
    {
        "city": "410500",
        "username": "demo_housing",
        "full_name": "宋佳",
        "role": Role.STAFF,
        "department": ("410502", "文峰区住房和城乡建设局"),
        "title": "建设工程安全监督员",
    },
    # Culture and tourism joins the joint site inspection of performances (the rules name it for the stadium's
    # events): without a login here a performance could not be decided.
    {
        "city": "410500",
        "username": "demo_culture",
        "full_name": "孙悦",
        "role": Role.STAFF,
        "department": ("410502", "文峰区文化广电和旅游局"),
        "title": "文化市场综合执法员",
    },
    {
        "city": "410500",
        "username": "demo_leader",
        "full_name": "陈静",
        "role": Role.LEADER,
        "jurisdiction": "410502",
        "title": "副区长",
    },
    {
        "city": "410500",
        "username": "demo_admin",
        "full_name": "刘洋",
        "role": Role.ADMIN,
        "jurisdiction": "410500",
        "title": "系统管理员",
        # May sign in to /admin/, where a city's system administrator manages their own city.
        "is_staff": True,
    },
    {
        "city": "410500",
        "username": "demo_organizer",
        "full_name": "孙浩",
        "role": Role.ORGANIZER,
        "organisation": "91410502MA9XK3L04M",
        "title": "项目经理",
    },
    {
        "city": "410500",
        "username": "demo_operator",
        "full_name": "周敏",
        "role": Role.VENUE_OPERATOR,
        "organisation": "91410502MA47R8C22Y",
        "title": "场馆安全主管",
    },
    {
        "city": "220581",
        "username": "demo_mhk",
        "full_name": "吴刚",
        "role": Role.TOWNSHIP_OFFICER,
        "jurisdiction": "220581100",
        "title": "应急办主任",
    },
]

CITIES = [ANYANG, MEIHEKOU]
