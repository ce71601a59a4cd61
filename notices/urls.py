from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/pdf-status/", views.notice_pdf_status, name="pdf_status"),
    path("<int:pk>/pdf/", views.notice_download, name="download"),
    path("<int:pk>/revoke/", views.notice_revoke, name="revoke"),
    path("preview/<slug:kind>/", views.kind_preview, name="kind_preview"),
    path("task-sheets/<int:task_pk>/", views.task_sheet, name="task_sheet"),
]
