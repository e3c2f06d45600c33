from fangxian.areas.models import Area, Building, Household, Unit
from fangxian.core.admin import ScopedAdmin, admin_site


class AreaAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


class BuildingAdmin(ScopedAdmin):
    list_display = ("__str__", "area_code", "floors")
    search_fields = ("name", "estate", "area_code")


class UnitAdmin(ScopedAdmin):
    list_display = ("__str__", "area_code")
    raw_id_fields = ("building",)


class HouseholdAdmin(ScopedAdmin):
    list_display = ("pk", "room", "area_code")
    list_select_related = ("building", "unit")
    raw_id_fields = ("building", "unit")


admin_site.register(Area, AreaAdmin)
admin_site.register(Building, BuildingAdmin)
admin_site.register(Unit, UnitAdmin)
admin_site.register(Household, HouseholdAdmin)
