"""Document numbers 代字〔year〕N号: sequential from 1 per issuer, kind and year, no gaps, no duplicates, no leading
zeros, taken only at the moment of issue — also when many are issued at once."""

from __future__ import annotations

import datetime as dt
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from crowdsafe.org.choices import DepartmentKind
from notices.choices import NoticeKind
from notices.models import Notice, NumberCounter, NumberingScheme
from notices.numbering import default_prefix, format_number, next_level_public_security
from tests.factories import DepartmentFactory, JurisdictionFactory
from tests.notices.conftest import issue

K = NoticeKind


def test_numbers_run_from_1_per_issuer_kind_and_year(city, venue):
    police = city.wenfeng_police
    first = issue(K.ACCEPTANCE, issuer=police, subject=venue)
    second = issue(K.ACCEPTANCE, issuer=police, subject=venue)
    other_kind = issue(K.CORRECTION, issuer=police, subject=venue)
    other_issuer = issue(K.ACCEPTANCE, issuer=city.beiguan_police, subject=venue)
    year = timezone.localdate().year
    assert (first.serial, second.serial, other_kind.serial, other_issuer.serial) == (1, 2, 1, 1)
    assert first.number == f"文公受〔{year}〕1号"
    assert second.number == f"文公受〔{year}〕2号"
    assert other_kind.number == f"文公补〔{year}〕1号"
    assert other_issuer.number == f"北公受〔{year}〕1号"


def test_a_new_year_starts_again_at_1(city, venue, monkeypatch):
    police = city.wenfeng_police
    issue(K.ACCEPTANCE, issuer=police, subject=venue)
    issue(K.ACCEPTANCE, issuer=police, subject=venue)
    new_year = timezone.make_aware(dt.datetime(timezone.localdate().year + 1, 1, 1, 0, 5))
    monkeypatch.setattr(timezone, "now", lambda: new_year)
    notice = issue(K.ACCEPTANCE, issuer=police, subject=venue)
    assert (notice.year, notice.serial) == (new_year.year, 1)
    assert notice.number == f"文公受〔{new_year.year}〕1号"


def test_numbers_have_no_leading_zeros_and_use_hexagonal_brackets():
    assert format_number("安公许", 2026, 7) == "安公许〔2026〕7号"
    assert format_number("安公许", 2026, 120) == "安公许〔2026〕120号"


def test_a_rolled_back_issue_gives_its_number_back(city, venue):
    police = city.wenfeng_police
    issue(K.ACCEPTANCE, issuer=police, subject=venue)
    with pytest.raises(RuntimeError), transaction.atomic():
        rolled_back = issue(K.ACCEPTANCE, issuer=police, subject=venue)
        assert rolled_back.serial == 2
        raise RuntimeError("the caller's decision failed")
    assert issue(K.ACCEPTANCE, issuer=police, subject=venue).serial == 2
    assert NumberCounter.objects.get(issuer=police, kind=K.ACCEPTANCE).last_serial == 2


def test_an_invalid_issue_takes_no_number(city, venue):
    from crowdsafe.errors import DomainError

    police = city.wenfeng_police
    with pytest.raises(DomainError):
        issue(K.ACCEPTANCE, issuer=police, subject=venue, context={"accepted_on": "not a date"})
    assert not NumberCounter.objects.filter(issuer=police).exists()
    assert issue(K.ACCEPTANCE, issuer=police, subject=venue).serial == 1


def test_the_default_prefix_is_territory_department_and_kind(city):
    assert default_prefix(city.city_police, K.PERMIT_APPROVAL) == "安公许"
    assert default_prefix(city.wenfeng_police, K.PERMIT_REFUSAL) == "文公不许"
    assert default_prefix(city.mhk_fire, K.RECTIFICATION_ORDER) == "梅消责改"


def test_an_admin_scheme_sets_the_prefix_without_restarting_the_sequence(city, venue):
    police = city.city_police
    issue(K.PERMIT_APPROVAL, issuer=police, subject=venue)
    NumberingScheme.objects.create(issuer=police, kind=K.PERMIT_APPROVAL, prefix="安公治许")
    notice = issue(K.PERMIT_APPROVAL, issuer=police, subject=venue)
    assert notice.serial == 2
    assert notice.number == f"安公治许〔{notice.year}〕2号"
    # Other kinds keep their default.
    assert issue(K.PERMIT_REFUSAL, issuer=police, subject=venue).prefix == "安公不许"


def test_the_next_level_of_public_security_comes_from_the_department_tree(city):
    assert next_level_public_security(city.wenfeng_police) == "安阳市公安局"
    # Above the root city: the province's department, from the division code (41 河南, 22 吉林).
    assert next_level_public_security(city.city_police) == "河南省公安厅"
    mhk_police = DepartmentFactory(
        name="梅河口市公安局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=city.meihekou
    )
    assert next_level_public_security(mhk_police) == "吉林省公安厅"
    # A township's police station reports to the district's branch, skipping levels without police.
    station = DepartmentFactory(name="东大街派出所", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=city.street)
    assert next_level_public_security(station) == "安阳市公安局文峰分局"


def test_a_municipality_reports_to_its_public_security_bureau(db):
    beijing = JurisdictionFactory(code="110100", name="北京市", level="city", parent=None)
    police = DepartmentFactory(name="北京市公安局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=beijing)
    assert next_level_public_security(police) == "北京市公安局"


# --- concurrency -------------------------------------------------------------------------------------------

THREADS = 20
DOCUMENTS = 50
ROLLBACKS = 10


@pytest.mark.django_db(transaction=True)
def test_fifty_documents_issued_at_once_get_1_to_50_without_gaps_or_duplicates(city, venue):
    """Real threads, each with its own database connection, issue 50 documents of one issuer and kind at once,
    starting together before the year's counter row exists (so its creation races too); ten more issues roll
    back after taking their number. The committed documents hold exactly 1..50."""
    police, subject = city.wenfeng_police, venue
    jobs = ["commit"] * DOCUMENTS + ["rollback"] * ROLLBACKS
    random.Random(6).shuffle(jobs)  # interleave the rollbacks
    lock = threading.Lock()
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    class Rollback(Exception):
        pass

    def worker() -> None:
        try:
            start.wait(timeout=30)
            while True:
                with lock:
                    if not jobs:
                        return
                    job = jobs.pop()
                try:
                    with transaction.atomic():
                        issue(K.PERMIT_APPROVAL, issuer=police, subject=subject)
                        if job == "rollback":
                            raise Rollback
                except Rollback:
                    pass
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for _ in range(THREADS):
            pool.submit(worker)
    assert not errors, errors
    serials = sorted(Notice.objects.filter(issuer=police, kind=K.PERMIT_APPROVAL).values_list("serial", flat=True))
    assert serials == list(range(1, DOCUMENTS + 1))
    numbers = set(Notice.objects.filter(issuer=police).values_list("number", flat=True))
    assert len(numbers) == DOCUMENTS
    assert NumberCounter.objects.get(issuer=police, kind=K.PERMIT_APPROVAL).last_serial == DOCUMENTS
