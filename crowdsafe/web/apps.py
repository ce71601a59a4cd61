from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "crowdsafe.web"
    label = "web"

    def ready(self) -> None:
        from crowdsafe.common.labels import install as install_label_memo
        from crowdsafe.web.panels import register_kernel_nav, register_kernel_panels

        register_kernel_nav()
        register_kernel_panels()
        # get_FOO_display from a memo per language (issue 19: ~1,200 catalogue lookups per list page).
        install_label_memo()
