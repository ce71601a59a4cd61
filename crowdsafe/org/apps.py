from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "crowdsafe.org"
    label = "org"

    def ready(self):
        from crowdsafe.audit import verbs

        verbs.register(
            {
                "renamed": _("renamed"),
                "membership_added": _("role given"),
                "membership_removed": _("role removed"),
                "activated": _("activated"),
                "deactivated": _("deactivated"),
            }
        )
