from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _calendar_changed(sender, **kwargs) -> None:
    from crowdsafe.workdays.cache import calendar_changed

    calendar_changed()


def check_period_setting(app_configs, **kwargs) -> list[checks.CheckMessage]:
    from crowdsafe.workdays.choices import PeriodExtension

    value = getattr(settings, "CALENDAR_PERIOD_EXTENDS_OVER", PeriodExtension.REST_DAYS)
    if value in PeriodExtension.values:
        return []
    return [
        checks.Error(
            f"CALENDAR_PERIOD_EXTENDS_OVER is {value!r}; it must be one of {', '.join(PeriodExtension.values)}.",
            id="workdays.E001",
        )
    ]


class WorkdaysConfig(AppConfig):
    name = "crowdsafe.workdays"
    label = "workdays"
    verbose_name = _("working-day calendar")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from crowdsafe.workdays.models import CalendarDay, CalendarYear

        # Any single-row write to the calendar (admin, shell, services) makes every process re-read it.
        for model in (CalendarDay, CalendarYear):
            post_save.connect(_calendar_changed, sender=model, dispatch_uid=f"workdays-changed-save-{model.__name__}")
            post_delete.connect(
                _calendar_changed, sender=model, dispatch_uid=f"workdays-changed-delete-{model.__name__}"
            )
        # migrate may change the tables (data migrations), and a flush (as transactional tests do after each
        # test) empties them without a model signal; both end with post_migrate.
        post_migrate.connect(_calendar_changed, sender=self, dispatch_uid="workdays-changed-migrate")
        checks.register(check_period_setting, checks.Tags.compatibility)
        register(
            {
                "calendar_synced": _("synced from the holiday library"),
                "calendar_day_set": _("holiday or adjusted working day set"),
                "calendar_day_removed": _("holiday or adjusted working day removed"),
                "calendar_schedule_entered": _("holiday schedule of the year entered"),
            }
        )
