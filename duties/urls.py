from django.urls import path

from duties import views

app_name = "duties"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("overview/", views.overview, name="overview"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/health/", views.rules_health, name="rules_health"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
]
