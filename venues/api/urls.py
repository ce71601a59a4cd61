from django.urls import path

from venues.api import views

urlpatterns = [
    path("venues/", views.VenueListApi.as_view(), name="venue-list"),
    path("venues/<int:pk>/", views.VenueDetailApi.as_view(), name="venue-detail"),
    path("venues/<int:pk>/deactivate/", views.VenueDeactivateApi.as_view(), name="venue-deactivate"),
    path("venues/<int:venue_pk>/zones/", views.ZoneListApi.as_view(), name="venue-zone-list"),
    path("venues/<int:venue_pk>/zones/<int:pk>/", views.ZoneDetailApi.as_view(), name="venue-zone-detail"),
    path("venues/<int:venue_pk>/exits/", views.ExitListApi.as_view(), name="venue-exit-list"),
    path("venues/<int:venue_pk>/exits/<int:pk>/", views.ExitDetailApi.as_view(), name="venue-exit-detail"),
]
