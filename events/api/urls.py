from django.urls import path

from events.api import views

urlpatterns = [
    path("gatherings/", views.GatheringListApi.as_view(), name="gathering-list"),
    path("gatherings/attention/", views.AttentionListApi.as_view(), name="gathering-attention"),
    path("gatherings/key-dates/", views.KeyDateListApi.as_view(), name="gathering-key-dates"),
    path("gatherings/<int:pk>/", views.GatheringDetailApi.as_view(), name="gathering-detail"),
    path("gatherings/<int:pk>/verify/", views.GatheringVerifyApi.as_view(), name="gathering-verify"),
    path("gatherings/<int:pk>/confirm/", views.GatheringConfirmApi.as_view(), name="gathering-confirm"),
    path("gatherings/<int:pk>/dismiss/", views.GatheringDismissApi.as_view(), name="gathering-dismiss"),
    path("gatherings/<int:pk>/end/", views.GatheringEndApi.as_view(), name="gathering-end"),
    path("gatherings/<int:pk>/risk-level/", views.GatheringRiskLevelApi.as_view(), name="gathering-risk-level"),
    path("gatherings/<int:pk>/decisions/", views.GatheringDecisionApi.as_view(), name="gathering-decision"),
    path("gatherings/<int:pk>/merge/", views.GatheringMergeApi.as_view(), name="gathering-merge"),
    path("gatherings/<int:pk>/measures/", views.MeasureListApi.as_view(), name="gathering-measure-list"),
    path(
        "gatherings/<int:pk>/measures/<int:measure_pk>/",
        views.MeasureDetailApi.as_view(),
        name="gathering-measure-detail",
    ),
    path("gatherings/<int:pk>/headcounts/", views.HeadcountListApi.as_view(), name="gathering-headcount-list"),
    path("gatherings/<int:pk>/photos/", views.PhotoListApi.as_view(), name="gathering-photo-list"),
]
