"""Every write of the permit app. Keyword-only functions with the acting user explicit; each runs in one
transaction, locks the application row (``select_for_update``), checks the model's guard and the actor's right,
saves with ``update_fields``, writes the action log, lets the responsibility rules open the next step's tasks
(``tasks_evaluate``) and closes the finished step's (``tasks_settle``), and issues the step's document through the
notices service in the same transaction.

- ``permits.services.applications``: the organizer's portal (draft, sessions, undertakers, tickets, materials,
  security plan), submission and withdrawal;
- ``permits.services.review``: acceptance, correction, non-acceptance, review, the joint site inspection,
  comments and the decision;
- ``permits.services.resources``: security resources, temporary structures and their acceptance (the inspections
  app's contract), event-day readiness, the post-event review, copying a past application;
- ``permits.services.after``: approval conditions, supervision, change requests, cancellation, held, closed.
"""

from permits.services.after import (
    application_cancel,
    application_close,
    application_mark_held,
    change_request_decide,
    change_request_submit,
    condition_check,
    condition_report,
    supervision_record,
)
from permits.services.applications import (
    APPLICATION_FIELDS,
    application_create,
    application_submit,
    application_update,
    application_withdraw,
    material_remove,
    material_upload,
    plan_save,
    session_add,
    session_remove,
    tickets_set,
    undertaker_add,
    undertaker_remove,
    venues_open_to,
)
from permits.services.resources import (
    application_copy,
    application_mark_ready,
    resource_set,
    review_record,
    temporary_structure_accept,
    temporary_structure_add,
    temporary_structure_remove,
)
from permits.services.review import (
    application_accept,
    application_decide,
    application_not_accept,
    application_return_for_correction,
    application_start_inspection,
    application_start_review,
    comment_add,
    inspection_record,
)

__all__ = [
    "APPLICATION_FIELDS",
    "application_accept",
    "application_cancel",
    "application_close",
    "application_copy",
    "application_create",
    "application_decide",
    "application_mark_held",
    "application_mark_ready",
    "application_not_accept",
    "application_return_for_correction",
    "application_start_inspection",
    "application_start_review",
    "application_submit",
    "application_update",
    "application_withdraw",
    "change_request_decide",
    "change_request_submit",
    "comment_add",
    "condition_check",
    "condition_report",
    "inspection_record",
    "material_remove",
    "material_upload",
    "plan_save",
    "resource_set",
    "review_record",
    "session_add",
    "session_remove",
    "supervision_record",
    "temporary_structure_accept",
    "temporary_structure_add",
    "temporary_structure_remove",
    "tickets_set",
    "undertaker_add",
    "undertaker_remove",
    "venues_open_to",
]
