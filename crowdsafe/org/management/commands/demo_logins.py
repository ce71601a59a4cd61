"""Print the demo logins loaded by ``seed_demo``: username, password, role and where each one works.

The headings are deliberately bilingual (Chinese and English) whatever the active language, since this is
what a newcomer reads in the terminal before choosing a language in the UI.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from crowdsafe.org import demo_data
from crowdsafe.org.models import Jurisdiction, Membership

HEADERS = ("用户名 Username", "密码 Password", "姓名 Name", "角色 Role", "所属 Anchor")


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


class Command(BaseCommand):
    help = "Print the demo logins (run seed_demo first)."

    def handle(self, *args, **options):
        # A person with two memberships (the township officer who also works in the street's office) is one login.
        usernames = list(dict.fromkeys(spec["username"] for spec in demo_data.DEMO_USERS))
        users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
        missing = [name for name in usernames if name not in users]
        if missing:
            raise CommandError(f"No demo users yet (missing: {', '.join(missing)}). Run: python manage.py seed_demo")
        memberships = {}
        for m in Membership.objects.filter(user__in=users.values()).select_related(
            "department", "jurisdiction", "organisation"
        ):
            memberships.setdefault(m.user_id, m)
        # Names of every territory on the way down to each jurisdiction anchor, in one query.
        codes = {code for m in memberships.values() if m.jurisdiction_id for code in m.jurisdiction.ancestor_codes}
        names = dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "name"))

        rows = [HEADERS]
        for username in usernames:
            user = users[username]
            membership = memberships.get(user.pk)
            if membership is None:
                role, anchor = "-", "-"
            else:
                role = str(membership.get_role_display())
                if membership.jurisdiction_id:
                    trail = [names.get(code, code) for code in membership.jurisdiction.ancestor_codes]
                    anchor = " / ".join([*trail, membership.jurisdiction.name])
                else:
                    anchor = str(membership.anchor)
            rows.append((username, demo_data.DEMO_PASSWORD, user.display_name, role, anchor))

        site = settings.SITE_URL.rstrip("/")
        self.stdout.write("")
        self.stdout.write(f"CrowdSafe 演示账号 Demo logins — {site}/")
        self.stdout.write("")
        for line in format_table(rows):
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"系统管理 Admin site: {site}/admin/ (demo_admin)")
        self.stdout.write("密码仅在首次创建账号时设置 The password is set only when a demo user is first created.")
        self.stdout.write("")
