"""The rectification order (责令整改通知书) of a hazard, issued through the notices service in the issuer's
department's name, in the same transaction as the hazard's log entry."""

from __future__ import annotations

import pytest

from crowdsafe.errors import DomainError, PermissionDeniedError
from risk import services
from tests.risk.conftest import hazard

pytestmark = pytest.mark.django_db


def test_a_department_issues_a_numbered_rectification_order_to_the_responsible_unit(
    venue, users, operator, depts, django_capture_on_commit_callbacks
):
    from notices.selectors import notices_for

    h = hazard(venue, users.grid_worker, level="major")
    with django_capture_on_commit_callbacks(execute=False):
        notice = services.hazard_issue_order(
            hazard=h, actor=users.staff, measures_required=["立即清理疏散通道", "设置禁止占用标识"]
        )
    assert notice.kind == "rectification_order"
    assert notice.issuer == depts.police
    assert notice.recipient == operator.organisation.name
    assert notice.context["unit_name"] == operator.organisation.name
    assert notice.context["hazards"][0]["level"] == "重大隐患"
    assert notice.context["deadline"] == h.rectification_deadline.isoformat()
    assert "责改" in notice.number
    assert list(notices_for(h)) == [notice]
    assert h.__class__.objects.get(pk=h.pk).state == "open"


def test_only_a_department_covering_the_place_issues_it(venue, users, operator):
    h = hazard(venue, users.grid_worker)
    with pytest.raises(PermissionDeniedError):
        services.hazard_issue_order(hazard=h, actor=operator.user, measures_required=["清理"])
    with pytest.raises(PermissionDeniedError):
        services.hazard_issue_order(hazard=h, actor=users.outsider, measures_required=["清理"])
    # A township officer supervises but belongs to no department: a document needs an issuing department.
    with pytest.raises(PermissionDeniedError):
        services.hazard_issue_order(hazard=h, actor=users.township_officer, measures_required=["清理"])
    with pytest.raises(DomainError):
        services.hazard_issue_order(hazard=h, actor=users.staff, measures_required=[])
