"""The one role mechanism every app reuses: a role code on the user and a capability map.

A capability is a plain string such as ``"register.change"``. Views ask
``user.can("register.change")`` (or use ``@capability_required``) and templates ask
``{% if perms_of.register_change %}`` through the navigation context processor.
Which *records* a role sees is a separate question, answered by ``visible_to(user)``.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("镇街专干")
    BUREAU_STAFF = "bureau_staff", _("局机关干部")
    CLINICIAN = "clinician", _("服务站医生")
    INSPECTOR = "inspector", _("执法人员")
    LEADER = "leader", _("局班子成员")
    AUDITOR = "auditor", _("审计管理员")
    ADMIN = "admin", _("系统管理员")


class Cap:
    """Capability names. Kept as constants so a typo is an AttributeError, not a silent False."""

    REGISTER_VIEW = "register.view"  # browse households, couples and visits in scope
    REGISTER_CHANGE = "register.change"  # register households, couples, surveys, assignments
    REGISTER_IMPORT = "register.import"  # upload the townships' Excel sheets
    VISIT_RECORD = "visit.record"  # follow-up visits to couples (township clerks)
    REGISTER_STATS = "register.stats"  # per-township aggregates
    # The couple register (摸底造册), follow-up visits and due lists are the township's work;
    # bureau staff record outreach (大走访) to households instead. Two capabilities keep the menus
    # and the 403s apart.
    COUPLE_VIEW = "couple.view"  # register list, follow-up visit list, due and overdue
    OUTREACH_RECORD = "outreach.record"  # 大走访 to households of linked villages
    # 显示完整号码: reveal one person's full ID number on purpose (audited). Pages show it masked
    # (PIPL "minimum necessary"); the township clerk who registers and serves the family needs the
    # whole number now and then, bureau staff never.
    ID_REVEAL = "person.reveal_id"
    # Pre-pregnancy screening (PIPL Art. 28: lab values and risk factors are sensitive). Three
    # capabilities keep three audiences apart: the pathway status (that a screening happened,
    # the risk level, what is due next) for the township; lab values, risk factors and letters
    # for clinicians only; the programme's rates and their masked lists for leaders.
    SCREENING_VIEW = "screening.view"  # the pathway queue and a couple's pathway status
    SCREENING_RESULTS = "screening.results"  # lab values, risk factors, advice, the letter
    SCREENING_CHANGE = "screening.change"  # screenings, results, assessment, follow-ups
    SCREENING_RATES = "screening.rates"  # coverage and follow-up rates, masked lists behind them
    ENFORCEMENT_VIEW = "enforcement.view"
    ENFORCEMENT_CHANGE = "enforcement.change"
    # Opening or downloading an evidence file is an inspector's act: leaders read the evidence
    # list (names, kinds, sizes, SHA-256, who added them) with the case, not the files.
    EVIDENCE_OPEN = "enforcement.evidence_open"
    ASSESSMENT_VIEW = "assessment.view"  # leaders: the county; clerks: their own township
    # The roles that *may be granted* assessment entry. The role alone is not enough (DESIGN.md:
    # "if the admin grants it"): assessment.permissions.is_assessor also needs an active
    # assessment.Assessor grant for the user. Granted assessors see every township's assessment.
    ASSESSMENT_CHANGE = "assessment.change"
    AUDIT_VIEW = "audit.view"
    ADMIN_SITE = "admin.site"


# DESIGN.md, "Roles and what they may see". Least privilege: the admin manages users and the
# org tree but is not a back door into personal records; only the auditor reads the audit trail.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CLERK: frozenset({
        Cap.REGISTER_VIEW, Cap.REGISTER_CHANGE, Cap.REGISTER_IMPORT, Cap.VISIT_RECORD, Cap.COUPLE_VIEW,
        Cap.ID_REVEAL, Cap.SCREENING_VIEW, Cap.ASSESSMENT_VIEW,
    }),
    Role.BUREAU_STAFF: frozenset({Cap.REGISTER_VIEW, Cap.OUTREACH_RECORD, Cap.ASSESSMENT_CHANGE}),
    Role.CLINICIAN: frozenset({Cap.SCREENING_VIEW, Cap.SCREENING_RESULTS, Cap.SCREENING_CHANGE, Cap.SCREENING_RATES}),
    Role.INSPECTOR: frozenset({Cap.ENFORCEMENT_VIEW, Cap.ENFORCEMENT_CHANGE, Cap.EVIDENCE_OPEN}),
    Role.LEADER: frozenset({
        # Leaders see screening as rates and masked lists only, not the couples' pathway.
        Cap.REGISTER_STATS, Cap.SCREENING_RATES, Cap.ENFORCEMENT_VIEW, Cap.ASSESSMENT_VIEW, Cap.ASSESSMENT_CHANGE,
    }),
    Role.AUDITOR: frozenset({Cap.AUDIT_VIEW}),
    Role.ADMIN: frozenset({Cap.ADMIN_SITE}),
}


def capabilities_of(role: str) -> frozenset[str]:
    return ROLE_CAPABILITIES.get(role, frozenset())
