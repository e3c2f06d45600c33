from fangxian.supplies.views import allocation, requests, stock

app_name = "supplies"
urlpatterns = [
    *stock.urlpatterns,
    *requests.urlpatterns,
    *allocation.urlpatterns,
]
