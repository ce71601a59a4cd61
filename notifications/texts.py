"""The words of a reminder, written when it is sent (in the site's language), from the real state of the task: a
reminder planned for "3 working days before" but sent late says how many working days are really left."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications.calendar import WorkdayIndex
from notifications.choices import ReminderKind


def reminder_text(reminder, *, today: dt.date, index: WorkdayIndex) -> tuple[str, str]:
    """``(title, body)`` of a reminder whose ``task`` is loaded, in the site's language."""
    task = reminder.task
    due = task.due_date
    values = {
        "duty": task.duty_name,
        "subject": task.subject_label,
        "due": due.isoformat(),
        "holder": task.holder_label,
        "person": task.responsible_person.display_name if task.responsible_person_id else "",
    }
    # Messages are written in the site's language, whoever's request or task is running (a worker has none).
    with translation.override(settings.LANGUAGE_CODE, deactivate=False):
        left = index.between(today, due) if today < due else 0
        if today < due and left == 0:
            # Due on a rest day with no working day before it (a Sunday deadline, reminded on the Saturday).
            title = _("Due on %(due)s: %(duty)s") % values
        elif today < due:
            values["n"] = left
            title = ngettext("Due in %(n)d working day: %(duty)s", "Due in %(n)d working days: %(duty)s", left) % values
        elif today == due:
            title = _("Due today: %(duty)s") % values
        else:
            values["n"] = late = max(1, index.between(due, today))
            title = (
                ngettext("Overdue by %(n)d working day: %(duty)s", "Overdue by %(n)d working days: %(duty)s", late)
                % values
            )
        body = _("%(duty)s for %(subject)s is due on %(due)s. Held by %(holder)s.") % values
        if values["person"]:
            body += " " + _("Responsible person: %(person)s.") % values
        if reminder.kind == ReminderKind.ESCALATE_HEAD:
            title = _("Escalation: %(title)s") % {"title": title}
            body += " " + _("It has been escalated to you as the head of the department: please see that it is done.")
        elif reminder.kind == ReminderKind.ESCALATE_LEADER:
            title = _("Escalation to the leader: %(title)s") % {"title": title}
            body += " " + _(
                "It has been escalated to you as the leader of the territory: please have the holder account for it."
            )
        else:
            body += " " + _("Open the task to record what was done.")
        if settings.LANGUAGE_CODE.startswith("zh"):
            # Chinese sentences follow each other without a space (as crowdsafe.workdays does).
            body = body.replace("。 ", "。")
    return title, body
