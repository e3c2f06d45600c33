from fangxian.core.admin import ScopedAdmin, admin_site
from fangxian.registry.models import Resident, Vulnerability


class ResidentAdmin(ScopedAdmin):
    list_display = ("pk", "name", "sex", "area_code", "status", "id_number_masked", "phone_masked")
    list_filter = ("status", "residence_type")
    exclude = ("id_number", "phone")
    readonly_fields = ("id_number_masked", "phone_masked")
    raw_id_fields = ("household",)
    search_fields = ("name", "id_number_last4", "phone_last4")


class VulnerabilityAdmin(ScopedAdmin):
    list_display = ("resident", "kind", "area_code")
    raw_id_fields = ("resident",)


admin_site.register(Resident, ResidentAdmin)
admin_site.register(Vulnerability, VulnerabilityAdmin)
