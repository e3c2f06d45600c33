from fangxian.checkpoints.views import gates, live, passes, scan, visitors

app_name = "checkpoints"
urlpatterns = [
    *scan.urlpatterns,
    *passes.urlpatterns,
    *gates.urlpatterns,
    *visitors.urlpatterns,
    *live.urlpatterns,
]
