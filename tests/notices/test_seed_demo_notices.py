"""``seed_demo_notices``: demo documents issued through the service and rendered, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from notices.choices import NoticeKind
from notices.models import Notice

pytestmark = pytest.mark.django_db


def test_demo_documents_are_issued_and_rendered_once():
    call_command("seed_demo", "--no-progress", stdout=io.StringIO())
    call_command("seed_demo_venues", stdout=io.StringIO())
    call_command("seed_demo_notices", stdout=io.StringIO())
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {
        NoticeKind.ACCEPTANCE,
        NoticeKind.PERMIT_APPROVAL,
        NoticeKind.PERMIT_REFUSAL,
        NoticeKind.RECTIFICATION_ORDER,
        NoticeKind.DRILL_NOTICE,
    } <= kinds
    assert all(notice.pdf and notice.sha256 for notice in Notice.objects.all())
    decision = Notice.objects.get(kind=NoticeKind.PERMIT_APPROVAL)
    assert decision.issuer.name == "安阳市公安局文峰分局"
    assert decision.recipient == "安阳市洹河文化演艺有限公司"
    assert "安阳市公安局" in decision.copy_to  # the next level of public security
    refusal = Notice.objects.get(kind=NoticeKind.PERMIT_REFUSAL)
    assert refusal.copy_to == ["河南省公安厅"]
    count = Notice.objects.count()

    out = io.StringIO()
    call_command("seed_demo_notices", stdout=out)
    assert Notice.objects.count() == count
    assert "0" in out.getvalue()


def test_it_asks_for_the_demo_city_first():
    with pytest.raises(CommandError):
        call_command("seed_demo_notices", stdout=io.StringIO())


def test_it_issues_no_task_sheet_about_a_task_it_did_not_make():
    """Issue 20 point 8: seeders never touch records they did not make (here: the police's tasks about real
    applications)."""
    from permits.models import PermitApplication
    from tests.factories import OrganisationFactory

    call_command("seed_demo", "--no-progress", stdout=io.StringIO())
    call_command("seed_demo_venues", stdout=io.StringIO())
    call_command("seed_demo_permits", stdout=io.StringIO())
    PermitApplication.objects.update(organisation=OrganisationFactory())  # every application is now a real one
    call_command("seed_demo_notices", stdout=io.StringIO())
    assert not Notice.objects.filter(kind=NoticeKind.TASK_ASSIGNMENT).exists()
