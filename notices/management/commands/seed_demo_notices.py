"""Demo official documents for the demo city (run after ``seed_demo`` and ``seed_demo_venues``): a permit
decision, an acceptance notice and a refusal, a rectification order, a drill notice and a task assignment sheet,
issued through ``notice_issue`` as their departments would issue them, and rendered at once. Idempotent: a
document of the same kind by the same department about the same subject is not issued again."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.org.models import Department, Organisation
from notices import services
from notices.choices import NoticeKind
from notices.demo import sample_context
from notices.models import Notice

K = NoticeKind

ORGANIZER = "91410502MA9XK3L04M"  # 安阳市洹河文化演艺有限公司
STADIUM_OPERATOR = "91410502MA47R8C22Y"  # 安阳市文峰体育场馆运营管理有限公司
SCENIC_OPERATOR = "91410581MA3TQ6N543"  # 林州市太行山水旅游开发有限公司


class Command(BaseCommand):
    help = "Issue demo official documents in the demo city (idempotent). Run seed_demo and seed_demo_venues first."

    def handle(self, *args, **options):
        self.today = timezone.localdate()
        self.issued = 0
        organizer = self._organisation(ORGANIZER)
        staff = get_user_model().objects.filter(username="demo_staff").first()
        head = get_user_model().objects.filter(username="demo_head").first()
        district_police = self._department("410502", "安阳市公安局文峰分局")
        city_police = self._department("410500", "安阳市公安局")

        self._issue(
            K.ACCEPTANCE,
            issuer=district_police,
            subject=organizer,
            actor=staff,
            context={"organizer_name": organizer.name},
        )
        self._issue(
            K.PERMIT_APPROVAL,
            issuer=district_police,
            subject=organizer,
            actor=head,
            context={"organizer_name": organizer.name},
            copy_to=["文峰区应急管理局", "文峰区消防救援大队"],
            attachments=["活动场所分区及疏散示意图"],
        )
        scenic = self._organisation(SCENIC_OPERATOR)
        self._issue(
            K.PERMIT_REFUSAL,
            issuer=city_police,
            subject=scenic,
            actor=None,
            recipient=scenic.name,
            context={"organizer_name": scenic.name, "event_name": "太行大峡谷星空音乐节", "court": "林州市人民法院"},
        )

        stadium = self._venue("安阳市文峰体育中心体育场")
        if stadium is not None:
            operator = self._organisation(STADIUM_OPERATOR)
            self._issue(
                K.RECTIFICATION_ORDER,
                issuer=self._department("410502", "文峰区消防救援大队"),
                subject=stadium,
                actor=None,
                recipient=operator.name,
                context={"unit_name": operator.name, "venue_name": stadium.name},
            )
            self._issue(
                K.DRILL_NOTICE,
                issuer=self._department("410502", "文峰区应急管理局"),
                subject=stadium,
                actor=None,
                recipient="各参演单位",
                context={
                    "plan_name": "文峰体育中心大型活动人员疏散应急预案",
                    "place": "安阳市文峰体育中心体育场东、西看台及南门广场",
                    "participants": [operator.name, "文峰区消防救援大队", "安阳市公安局文峰分局", "东大街街道办事处"],
                },
            )
        self._task_sheet(district_police, head)
        self.stdout.write(_("Demo documents: %(n)d issued.") % {"n": self.issued})

    # --- helpers ---------------------------------------------------------------------------------------------

    def _department(self, code: str, name: str) -> Department:
        department = Department.objects.filter(jurisdiction__code=code, name=name).first()
        if department is None:
            raise CommandError(_("The demo city is not loaded: run seed_demo first."))
        return department

    def _organisation(self, credit_code: str) -> Organisation:
        organisation = Organisation.objects.filter(credit_code=credit_code).first()
        if organisation is None:
            raise CommandError(_("The demo city is not loaded: run seed_demo first."))
        return organisation

    def _venue(self, name: str):
        from venues.models import Venue

        return Venue.objects.filter(name=name).first()

    def _exists(self, kind: str, issuer: Department, subject) -> bool:
        content_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
        return Notice.objects.filter(
            kind=kind, issuer=issuer, subject_type=content_type, subject_id=subject.pk
        ).exists()

    def _issue(self, kind, *, issuer, subject, actor, context, recipient=None, copy_to=None, attachments=None):
        if self._exists(kind, issuer, subject):
            return None
        context = {**sample_context(kind, today=self.today), **context}
        with transaction.atomic():
            notice = services.notice_issue(
                kind=kind,
                issuer=issuer,
                subject=subject,
                recipient=recipient or context.get("organizer_name") or context.get("unit_name"),
                context=context,
                actor=actor,
                copy_to=copy_to,
                attachments=attachments,
            )
        # Rendered here so the demo shows PDFs at once; the task enqueued on commit then finds it done.
        services.notice_render(notice_id=notice.pk)
        self.issued += 1
        return notice

    def _task_sheet(self, department: Department, head) -> None:
        from duties.choices import OUTSTANDING_VALUES, SubjectKind
        from duties.models import Task
        from permits.management.commands.seed_demo_permits import DEMO_EVENTS, ORGANISATION
        from permits.models import PermitApplication

        if head is None:
            return
        # Only a task about a demo application: a seeder never issues a document about a record it did not make.
        demo = PermitApplication.objects.filter(organisation__credit_code=ORGANISATION, event_name__in=DEMO_EVENTS)
        task = (
            Task.objects.filter(
                responsible_department=department,
                status__in=OUTSTANDING_VALUES,
                subject_type=SubjectKind.PERMIT_APPLICATION,
                subject_id__in=demo.values("pk"),
            )
            .select_related("responsible_department__jurisdiction", "responsible_person")
            .order_by("due_date", "id")
            .first()
        )
        if task is None or self._exists(K.TASK_ASSIGNMENT, department, task):
            return
        with transaction.atomic():
            notice = services.task_sheet_issue(
                task=task, actor=head, recipient="治安管理大队", contact="张伟 0372-5551234"
            )
        services.notice_render(notice_id=notice.pk)
        self.issued += 1
