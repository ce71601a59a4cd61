"""Demo inspections for the demo city (run after ``seed_demo``, ``seed_demo_venues`` and ``seed_demo_notices``),
made through the inspection services as the people would make them:

- a joint inspection of 星光KTV（东大街店） by 文峰分局 (demo_inspector) and 文峰区消防救援大队 (demo_fire): the locked
  north exit (重大) became a major hazard supervised by 文化广电和旅游局, an expired extinguisher (较大) an ordinary
  one; both parts signed, so it is completed and its record (安全检查记录) issued;
- an inspection of 安阳市文峰体育中心体育场 by the street's township officer (demo_township), everything in order;
- an inspection of 文峰塔广场 started by demo_township and half filled in: open it on a phone to finish it.

Demo user it adds (password crowdsafe-demo): demo_inspector (孙悦, 文峰分局, 安全检查员). Idempotent: an inspection
is recognised by its venue and the person who started it; it never touches one it did not make.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from crowdsafe.org import services as org_services
from crowdsafe.org.choices import Role
from crowdsafe.org.demo_data import DEMO_PASSWORD
from crowdsafe.org.models import Department, Membership
from inspections import services
from inspections.models import Inspection, InspectionAnswer, InspectionPart
from notices.selectors import notices_for
from notices.services import notice_render
from venues.models import Venue

INSPECTOR = "demo_inspector"
FIRE = "demo_fire"
TOWNSHIP = "demo_township"
POLICE = ("410502", "安阳市公安局文峰分局")
PLACE = ("36.097512", "114.349021")


def _photo(name: str) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _answers(inspection: Inspection, *, failed: dict[str, str], numbers: dict[str, str] | None = None) -> list[dict]:
    rows = []
    for item in inspection.template.items.all():
        if item.answer_kind == "number":
            value = (numbers or {}).get(item.key) or str((item.threshold or 0) + 1)
            rows.append({"item": item.pk, "number": value})
        elif item.key in failed:
            rows.append({"item": item.pk, "answer": "no", "note": failed[item.key]})
        else:
            rows.append({"item": item.pk, "answer": "yes"})
    return rows


def _photos(inspection: Inspection) -> dict[int, list[Any]]:
    return {i.pk: [_photo(f"{i.key}.png")] for i in inspection.template.items.filter(photo_required=True)}


class Command(BaseCommand):
    help = "Seeds demo safety inspections (issue 21) for the demo city."

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        township = User.objects.filter(username=TOWNSHIP).first()
        fire = User.objects.filter(username=FIRE).first()
        ktv = Venue.objects.filter(name="星光KTV（东大街店）").first()
        stadium = Venue.objects.filter(name="安阳市文峰体育中心体育场").first()
        square = Venue.objects.filter(name="文峰塔广场").first()
        if None in (township, fire, ktv, stadium, square):
            self.stdout.write("没有演示城市或演示场所：请先运行 seed_demo 和 seed_demo_venues。")
            return
        inspector = self._inspector()
        made = []
        fire_department = Department.objects.filter(jurisdiction__code="410502", name="文峰区消防救援大队").first()
        if not Inspection.objects.filter(venue=ktv, started_by=inspector).exists():
            with transaction.atomic():
                inspection = services.inspection_start(
                    actor=inspector, venue=ktv, departments=[fire_department] if fire_department else []
                )
                services.answers_submit(
                    inspection=inspection,
                    actor=inspector,
                    key=uuid.uuid4(),
                    answers=_answers(
                        inspection,
                        failed={"exits_open": "北侧安全出口上锁，堆放酒水", "fire_extinguishers": "2具灭火器压力不足"},
                    ),
                    photos=_photos(inspection),
                    latitude=PLACE[0],
                    longitude=PLACE[1],
                )
                for answer in InspectionAnswer.objects.filter(inspection=inspection, passed=False):
                    services.answer_to_hazard(answer=answer, actor=inspector)
                for part in InspectionPart.objects.filter(inspection=inspection).select_related("department"):
                    signer = fire if part.department == fire_department else inspector
                    services.part_sign(part=part, actor=signer, note="已当场告知场所负责人")
            for notice in notices_for(inspection):
                notice_render(notice_id=notice.pk)
            made.append(inspection)
        if not Inspection.objects.filter(venue=stadium, started_by=township).exists():
            with transaction.atomic():
                inspection = services.inspection_start(actor=township, venue=stadium)
                services.answers_submit(
                    inspection=inspection,
                    actor=township,
                    key=uuid.uuid4(),
                    answers=_answers(inspection, failed={"steps_guides": "东看台台阶未安排疏导人员"}),
                    photos=_photos(inspection),
                )
                if inspection.parts.exists():
                    for part in inspection.parts.all():
                        services.part_sign(part=part, actor=township)
                else:
                    services.inspection_complete(inspection=inspection, actor=township)
            made.append(inspection)
        if not Inspection.objects.filter(venue=square, started_by=township).exists():
            inspection = services.inspection_start(actor=township, venue=square)
            first = inspection.template.sections.order_by("order").first()
            if first is not None:
                services.answers_submit(
                    inspection=inspection,
                    actor=township,
                    key=uuid.uuid4(),
                    answers=[{"item": i.pk, "answer": "yes"} for i in first.items.filter(answer_kind="yes_no")],
                )
            made.append(inspection)
        if made:
            self.stdout.write(
                f"已载入演示安全检查 {len(made)} 次（检查员 {INSPECTOR}，联合检查：{FIRE}；"
                f"{TOWNSHIP} 有一次检查待填写）。"
            )
        else:
            self.stdout.write("演示安全检查已存在。")

    def _inspector(self) -> Any:
        User = get_user_model()
        user = User.objects.filter(username=INSPECTOR).first()
        if user is None:
            user = User.objects.create(username=INSPECTOR, full_name="孙悦", password=make_password(DEMO_PASSWORD))
        police = Department.objects.filter(jurisdiction__code=POLICE[0], name=POLICE[1]).first()
        if police is not None and not Membership.objects.filter(user=user, role=Role.STAFF, department=police).exists():
            org_services.membership_add(user=user, role=Role.STAFF, department=police, title="安全检查员", actor=None)
        return user
