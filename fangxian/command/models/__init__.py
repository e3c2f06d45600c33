"""Models of the command app, one module per part (each part has its own owner and tests)."""

from fangxian.command.models.directives import Directive, DirectiveAttachment, DirectiveRecipient
from fangxian.command.models.drills import Drill, DrillFinding, DrillTimelineEntry
from fangxian.command.models.emergencies import Emergency, EmergencyKind, EmergencyLevel, EmergencyLevelChange
from fangxian.command.models.group import CommandGroupMember, Duty, OrganisationKind
from fangxian.command.models.plans import Plan, PlanAction, PlanActivation, PlanVersion
from fangxian.command.models.reports import DailyReport, DailyReportStatus
from fangxian.command.models.tasks import (
    Task,
    TaskAttachment,
    TaskComment,
    TaskPriority,
    TaskSource,
    TaskStatus,
    TaskStatusChange,
)
from fangxian.command.models.training import Attendance, Course, CourseTopic, TrainingSession

__all__ = [
    "Attendance", "CommandGroupMember", "Course", "CourseTopic", "DailyReport", "DailyReportStatus", "Directive",
    "DirectiveAttachment", "DirectiveRecipient", "Drill", "DrillFinding", "DrillTimelineEntry", "Duty", "Emergency",
    "EmergencyKind", "EmergencyLevel", "EmergencyLevelChange", "OrganisationKind", "Plan", "PlanAction",
    "PlanActivation", "PlanVersion", "Task", "TaskAttachment", "TaskComment", "TaskPriority", "TaskSource",
    "TaskStatus", "TaskStatusChange", "TrainingSession",
]
