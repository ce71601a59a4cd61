from django.apps import AppConfig


class NoticesConfig(AppConfig):
    """Official documents (公文): decision letters, notices and orders in GB/T 9704 style, numbered per issuer,
    rendered once to PDF and verifiable by QR code."""

    name = "notices"
