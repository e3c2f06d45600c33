from fangxian.command import dashboard
from fangxian.command.views import directives, drills, emergencies, group, plans, reports, tasks, training

app_name = "command"
urlpatterns = [
    *dashboard.urlpatterns,
    *emergencies.urlpatterns,
    *group.urlpatterns,
    *plans.urlpatterns,
    *tasks.urlpatterns,
    *directives.urlpatterns,
    *drills.urlpatterns,
    *training.urlpatterns,
    *reports.urlpatterns,
]
