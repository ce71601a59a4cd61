from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Reminders, escalation and notifications (提醒、督办与通知): every task deadline chased exactly once, over the
    in-app notification centre, email, group robots and SMS, with a delivery log."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from crowdsafe.web.nav import register_nav_item
        from notifications.access import can_see_delivery_log

        register(
            {
                "escalated": _("escalated"),
                "sent": _("sent"),
                "settings_changed": _("notification settings changed"),
                "test_sent": _("test message sent"),
            }
        )
        register_nav_item("notifications", label=_("Notifications"), url="notifications:inbox", order=76)
        register_nav_item(
            "delivery_log",
            label=_("Delivery log"),
            url="notifications:delivery_list",
            order=77,
            visible=lambda user, scope: can_see_delivery_log(scope),
        )
