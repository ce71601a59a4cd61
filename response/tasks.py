"""Celery tasks of the response app: thin, take ids, call one service."""

from __future__ import annotations

from celery import shared_task

from response import services


@shared_task(name="response.tasks.send_answer")
def send_answer(report_id: int) -> bool:
    return services.report_send_answer(report_id=report_id)


@shared_task(name="response.tasks.remind_reports")
def remind_reports() -> int:
    return services.reports_remind_due()
