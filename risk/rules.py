"""The keys of the responsibility rules the risk app seeds (``risk/migrations/0002_seed_bands_and_rules``) and
settles from its services. The rules themselves are data: an administrator may change their conditions,
parties and deadlines; the services find them by these keys."""

from __future__ import annotations

# Risk assessments (subject "risk_assessment").
ASSESSMENT_REVIEW = "risk.assessment_review"
ESCALATION_TERRITORIAL = "risk.escalation_territorial"
ESCALATION_PUBLIC_SECURITY = "risk.escalation_public_security"
ESCALATION_EMERGENCY = "risk.escalation_emergency"
ESCALATION_RESPONSIBLE_UNIT = "risk.escalation_responsible_unit"

# The supervising department of a kind of venue (管行业必须管安全, 安委办〔2023〕1号 and the city notices):
# department kind → venue kinds. Venues of other kinds, and places that are no registered venue, are supervised by
# the township (属地).
SUPERVISION_BY_KIND = {
    "culture_tourism": ["scenic_area", "entertainment", "theatre"],
    "housing": ["park"],
    "education": ["school"],
    "transport": ["station"],
    "civil_affairs": ["elderly_care"],
    "health": ["hospital"],
}
TERRITORIAL_KINDS = [
    "square",
    "commercial",
    "internet_famous",
    "stadium",
    "exhibition",
    "religious_site",
    "other",
    "none",
]
ESCALATION_SUPERVISION_KEYS = tuple(f"risk.escalation_supervision_{kind}" for kind in SUPERVISION_BY_KIND)
ESCALATION_KEYS = (
    ESCALATION_TERRITORIAL,
    ESCALATION_PUBLIC_SECURITY,
    ESCALATION_EMERGENCY,
    ESCALATION_RESPONSIBLE_UNIT,
    *ESCALATION_SUPERVISION_KEYS,
)

# Campaign items (subject "campaign_target").
CAMPAIGN_TERRITORIAL = "risk.campaign_assessment_territorial"
CAMPAIGN_DEPARTMENT = "risk.campaign_assessment_department"

# Hazards (subject "hazard").
HAZARD_RECTIFICATION = "risk.hazard_rectification"
HAZARD_PLAN = "risk.major_hazard_plan"
HAZARD_VERIFICATION = "risk.major_hazard_verification"
HAZARD_SUPERVISION_TERRITORIAL = "risk.hazard_supervision_territorial"
HAZARD_SUPERVISION_KEYS = (
    *(f"risk.hazard_supervision_{kind}" for kind in SUPERVISION_BY_KIND),
    HAZARD_SUPERVISION_TERRITORIAL,
)
HAZARD_RECTIFY_KEYS = (HAZARD_RECTIFICATION,)
HAZARD_PLAN_KEYS = (HAZARD_PLAN,)
HAZARD_VERIFY_KEYS = (HAZARD_VERIFICATION,)
HAZARD_ALL_KEYS = (HAZARD_RECTIFICATION, HAZARD_PLAN, HAZARD_VERIFICATION, *HAZARD_SUPERVISION_KEYS)

ALL_KEYS = (
    ASSESSMENT_REVIEW,
    *ESCALATION_KEYS,
    CAMPAIGN_TERRITORIAL,
    CAMPAIGN_DEPARTMENT,
    *HAZARD_ALL_KEYS,
)
