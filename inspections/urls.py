from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("start/", views.inspection_start, name="start"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("analytics/", views.analytics, name="analytics"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/fill/", views.inspection_fill, name="fill"),
    path("<int:pk>/answers/", views.inspection_answers, name="answers"),
    path("<int:pk>/complete/", views.inspection_complete, name="complete"),
    path("<int:pk>/answers/<int:answer_pk>/hazard/", views.answer_hazard, name="answer_hazard"),
    path("<int:pk>/parts/<int:part_pk>/sign/", views.part_sign, name="part_sign"),
    path("<int:pk>/structures/<int:structure_pk>/accept/", views.structure_accept, name="structure_accept"),
    path("<int:pk>/photos/<int:photo_pk>/", views.answer_photo, name="photo"),
]
