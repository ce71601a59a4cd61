"""The inspections app's services (every write): checklist templates (``templates``) and inspections
(``inspections``)."""

from inspections.services.inspections import (
    answer_to_hazard,
    answers_submit,
    inspection_complete,
    inspection_start,
    missing_items,
    part_sections,
    part_sign,
    record_needed,
    template_for,
)
from inspections.services.templates import current_template, item_save, template_edit, template_is_used

__all__ = [
    "answer_to_hazard",
    "answers_submit",
    "current_template",
    "inspection_complete",
    "inspection_start",
    "item_save",
    "missing_items",
    "part_sections",
    "part_sign",
    "record_needed",
    "template_edit",
    "template_for",
    "template_is_used",
]
