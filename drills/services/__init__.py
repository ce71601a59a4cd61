"""Every write to emergency plans and drills (``<entity>_<verb>(*, ..., actor)``). Import from here:
``from drills.services import drill_record``.

- ``plans``: plan create / update / withdraw, versions (file checks, summary of changes), sharing, and the
  event's plan from its permit application's uploaded emergency plan;
- ``drills``: plan (schedule), change, cancel and record drills (photos, after-action items, settling the
  drill-due duties), close after-action items (the revision loop 演练—评估—修订), governments' drill duties;
- ``notices``: the drill notice (演练通知) through the notices service.
"""

from drills.services.drills import (
    ItemSpec,
    drill_cancel,
    drill_photos_add,
    drill_record,
    drill_schedule,
    drill_update,
    government_drill_duties_sync,
    government_of,
    item_add,
    item_close,
    items_from_incident,
)
from drills.services.notices import drill_notice_issue, drill_participants
from drills.services.plans import (
    default_drill_interval,
    plan_create,
    plan_import_from_application,
    plan_share,
    plan_unshare,
    plan_update,
    plan_version_add,
    plan_withdraw,
)

__all__ = [
    "ItemSpec",
    "default_drill_interval",
    "drill_cancel",
    "drill_notice_issue",
    "drill_participants",
    "drill_photos_add",
    "drill_record",
    "drill_schedule",
    "drill_update",
    "government_drill_duties_sync",
    "government_of",
    "item_add",
    "item_close",
    "items_from_incident",
    "plan_create",
    "plan_import_from_application",
    "plan_share",
    "plan_unshare",
    "plan_update",
    "plan_version_add",
    "plan_withdraw",
]
