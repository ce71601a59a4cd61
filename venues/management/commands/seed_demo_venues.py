"""Demo venues for the demo city (run after ``seed_demo``): a few crowded places with zones and exits, created
through the venue services, so the responsibility engine puts their duties on departments, townships and
operators as it would for real ones. Idempotent: a venue that exists (same name in the same grid) is skipped."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfWriter

from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Jurisdiction, Organisation
from venues.models import Venue
from venues.services import exit_create, special_equipment_create, venue_create, venue_update, zone_create
from venues.services.documents import venue_document_upload

D = Decimal

# (township code, name, kind, operator credit code or None, lat, lon, address, zones, exits)
# zones: (name, zone kind, usable m², seats); exits: (name, width m, exit kind, indexes of the zones served)
DEMO_VENUES = [
    (
        "410502001",
        "文峰塔广场",
        "square",
        None,
        "36.0968",
        "114.3523",
        "安阳市文峰区东大街",
        [("广场主区", "standing", "5000", None)],
        [("东入口", "4", "level", [0]), ("西入口", "4", "level", [0]), ("南入口", "4", "level", [0])],
    ),
    (
        "410502001",
        "安阳市文峰体育中心体育场",
        "stadium",
        "91410502MA47R8C22Y",
        "36.0841",
        "114.3607",
        "安阳市文峰区文明大道",
        [("东看台", "seated", "3200", 6000), ("西看台", "seated", "3200", 6000), ("内场", "standing", "7000", None)],
        [
            ("1号出口", "3.5", "stairs", [0]),
            ("2号出口", "3.5", "stairs", [0]),
            ("3号出口", "3.5", "stairs", [1]),
            ("4号出口", "3.5", "stairs", [1]),
            ("内场通道", "6", "level", [2]),
            ("南门", "6", "level", [2]),
        ],
    ),
    (
        "410502001",
        "星光KTV（东大街店）",
        "entertainment",
        None,
        "36.0975",
        "114.3490",
        "安阳市文峰区东大街88号",
        [("包房区走廊", "walkway", "420", None)],
        [("正门", "1.8", "level", [0]), ("消防通道", "1.4", "stairs", [0])],
    ),
    (
        "410581101",
        "太行大峡谷景区",
        "scenic_area",
        "91410581MA3TQ6N543",
        "36.0162",
        "113.7011",
        "林州市石板岩镇",
        [("游客中心广场", "standing", "3000", None), ("峡谷栈道", "narrow_passage", "1800", None)],
        [("游客中心出口", "6", "level", [0]), ("北出口", "4", "level", [0]), ("栈道出口", "2.5", "stairs", [1])],
    ),
    (
        "410581001",
        "林州市人民医院门诊楼",
        "hospital",
        None,
        "36.0832",
        "113.8201",
        "林州市开元街道",
        [("门诊大厅", "standing", "1500", None)],
        [("正门", "4", "level", [0]), ("东侧门", "2", "level", [0])],
    ),
]


class Command(BaseCommand):
    help = "Load demo venues into the demo city (idempotent). Run seed_demo first."

    def handle(self, *args, **options):
        created = 0
        for township_code, name, kind, operator_code, lat, lon, address, zones, exits in DEMO_VENUES:
            township = Jurisdiction.objects.filter(code=township_code).first()
            if township is None:
                raise CommandError(_("The demo city is not loaded: run seed_demo first."))
            grid = (
                Jurisdiction.objects.filter(path__startswith=township.path, level=JurisdictionLevel.GRID)
                .order_by("code")
                .first()
            )
            if grid is None or Venue.objects.filter(grid=grid, name=name).exists():
                continue
            operator = Organisation.objects.filter(credit_code=operator_code).first() if operator_code else None
            with transaction.atomic():
                venue = venue_create(
                    actor=None,
                    name=name,
                    kind=kind,
                    grid=grid,
                    address=address,
                    latitude=D(lat),
                    longitude=D(lon),
                    operator=operator,
                )
                made = [
                    zone_create(venue=venue, actor=None, name=z, kind=k, usable_area_m2=D(a), seats=s)
                    for z, k, a, s in zones
                ]
                for exit_name, width, exit_kind, served in exits:
                    exit_create(
                        venue=venue,
                        actor=None,
                        name=exit_name,
                        clear_width_m=D(width),
                        kind=exit_kind,
                        zones=[made[i] for i in served],
                    )
            created += 1
        self.stdout.write(_("Demo venues: %(n)d created.") % {"n": created})
        self._building_safety()

    def _building_safety(self) -> None:
        """Issue 21 point 4, idempotently: the stadium reached its design service life this year (the appraisal
        duties of its operator and the housing department open) and has its completion acceptance and fire-safety
        inspection documents on file; the scenic area's sightseeing lift is past its statutory inspection (the
        market-regulation duty is overdue). A record someone has since edited is left alone."""
        today = timezone.localdate()
        stadium = Venue.objects.filter(name="安阳市文峰体育中心体育场", is_active=True).first()
        if stadium is not None and stadium.built_year is None:
            with transaction.atomic():
                venue_update(
                    venue=stadium,
                    actor=None,
                    data={
                        "built_year": today.year - 50,
                        "design_service_life_years": 50,
                        "completion_acceptance_date": datetime.date(today.year - 50, 9, 1),
                        "completion_acceptance_ref": f"安建竣备字〔{today.year - 50}〕第017号",
                        "fire_inspection_status": "passed",
                        "fire_inspection_date": today - datetime.timedelta(days=120),
                    },
                )
        if stadium is not None and not stadium.documents.exists():
            for kind, name in (
                ("completion_acceptance", "竣工验收备案表.pdf"),
                ("fire_inspection", "消防安全检查合格证.pdf"),
            ):
                venue_document_upload(venue=stadium, actor=None, kind=kind, upload=_pdf(name))
        scenic = Venue.objects.filter(name="太行大峡谷景区", is_active=True).first()
        if scenic is not None and not scenic.special_equipment.exists():
            special_equipment_create(
                venue=scenic,
                actor=None,
                kind="elevator",
                name="游客中心观光电梯",
                registration_no="梯11410581202000017",
                last_inspected_on=today - datetime.timedelta(days=380),
                next_inspection_due=today - datetime.timedelta(days=15),
            )


def _pdf(name: str) -> SimpleUploadedFile:
    """A blank one-page A4 PDF: uploads are parsed by the kernel's check, so a demo file must be a real one."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")
