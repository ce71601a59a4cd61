from django.apps import AppConfig


class PermitsConfig(AppConfig):
    """Large-scale mass event permits (大型群众性活动安全许可) under State Council Order 505."""

    name = "permits"
