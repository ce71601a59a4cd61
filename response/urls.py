app_name = "response"
urlpatterns: list = []
