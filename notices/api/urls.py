from django.urls import path

from notices.api import views

urlpatterns = [
    path("notices/", views.NoticeListApi.as_view(), name="notice-list"),
    path("notices/<int:pk>/", views.NoticeDetailApi.as_view(), name="notice-detail"),
    path("notices/<int:pk>/pdf/", views.NoticePdfApi.as_view(), name="notice-pdf"),
    path("notices/<int:pk>/revoke/", views.NoticeRevokeApi.as_view(), name="notice-revoke"),
]
