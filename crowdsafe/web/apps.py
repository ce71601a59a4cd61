from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "crowdsafe.web"
    label = "web"

    def ready(self) -> None:
        from crowdsafe.web.panels import register_kernel_nav, register_kernel_panels

        register_kernel_nav()
        register_kernel_panels()
