"""The exercise pages (演练), included by ``monitoring.urls`` under ``exercises/`` in the ``monitoring`` namespace."""

from __future__ import annotations

from django.urls import path

from monitoring import views_exercise

urlpatterns = [
    path("", views_exercise.exercise_list, name="exercise_list"),
    path("new/", views_exercise.exercise_create, name="exercise_create"),
    path("<int:pk>/", views_exercise.exercise_detail, name="exercise_detail"),
    path("<int:pk>/progress/", views_exercise.exercise_progress, name="exercise_progress"),
    path("<int:pk>/start/", views_exercise.exercise_start, name="exercise_start"),
    path("<int:pk>/cancel/", views_exercise.exercise_cancel, name="exercise_cancel"),
    path("<int:pk>/record/", views_exercise.exercise_record, name="exercise_record"),
]
