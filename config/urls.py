from django.urls import include, path

from config.api import api
from fangxian.core.admin import admin_site

handler403 = "fangxian.core.views.error_403"
handler404 = "fangxian.core.views.error_404"
handler500 = "fangxian.core.views.error_500"

urlpatterns = [
    # First: devices call the API many times a second; pages are few by comparison.
    path("api/v1/", api.urls),
    path("", include("fangxian.core.urls")),
    path("accounts/", include("fangxian.accounts.urls")),
    path("areas/", include("fangxian.areas.urls")),
    path("command/", include("fangxian.command.urls")),
    path("registry/", include("fangxian.registry.urls")),
    path("checkpoints/", include("fangxian.checkpoints.urls")),
    path("health/", include("fangxian.health.urls")),
    path("supplies/", include("fangxian.supplies.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
]
