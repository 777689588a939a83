from .catalogue import ResultField, RiskDomain, RiskRule, ScreeningItem, Subject, display_number
from .followup import (
    DeliveryMethod, EarlyPregnancyFollowUp, Exposure, FolicAcid, Illness, InfantSex, Outcome, OutcomeFollowUp,
    PrenatalScreening,
)
from .pathway import PathwayState, QueueRank, Step
from .screening import (
    Consent, EarlyResult, OutcomeResult, RiskLevel, Screening, ScreeningQuerySet, ScreeningResult,
    ScreeningRiskFactor,
)

__all__ = [
    "ResultField", "RiskDomain", "RiskRule", "ScreeningItem", "Subject", "DeliveryMethod", "EarlyPregnancyFollowUp",
    "Exposure", "FolicAcid", "Illness", "InfantSex", "Outcome", "OutcomeFollowUp", "PrenatalScreening", "Consent",
    "EarlyResult", "OutcomeResult", "RiskLevel", "Screening", "ScreeningQuerySet", "ScreeningResult",
    "ScreeningRiskFactor", "PathwayState", "QueueRank", "Step", "display_number",
]
