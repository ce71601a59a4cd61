from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from crowdsafe.workdays.services import calendar_sync_from_library


class Command(BaseCommand):
    help = (
        "Import the State Council holiday schedules the chinese-calendar library covers into the working-day "
        "calendar. Never overwrites what an administrator entered; running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="Only this year (repeat for several)."
        )

    def handle(self, *args, years=None, **options):
        result = calendar_sync_from_library(actor=None, years=years)
        self.stdout.write(result.summary())
        if result.years_changed:
            years = ", ".join(str(year) for year in result.years_changed)
            self.stdout.write(_("Years changed: %(years)s") % {"years": years})
