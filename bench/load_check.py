#!/usr/bin/env python
"""After a load run (bench/load): compare every write the load users made with the database, and check that no
document or reminder was lost or doubled. Exits non-zero on any finding.

- each write answered as done (a redirect) is there exactly once; a refused one is absent, or there once when
  the same form was sent again (the gathering form's key makes the resend find the first record) — never twice;
- nothing half-done: each record written has the action-log entry of its own transaction (a gathering its
  ``reported``/``created`` entry, an application its ``created`` entry, a document its ``issued`` entry);
- documents: after the worker has drained (``--drain`` seconds at most, the periodic scan rendering what a
  killed worker lost), every issued document has its PDF, stored once (one ``notice_rendered`` entry) and the
  file is on disk with its recorded SHA-256;
- reminders: every reminder planned is sent or still pending, none sent twice (one message each), no person
  notified twice of one message.

    .venv/bin/python bench/load_check.py var/load/writes.jsonl [--drain 600]
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_load")
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "load" / "media"))

DONE = {302, 201}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("writes", type=Path)
    parser.add_argument("--drain", type=int, default=600, help="seconds to wait for documents still being rendered")
    args = parser.parse_args()
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count

    from crowdsafe.audit.models import ActionLog
    from events.models import Gathering
    from notices.models import Notice
    from notifications.models import Message, Notification, Reminder
    from permits.models import PermitApplication

    problems: list[str] = []
    writes = [json.loads(line) for line in args.writes.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_kind = collections.Counter(
        (w["kind"], "done" if w["status"] in DONE else f"refused {w['status']}") for w in writes
    )

    def logged(model, pk: int) -> bool:
        return ActionLog.objects.filter(subject_type=ContentType.objects.get_for_model(model), subject_id=pk).exists()

    lookups = {
        "gathering": (Gathering, "idempotency_key"),
        "application": (PermitApplication, "event_name"),
        "task_sheet": (Notice, "recipient"),
    }
    for write in writes:
        model, field = lookups[write["kind"]]
        rows = list(model.objects.filter(**{field: write["key"]}).values_list("pk", flat=True))
        done = write["status"] in DONE
        if done and len(rows) != 1:
            problems.append(f"{write['kind']} {write['key']}: answered {write['status']} but {len(rows)} rows")
        if not done and len(rows) > 1:
            problems.append(f"{write['kind']} {write['key']}: refused ({write['status']}) yet {len(rows)} rows")
        for pk in rows:
            if not logged(model, pk):
                problems.append(f"{write['kind']} {write['key']}: row {pk} has no action-log entry (half-done)")

    # Documents: wait for the worker (and the periodic scan of lost renders) to finish.
    deadline = time.monotonic() + args.drain
    while Notice.objects.filter(pdf="").exists() and time.monotonic() < deadline:
        time.sleep(10)
    unrendered = list(Notice.objects.filter(pdf="").values_list("number", flat=True))
    if unrendered:
        problems.append(f"{len(unrendered)} documents without their PDF after {args.drain} s: {unrendered[:10]}")
    notice_type = ContentType.objects.get_for_model(Notice)
    renders = collections.Counter(
        ActionLog.objects.filter(subject_type=notice_type, verb="notice_rendered").values_list("subject_id", flat=True)
    )
    for notice in Notice.objects.exclude(pdf=""):
        if renders[notice.pk] != 1:
            problems.append(f"document {notice.number}: rendered {renders[notice.pk]} times")
        try:
            content = notice.pdf.read() if notice.pdf.open("rb") else b""
            notice.pdf.close()
        except OSError as exc:
            problems.append(f"document {notice.number}: PDF unreadable ({exc})")
            continue
        if hashlib.sha256(content).hexdigest() != notice.sha256:
            problems.append(f"document {notice.number}: stored PDF does not match its SHA-256")

    reminders = collections.Counter(Reminder.objects.values_list("status", flat=True))
    sent_without = Reminder.objects.filter(status="sent", message__isnull=True).count()
    if sent_without:
        problems.append(f"{sent_without} reminders marked sent without their message")
    doubled = Notification.objects.values("message", "recipient").annotate(n=Count("id")).filter(n__gt=1).count()
    if doubled:
        problems.append(f"{doubled} people notified twice of one message")
    # One statement, one snapshot: the worker may be sending while this runs.
    unsent = Message.objects.filter(reminder__isnull=False).exclude(reminder__status="sent").count()
    if unsent:
        problems.append(f"{unsent} reminder messages whose reminder is not marked sent (half-done)")

    print("writes:", ", ".join(f"{kind} {outcome}: {n}" for (kind, outcome), n in sorted(by_kind.items())))
    print(
        f"documents: {Notice.objects.count()} issued, {Notice.objects.exclude(pdf='').count()} rendered; "
        f"reminders: {dict(reminders)}; reminder messages: {Message.objects.filter(reminder__isnull=False).count()}"
    )
    for problem in problems[:50]:
        print("PROBLEM:", problem)
    print("check:", "FAILED" if problems else "ok (every write done or refused, nothing half-done, lost or doubled)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
