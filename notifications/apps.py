from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Reminders, escalation and notifications (提醒、督办与通知): every task deadline chased exactly once, over the
    in-app notification centre, email, group robots and SMS, with a delivery log."""

    name = "notifications"
