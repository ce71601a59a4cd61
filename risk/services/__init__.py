"""Every write of the risk app (DESIGN.md section 3: ``<entity>_<verb>(*, ..., actor)``). A package; import from
here: ``from risk.services import assessment_sign_off``.

- ``assessments``: create, update, submit, return, withdraw, sign off (the current level, the escalation, the
  gathering's level, the campaign items); the platform's factor suggestions;
- ``campaigns``: launch, launch again, close, and the assignment of a large campaign's tasks;
- ``hazards``: report (or fix on the spot), photos, plan, report fixed, verify, close, extensions, cancel, the
  rectification order;
- ``bands``: the risk matrix's bands.
"""

from risk.services.assessments import (
    CAMPAIGN_KEYS,
    REVIEW_KEYS,
    assessment_create,
    assessment_return,
    assessment_sign_off,
    assessment_submit,
    assessment_update,
    assessment_withdraw,
    factor_hints,
    subject_facts,
)
from risk.services.bands import bands_update, check_bands, level_of, load_bands
from risk.services.campaigns import campaign_assign_targets, campaign_close, campaign_launch, campaign_relaunch
from risk.services.hazards import (
    PHOTOS_PER_HAZARD,
    PHOTOS_PER_UPLOAD,
    hazard_add_photos,
    hazard_cancel,
    hazard_close,
    hazard_confirm_closure,
    hazard_decide_extension,
    hazard_issue_order,
    hazard_report,
    hazard_report_fixed,
    hazard_request_extension,
    hazard_submit_plan,
    hazard_verified_fixed,
    hazard_verify,
    supervisor_by_rule,
)

__all__ = [
    "CAMPAIGN_KEYS",
    "PHOTOS_PER_HAZARD",
    "PHOTOS_PER_UPLOAD",
    "REVIEW_KEYS",
    "assessment_create",
    "assessment_return",
    "assessment_sign_off",
    "assessment_submit",
    "assessment_update",
    "assessment_withdraw",
    "bands_update",
    "campaign_assign_targets",
    "campaign_close",
    "campaign_launch",
    "campaign_relaunch",
    "check_bands",
    "factor_hints",
    "hazard_add_photos",
    "hazard_cancel",
    "hazard_close",
    "hazard_confirm_closure",
    "hazard_decide_extension",
    "hazard_issue_order",
    "hazard_report",
    "hazard_report_fixed",
    "hazard_request_extension",
    "hazard_submit_plan",
    "hazard_verified_fixed",
    "hazard_verify",
    "level_of",
    "load_bands",
    "subject_facts",
    "supervisor_by_rule",
]
