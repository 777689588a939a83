from .cases import (  # noqa: F401
    REASON_REQUIRED,
    TERMINAL,
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseParty,
    CaseSource,
    CaseStatus,
    Department,
    Evidence,
    EvidenceKind,
    PartyKind,
    PartyRole,
    ViolationType,
    evidence_storage,
)
from .common import EnforcementQuerySet, NumberSequence  # noqa: F401
from .facilities import Designation, Facility, FacilityKind, LicenceState, UltrasoundDevice, designation_field  # noqa: F401
from .inspections import CHECK_FIELDS, Inspection  # noqa: F401
from .tips import REPORTER_FIELDS, Tip, TipChannel, TipStatus  # noqa: F401
