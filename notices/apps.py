from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Official documents (公文): decision letters, notices and orders in GB/T 9704 style, numbered per issuer,
    rendered once to PDF and verifiable by QR code."""

    name = "notices"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from crowdsafe.org.access import EXTERNAL_ROLES, GOVERNMENT_ROLES
        from crowdsafe.web.nav import register_nav_item

        register_nav_item(
            "notices",
            label=_("Documents"),
            url="notices:list",
            order=65,
            roles=GOVERNMENT_ROLES | EXTERNAL_ROLES,
        )
        register(
            {
                "notice_issued": _("document issued"),
                "notice_rendered": _("document printed to PDF"),
                "notice_revoked": _("document revoked"),
            }
        )
