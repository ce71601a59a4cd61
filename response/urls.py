from django.urls import path

app_name = "response"
urlpatterns: list = []
