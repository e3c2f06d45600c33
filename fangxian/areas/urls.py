from django.urls import path

from fangxian.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.AreaBrowseView.as_view(), name="browse"),
    path("import/", views.AreaImportView.as_view(), name="import"),
    path("<str:code>/", views.AreaDetailView.as_view(), name="detail"),
    path("<str:code>/export.csv", views.AreaExportView.as_view(), name="export"),
    path("buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household"),
]
