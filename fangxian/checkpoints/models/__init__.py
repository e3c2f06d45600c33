from fangxian.checkpoints.models.gates import Checkpoint, CheckpointKind, GatePolicy, GuardShift
from fangxian.checkpoints.models.passes import Pass, VehiclePlate
from fangxian.checkpoints.models.scans import Direction, GateCount, GateScan, ScanReason, Verdict
from fangxian.checkpoints.models.visitors import Delivery, DeliveryKind, Visitor, VisitorStatus

__all__ = [
    "Checkpoint",
    "CheckpointKind",
    "Delivery",
    "DeliveryKind",
    "Direction",
    "GateCount",
    "GatePolicy",
    "GateScan",
    "GuardShift",
    "Pass",
    "ScanReason",
    "Verdict",
    "VehiclePlate",
    "Visitor",
    "VisitorStatus",
]
