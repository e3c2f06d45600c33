from django.urls import path, register_converter

from fangxian.areas import views


class AreaCodeConverter:
    """Digits of a division code; anything else is not a page (and never reaches the database)."""

    regex = "[0-9]{2,15}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AreaCodeConverter, "areacode")

app_name = "areas"
urlpatterns = [
    path("", views.AreaBrowseView.as_view(), name="browse"),
    path("import/", views.AreaImportView.as_view(), name="import"),
    path("<areacode:code>/", views.AreaDetailView.as_view(), name="detail"),
    path("<areacode:code>/export.csv", views.AreaExportView.as_view(), name="export"),
    path("buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household"),
]
