from django.urls import path

from fangxian.core import views

app_name = "core"
urlpatterns = [
    path("", views.root, name="root"),
    path("home/", views.HomeView.as_view(), name="home"),
    path("audit/", views.AuditEventListView.as_view(), name="audit"),
    path("personal/<str:model_label>/<int:pk>/<str:field>/", views.personal_reveal, name="reveal"),
    path("healthz", views.healthz, name="healthz"),
]
