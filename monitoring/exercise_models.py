"""The exercise table (演练, issue 15 point 6), kept apart from the monitoring core's models: an uploaded count
series replayed into an exercise copy of a zone, with its participants (the only people its alerts reach), its
progress and the drill it is recorded as."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.scoping import ScopedQuerySet


class ExerciseState(models.TextChoices):
    # Translators: 待开始
    PREPARED = "prepared", _("Ready to start")
    # Translators: 回放中
    RUNNING = "running", _("Replaying")
    # Translators: 回放结束
    FINISHED = "finished", _("Replay finished")
    # Translators: 已取消
    CANCELLED = "cancelled", _("Cancelled")


class ExerciseQuerySet(ScopedQuerySet["Exercise"]):
    visibility_rule = "monitoring.exercise.exercise_visible_q"


class Exercise(models.Model):
    """A monitoring exercise (监测预警演练): a count series (time, count) replayed at ×1 to ×60 into an exercise copy
    of a real zone. Its alerts are marked 演练 and reach only ``participants``, never the real zone's recipients;
    it is recorded as a drill (``drills.Drill``) of ``plan`` with its after-action items."""

    title = models.CharField(_("title"), max_length=200)
    original = models.ForeignKey(
        "monitoring.Zone", verbose_name=_("zone exercised"), on_delete=models.PROTECT, related_name="+"
    )
    zone = models.OneToOneField(
        "monitoring.Zone", verbose_name=_("exercise copy"), on_delete=models.PROTECT, related_name="exercise_run"
    )
    source = models.ForeignKey(
        "monitoring.Source", verbose_name=_("replay source"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan = models.ForeignKey(
        "drills.EmergencyPlan",
        verbose_name=_("emergency plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    drill = models.OneToOneField(
        "drills.Drill",
        verbose_name=_("drill record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("participants"), related_name="+")
    series_name = models.CharField(_("series"), max_length=200)
    # [[seconds after the first row, count], ...], in time order.
    series = models.JSONField(_("series"))
    speed = models.PositiveSmallIntegerField(
        _("speed"), default=1, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    state = models.CharField(_("state"), max_length=12, choices=ExerciseState.choices, default=ExerciseState.PREPARED)
    next_index = models.PositiveIntegerField(default=0, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    jurisdiction_path = models.CharField(max_length=255, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ExerciseQuerySet.as_manager()
    zone_id: int
    drill_id: int | None

    class Meta:
        app_label = "monitoring"
        verbose_name = _("monitoring exercise")
        verbose_name_plural = _("monitoring exercises")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(speed__gte=1) & Q(speed__lte=60), name="monitoring_exercise_speed"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_s(self) -> int:
        return int(self.series[-1][0]) if self.series else 0
