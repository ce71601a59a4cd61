"""The risk matrix: the default bands give the right level on both sides of every band boundary, read from the
seeded table and from the defaults in code; changed bands apply to new assessments only."""

from __future__ import annotations

import pytest

from crowdsafe.errors import DomainError
from risk import services
from risk.models import RiskBand
from risk.scoring import DEFAULT_BANDS, level_for_score, suggest

# (likelihood, severity, expected level): both sides of 3/4, 8/9 and 16/20.
BOUNDARIES = [
    (1, 3, "blue"),  # 3
    (2, 2, "yellow"),  # 4
    (2, 4, "yellow"),  # 8
    (3, 3, "orange"),  # 9
    (4, 4, "orange"),  # 16
    (4, 5, "red"),  # 20
    (1, 1, "blue"),
    (5, 5, "red"),
]


@pytest.mark.parametrize(("likelihood", "severity", "level"), BOUNDARIES)
def test_the_default_bands_in_code_give_the_level_on_each_side_of_every_boundary(likelihood, severity, level):
    assert level_for_score(likelihood * severity, DEFAULT_BANDS) == level


@pytest.mark.django_db
@pytest.mark.parametrize(("likelihood", "severity", "level"), BOUNDARIES)
def test_the_seeded_bands_give_the_level_on_each_side_of_every_boundary(likelihood, severity, level):
    assert [(b.level, b.min_score, b.max_score) for b in RiskBand.objects.order_by("min_score")] == [
        ("blue", 1, 3),
        ("yellow", 4, 8),
        ("orange", 9, 16),
        ("red", 20, 25),
    ]
    assert services.level_of(likelihood * severity) == level


@pytest.mark.django_db
def test_an_assessment_is_levelled_by_the_bands_in_its_matrix(venue, users, reviewer):
    from tests.risk.conftest import assess

    # The assessor rates 3 × 3 = 9 (orange) after controls, and says why it differs from the suggestion.
    assessment = assess(
        venue,
        users.township_officer,
        likelihood=4,
        severity=4,
        residual_likelihood=3,
        residual_severity=3,
        judgement="春节庙会客流叠加",
    )
    assert (assessment.inherent_score, assessment.inherent_level) == (16, "orange")
    assert (assessment.score, assessment.level) == (9, "orange")
    assessment = services.assessment_update(
        assessment=assessment,
        actor=users.township_officer,
        data={
            "likelihood": 4,
            "severity": 5,
            "residual_likelihood": 2,
            "residual_severity": 4,
            "judgement": "管控措施到位",
        },
    )
    assert (assessment.inherent_score, assessment.inherent_level) == (20, "red")
    assert (assessment.score, assessment.level) == (8, "yellow")


@pytest.mark.django_db
def test_an_administrator_moves_a_boundary_and_new_scores_follow_it(users):
    services.bands_update(
        bands={"blue": (1, 4), "yellow": (5, 9), "orange": (10, 16), "red": (20, 25)}, actor=users.admin
    )
    assert services.level_of(4) == "blue"
    assert services.level_of(9) == "yellow"
    assert services.level_of(10) == "orange"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bands",
    [
        {"blue": (1, 3), "yellow": (3, 8), "orange": (9, 16), "red": (20, 25)},  # overlap
        {"blue": (1, 3), "yellow": (5, 8), "orange": (9, 16), "red": (20, 25)},  # 4 falls in no band
        {"blue": (1, 3), "yellow": (4, 8), "orange": (9, 16)},  # red missing
        {"yellow": (1, 3), "blue": (4, 8), "orange": (9, 16), "red": (20, 25)},  # out of order
        {"blue": (2, 3), "yellow": (4, 8), "orange": (9, 16), "red": (20, 25)},  # 1 falls in no band
    ],
)
def test_bands_that_leave_a_score_without_a_level_are_refused_and_nothing_changes(bands, users):
    with pytest.raises(DomainError):
        services.bands_update(bands=bands, actor=users.admin)
    assert services.level_of(4) == "yellow"


def test_controls_lower_the_likelihood_and_medical_cover_with_a_drilled_plan_the_severity():
    factors = {"attendance": 2, "scale": 2, "venue_features": 2, "time": 2, "composition": 2}
    before = suggest(factors, [])
    after = suggest(factors, ["stewards", "barriers", "one_way", "flow_limiting", "medical", "emergency_plan"])
    assert (before.likelihood, before.severity) == (3, 5)
    assert (before.residual_likelihood, before.residual_severity) == (3, 5)
    assert after.residual_likelihood == 1  # six measures: by 2
    assert after.residual_severity == 4


def test_attendance_above_the_safe_capacity_makes_an_accident_likely_whatever_else():
    assert suggest({"attendance": 3}, []).likelihood == 4
    assert suggest({"attendance": 2}, []).likelihood == 3
    assert suggest({}, []).likelihood == 1
