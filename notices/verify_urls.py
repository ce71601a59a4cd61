"""The public verification page, at a short top-level URL for the QR codes: /v/ and /v/<code>."""

from django.urls import path

from notices import views

urlpatterns = [
    path("", views.verify_form, name="notice_verify_form"),
    path("<str:code>", views.verify, name="notice_verify"),
]
