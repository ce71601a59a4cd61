"""The responsibility rules that schedule inspections (seeded by ``inspections/migrations/0002``, editable in the
admin), on subjects other apps register (docs/contracts/subjects.md):

- ``inspections.venue_routine``: crowded venues run as a business (malls, stadiums, theatres, KTVs, stations,
  hospitals …) are inspected by their township every three months (安阳市公安局答复: 会同相关主管部门定期对场所设施设备
  配备、安全制度落实、应急力量部署等开展安全检查);
- ``inspections.open_space_routine``: squares, parks, scenic areas, internet-famous spots and temple fairs, where
  crowds gather of themselves, every month (梅河口市安委办通知 三（四）: 以村（社区）网格为基础单元 … 日常监测);
- before each permitted event: the permits app's own rule ``permits.pre_event_inspection`` (the licensing
  department, due the eve of the first session); completing a pre-event inspection of the application settles it.

Completing the inspection of the subject settles the task (``services.inspections._complete``), with the day it was
completed, so the engine makes the next one due the rule's interval later. Inspections before key dates (holidays,
major events: 通知 三（七）) are planned by ``services.rounds.key_date_round``, from the working-day calendar.
The inspection itself is not a subject of the engine: its duties are those of the venue or the event it is about.
"""

from __future__ import annotations

from permits.duties import PRE_EVENT_KEY

VENUE_ROUTINE = "inspections.venue_routine"
OPEN_SPACE_ROUTINE = "inspections.open_space_routine"

VENUE_KEYS = (VENUE_ROUTINE, OPEN_SPACE_ROUTINE)
PRE_EVENT_KEYS = (PRE_EVENT_KEY,)
ALL_KEYS = VENUE_KEYS + PRE_EVENT_KEYS
