from fangxian.supplies.views import allocation, disinfection, requests, stock

app_name = "supplies"
urlpatterns = [
    *stock.urlpatterns,
    *requests.urlpatterns,
    *allocation.urlpatterns,
    *disinfection.urlpatterns,
]
