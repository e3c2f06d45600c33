from fangxian.registry.views import care, imports, party, residents

app_name = "registry"
urlpatterns = [*residents.urlpatterns, *care.urlpatterns, *party.urlpatterns, *imports.urlpatterns]
