from django.urls import path

from fangxian.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_view, name="otp"),
    path("me/", views.AccountView.as_view(), name="account"),
    path("users/", views.UserListView.as_view(), name="users"),
]
