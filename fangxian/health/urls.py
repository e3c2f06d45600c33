from fangxian.health.views import cases, screening, tracing

app_name = "health"
urlpatterns = [
    *screening.urlpatterns,
    *tracing.urlpatterns,
    *cases.urlpatterns,
]
