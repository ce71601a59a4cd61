from django.urls import path

from duties.api import views

urlpatterns = [
    path("rules/", views.RuleListApi.as_view(), name="rule-list"),
    path("rules/<int:pk>/", views.RuleDetailApi.as_view(), name="rule-detail"),
    path("tasks/", views.TaskListApi.as_view(), name="task-list"),
    path("tasks/<int:pk>/", views.TaskDetailApi.as_view(), name="task-detail"),
    path("tasks/<int:pk>/start/", views.TaskStartApi.as_view(), name="task-start"),
    path("tasks/<int:pk>/complete/", views.TaskCompleteApi.as_view(), name="task-complete"),
    path("tasks/<int:pk>/reassign/", views.TaskReassignApi.as_view(), name="task-reassign"),
    path("tasks/<int:pk>/cancel/", views.TaskCancelApi.as_view(), name="task-cancel"),
]
