"""Sign-in and sign-out pages, mounted at /accounts/ (settings.LOGIN_URL)."""

from django.urls import path

from backend.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
