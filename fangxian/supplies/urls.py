from fangxian.supplies.views import allocation, disinfection, levels, requests, stock

app_name = "supplies"
urlpatterns = [
    *stock.urlpatterns,
    *requests.urlpatterns,
    *allocation.urlpatterns,
    *disinfection.urlpatterns,
    *levels.urlpatterns,
]
