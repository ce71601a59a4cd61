from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications/", views.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/unread-count/", views.UnreadCountApi.as_view(), name="notification-unread-count"),
    path("notifications/read-all/", views.MarkAllReadApi.as_view(), name="notification-read-all"),
    path("notifications/preferences/", views.PreferenceApi.as_view(), name="notification-preferences"),
    path("notifications/deliveries/", views.DeliveryListApi.as_view(), name="delivery-list"),
    path("notifications/deliveries/<int:pk>/", views.DeliveryDetailApi.as_view(), name="delivery-detail"),
    path("notifications/<int:pk>/read/", views.NotificationReadApi.as_view(), name="notification-read"),
]
