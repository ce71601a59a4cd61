"""Realistic sample contents of every document kind: for the template gallery (staff preview each kind before
anything is issued), the demo seeding command, the benchmark and the tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from notices.choices import NoticeKind


def sample_context(kind: str, *, today: dt.date | None = None, long: bool = False) -> dict[str, Any]:
    """A sample context for ``kind`` with dates around ``today``. ``long`` makes a permit decision with many
    sessions, zones and conditions (two pages: the benchmark's document)."""
    today = today or dt.date(2026, 11, 27)
    day = dt.timedelta(days=1)
    organizer = "安阳文化演艺有限公司"
    event = "2026安阳跨年音乐会"
    if kind == NoticeKind.PERMIT_APPROVAL:
        sessions = ["2026年12月31日19时30分至2027年1月1日0时30分"]
        # 4,500 a session: a county-level (district) public security organ's permit (Order 505 Art. 12).
        zones = [{"zone": "内场A区", "tickets": 1800}, {"zone": "看台B区", "tickets": 2700}]
        conditions = [
            "按照安全工作方案配备安保人员不少于320名，其中持证保安员不少于200名，统一着装、佩戴标识，活动开始前2小时全部到岗。",
            "入场口设置安全检查通道不少于16条，实行人、物同检，严禁携带管制器具、易燃易爆物品入场。",
            "疏散通道、安全出口保持畅通，不得锁闭、堵塞，应急照明和疏散指示标志完好有效。",
        ]
        if long:
            sessions = [
                "2026年12月30日19时30分至22时30分（彩排开放场）",
                "2026年12月31日19时30分至2027年1月1日0时30分",
                "2027年1月1日14时00分至17时00分",
            ]
            zones = [
                {"zone": "内场A区（站立区）", "tickets": 1800},
                {"zone": "内场B区（座席）", "tickets": 1200},
                {"zone": "东看台", "tickets": 2600},
                {"zone": "西看台", "tickets": 2600},
                {"zone": "北看台", "tickets": 1300},
            ]
            conditions += [
                "内场站立区按每平方米不超过2人设置分区围栏，分区之间设置宽度不小于3米的纵向通道，安排专人实时监测人员密度，达到核准数量时立即停止该区入场。",
                "场馆周边500米范围设置安全缓冲区并标识清楚，落实远端控制、分流限流、疏出阻入、单向通行等措施，散场时分区分批疏散。",
                "临时搭建的舞台、灯光音响架和大型广告牌须经有资质的机构检测合格，活动期间安排专人巡查，遇六级以上大风立即停止使用。",
                "配备不少于4辆救护车及相应医护人员、2辆消防车在场外待命，设置医疗救护点和消防器材存放点，并在显著位置标明。",
                "活动期间每小时向公安机关报告一次现场入场人数和安全情况，发现异常立即报告并启动应急预案。",
                "严格执行实名制售票，不得超范围、超数量发放票证，不得现场售票，严禁伪造、倒卖票证。",
                "主办单位安全责任人应当全程在现场指挥，保持通信畅通，服从公安机关的现场安全管理指令。",
            ]
        return {
            "event_name": event,
            "event_kind": "文艺演出",
            "organizer_name": organizer,
            "venue_name": "安阳市体育中心体育场（安阳市文峰区文明大道东段）",
            "sessions": sessions,
            "approved_capacity": sum(z["tickets"] for z in zones),
            "tickets_by_zone": zones,
            "conditions": conditions,
            "application_number": "AYGA-2026-0158",
            "accepted_on": today - 5 * day,
            "decided_on": today,
        }
    if kind == NoticeKind.PERMIT_REFUSAL:
        return {
            "event_name": "安阳古城灯会",
            "organizer_name": "安阳市古城文化旅游发展有限公司",
            "application_number": "AYGA-2026-0163",
            "accepted_on": today - 6 * day,
            "decided_on": today,
            "reasons": [
                "活动场所主要疏散通道宽度不足3米，经计算最大疏散时间超过8分钟，不能满足预计每场8000人的安全疏散要求。",
                "安全工作方案未明确安全缓冲区的设置及其标志，未制定人员密度监测和限流措施。",
                "未提交场所管理者同意使用场所的证明材料。",
            ],
            "review_authority": "安阳市人民政府",
            "court": "安阳市文峰区人民法院",
        }
    if kind == NoticeKind.ACCEPTANCE:
        return {
            "event_name": event,
            "organizer_name": organizer,
            "application_number": "AYGA-2026-0158",
            "submitted_on": today - 2 * day,
            "accepted_on": today,
            "statutory_decision_due": today + 7 * day,
            "promised_decision_due": today + 5 * day,
        }
    if kind == NoticeKind.NON_ACCEPTANCE:
        return {
            "event_name": "北关区迎新春广场舞展演",
            "organizer_name": "安阳市北关区群众文化协会",
            "application_number": "AYGA-2026-0171",
            "submitted_on": today - day,
            "reasons": [
                "活动预计每场参加人数为600人，不足1000人，依照《大型群众性活动安全管理条例》第二条的规定，不属于大型群众性活动，无需申请安全许可。",
            ],
            "review_authority": "安阳市人民政府",
            "court": "安阳市北关区人民法院",
        }
    if kind == NoticeKind.CORRECTION:
        return {
            "event_name": event,
            "organizer_name": organizer,
            "application_number": "AYGA-2026-0158",
            "submitted_on": today - 2 * day,
            "items": [
                "承办者安全责任人的身份证明复印件。",
                "场所管理者出具的同意使用活动场所的书面证明。",
                "安全工作方案中的消防安全措施、安全缓冲区设置及其标识、入场安全检查措施。",
            ],
            "correction_due": today + 5 * day,
        }
    if kind == NoticeKind.RECTIFICATION_ORDER:
        return {
            "unit_name": "安阳市万达广场商业管理有限公司",
            "venue_name": "安阳万达广场",
            "inspected_on": today - day,
            "hazards": [
                {"description": "二层东侧安全出口被货物堵塞", "location": "二层东侧安全出口", "level": "一般隐患"},
                {
                    "description": "一层中庭疏散指示标志损坏，应急照明不能正常启用",
                    "location": "一层中庭",
                    "level": "一般隐患",
                },
            ],
            "deadline": today + 7 * day,
            "legal_basis": "《中华人民共和国消防法》第十六条、第二十八条和第五十三条",
            "measures_required": [
                "立即清理二层东侧安全出口处堆放的货物，保持疏散通道、安全出口畅通。",
                "更换损坏的疏散指示标志和应急照明灯具，并进行功能测试。",
                "组织全体员工开展一次消防安全培训和疏散演练，形成记录。",
            ],
        }
    if kind == NoticeKind.TASK_ASSIGNMENT:
        return {
            "task_id": 1024,
            "duty_name": "公众聚集场所消防安全检查",
            "subject_label": "安阳万达广场",
            "holder": "安阳市公安局文峰分局治安管理大队",
            "due_date": today + 7 * day,
            "explanation": "依据规则“人员密集场所消防安全检查”（管行业必须管安全），自2026年11月27日起7日内完成。",
            "description": "对场所的疏散通道、安全出口、消防设施和人员密度监测措施进行检查，发现隐患依法责令整改。",
        }
    if kind == NoticeKind.DRILL_NOTICE:
        return {
            "plan_name": "安阳万达广场人员聚集踩踏事故应急预案",
            "scenario": "节假日大客流情况下中庭发生人员拥挤踩踏的疏散与救援",
            "drill_at": dt.datetime(today.year, today.month, today.day, 9, 30) + 8 * day,
            "place": "安阳万达广场一层中庭及东、西疏散通道",
            "participants": [
                "安阳市万达广场商业管理有限公司",
                "文峰区消防救援大队",
                "东大街街道办事处",
                "安阳市人民医院",
            ],
            "requirements": [
                "各参演单位于演练前一日完成人员、装备和通信准备，明确现场指挥和联络人员。",
                "演练期间做好顾客告知和现场秩序维护，确保演练安全，不影响正常经营秩序。",
                "演练结束后5个工作日内提交演练总结和评估报告，针对发现的问题修订应急预案。",
            ],
        }
    if kind == NoticeKind.SITUATION_REPORT:
        return {
            "incident_number": "AY-2026-0007",
            "incident_title": "东大街步行街人员聚集",
            "sequence": 2,
            "level": "Ⅲ级（较大）",
            "commander": "东大街街道办事处 王建国",
            "reported_at": dt.datetime(today.year, today.month, today.day, 20, 40),
            "place": "文峰区东大街步行街中段（钟楼至鼓楼）",
            "situation": "20时30分监测显示步行街中段人流密度达每平方米4.2人，呈上升趋势，钟楼南侧台阶处拥挤。",
            "measures": "已启动应急预案二级响应：北口单向通行，南口限流，钟楼台阶处设置隔离护栏并安排专人疏导。",
            "forces": "公安民警24名、消防救援人员12名、医护人员6名、志愿者30名已到场。",
            "needs": "请求区城管局增派人员20名，协助南口分流。",
            "next_steps": "21时前将中段密度降至每平方米2人以下，持续监测，30分钟后报送下一期情况报告。",
        }
    if kind == NoticeKind.WEEKLY_BRIEFING:
        monday = today - dt.timedelta(days=today.weekday())
        week_from, week_to = monday - 7 * day, monday - day
        weeks = [(week_to - dt.timedelta(weeks=7 - i)).strftime("%m-%d") for i in range(8)]
        return {
            "territory": "安阳市",
            "week_label": f"{week_from.isocalendar()[0]}年第{week_from.isocalendar()[1]}周",
            "week_from": week_from,
            "week_to": week_to,
            "summary": "截至本周一，安阳市共有未办结任务326项，其中逾期41项；上周办结118项，按期办结率86%。"
            "上周督办12次，已阅9次；无人可接收提醒的责任主体1个。上周新登记人员聚集23起，当前红色1起、橙色3起；"
            "上周预警5条，新发突发事件1起。",
            "figures": {
                "open": 326,
                "overdue": 41,
                "due_soon": 37,
                "done": 118,
                "on_time": 101,
                "on_time_percent": 86,
                "median_days_overdue": 4.0,
                "escalations": 12,
                "escalations_acknowledged": 9,
                "gaps": 1,
                "gatherings_reported": 23,
                "gatherings_red": 1,
                "gatherings_orange": 3,
                "venues_red": 2,
                "venues_orange": 7,
                "hazards_major": 1,
                "hazards_overdue": 4,
                "alerts": 5,
                "incidents": 1,
                "open_incidents": 1,
            },
            "overdue_chart": {
                "categories": ["公安", "消防救援", "市场监管", "文化和旅游", "乡镇（街道）本级"],
                "series": [
                    {"name": "未办结", "color": "#90a4ae", "data": [96, 58, 71, 44, 57]},
                    {"name": "逾期", "color": "#c62828", "data": [12, 6, 9, 5, 9]},
                ],
            },
            "trend": {
                "unit": "%",
                "max": 100,
                "categories": weeks,
                "series": [{"name": "合计", "color": "#212121", "data": [78, 81, 80, 84, 83, 85, 88, 86]}],
            },
            "levels": {
                "stacked": True,
                "categories": ["文峰区", "北关区", "殷都区", "龙安区", "林州市"],
                "series": [
                    {"name": "重大风险", "color": "#c62828", "data": [1, 0, 0, 0, 0]},
                    {"name": "较大风险", "color": "#ef6c00", "data": [2, 1, 0, 0, 0]},
                    {"name": "一般风险", "color": "#f9a825", "data": [3, 2, 1, 1, 2]},
                    {"name": "低风险", "color": "#1565c0", "data": [4, 3, 2, 2, 3]},
                ],
            },
            "overdue": [
                {
                    "key": "public_security",
                    "label": "公安",
                    "overdue": 12,
                    "items": [
                        {
                            "duty": "大型群众性活动安全许可现场检查",
                            "subject": "安阳体育中心演唱会",
                            "place": "文峰区",
                            "holder": "安阳市公安局文峰分局",
                            "due": (today - 9 * day).isoformat(),
                            "days_late": 9,
                        }
                    ],
                }
            ],
            "alerts": [
                {"at": f"{week_to:%Y-%m-%d} 19:42", "level": "橙色", "title": "东大街步行街 密度", "source": "人流监测"}
            ],
            "incidents": [
                {
                    "number": "AY-2026-0007",
                    "title": "东大街步行街人员聚集",
                    "level": "Ⅲ级（较大）",
                    "status": "已结束",
                    "opened_at": f"{week_to:%Y-%m-%d} 20:31",
                }
            ],
            "outlook": {
                "key_dates": [
                    {
                        "name": "元旦",
                        "starts_on": (week_to + 4 * day).isoformat(),
                        "ends_on": (week_to + 6 * day).isoformat(),
                    }
                ],
                "large_events": [],
            },
        }
    if kind == NoticeKind.INSPECTION_RECORD:
        return {
            "inspected": "星光KTV（东大街店）",
            "checklist": "歌舞娱乐场所安全检查表（V1）",
            "inspected_on": today - day,
            "departments": ["安阳市公安局文峰分局", "文峰区消防救援大队"],
            "signatures": ["安阳市公安局文峰分局：孙悦", "文峰区消防救援大队：何明（已当场告知场所负责人）"],
            "answered": 14,
            "failed_items": [
                "安全出口与疏散通道：安全出口、疏散通道畅通，无锁闭、堵塞、占用（重大；依据：《中华人民共和国消防法》"
                "第二十八条）——北侧安全出口上锁",
                "消防设施器材：灭火器配置齐全、压力正常、在有效期内（较大；依据：GB 50140-2005"
                "《建筑灭火器配置设计规范》）",
            ],
            "conclusion": "发现不合格项2项，须按期整改",
        }
    raise ValueError(kind)


def sample_recipient(kind: str) -> str:
    context = sample_context(kind)
    if kind == NoticeKind.WEEKLY_BRIEFING:
        return f"{context['territory']}各位领导"
    return context.get("organizer_name") or context.get("unit_name") or context.get("holder") or "各参演单位"
