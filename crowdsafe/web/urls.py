from django.urls import path

from crowdsafe.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("my/actions/", views.my_actions, name="my_actions"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
