"""The one role mechanism every app reuses: a role code on the user and a capability map.

A capability is a plain string such as ``"register.change"``. Views ask
``user.can("register.change")`` (or use ``@capability_required``); pages get what they show from
their view's context. A user holds the capabilities of their role (``ROLE_CAPABILITIES``) and
those of any grant they hold (``GRANTS``: the admin grants a bureau staff member assessment
entry, say). Which *records* a user sees is a separate question, answered by ``visible_to(user)``.
"""
from collections.abc import Callable
from dataclasses import dataclass

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
    ASSESSMENT_VIEW = "assessment.view"  # leaders: the county; clerks: their own township
    ASSESSMENT_COUNTY = "assessment.county"  # every township's assessment, open years included
    # The roles that *may be granted* assessment entry. The role alone is not enough (docs/domain.md,
    # Roles: "if granted"): an active assessment.Assessor grant adds ASSESSMENT_ENTER (and the
    # county's view) to such a user (``GRANTS`` below; assessment/permissions.py).
    ASSESSMENT_CHANGE = "assessment.change"
    ASSESSMENT_ENTER = "assessment.enter"  # checks, year-end scores, publicity sites: granted only
    ASSESSMENT_LIAISON = "assessment.liaison"  # leaders: their liaison townships (联系点)
    ASSESSMENT_BRIEFING = "assessment.briefing"  # leaders: the weekly briefing's lists, its rebuild
    AUDIT_VIEW = "audit.view"
    ADMIN_SITE = "admin.site"


# docs/domain.md, "Roles and what they may see". Least privilege: the admin manages users and the
# org tree but is not a back door into personal records; only the auditor reads the audit trail.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.CLERK: frozenset({
        Cap.REGISTER_VIEW, Cap.REGISTER_CHANGE, Cap.REGISTER_IMPORT, Cap.VISIT_RECORD, Cap.COUPLE_VIEW,
        Cap.ID_REVEAL, Cap.SCREENING_VIEW, Cap.ASSESSMENT_VIEW,
    }),
    Role.BUREAU_STAFF: frozenset({Cap.REGISTER_VIEW, Cap.OUTREACH_RECORD, Cap.ASSESSMENT_CHANGE}),
    Role.CLINICIAN: frozenset({Cap.SCREENING_VIEW, Cap.SCREENING_RESULTS, Cap.SCREENING_CHANGE, Cap.SCREENING_RATES}),
    Role.INSPECTOR: frozenset({Cap.ENFORCEMENT_VIEW, Cap.ENFORCEMENT_CHANGE}),
    Role.LEADER: frozenset({
        # Leaders see screening as rates and masked lists only, not the couples' pathway.
        Cap.REGISTER_STATS, Cap.SCREENING_RATES, Cap.ENFORCEMENT_VIEW, Cap.ASSESSMENT_VIEW, Cap.ASSESSMENT_CHANGE,
        Cap.ASSESSMENT_COUNTY, Cap.ASSESSMENT_LIAISON, Cap.ASSESSMENT_BRIEFING,
    }),
    Role.AUDITOR: frozenset({Cap.AUDIT_VIEW}),
    Role.ADMIN: frozenset({Cap.ADMIN_SITE}),
}


def capabilities_of(role: str) -> frozenset[str]:
    return ROLE_CAPABILITIES.get(role, frozenset())


def roles_with(capability: str) -> list[str]:
    """The roles whose map holds ``capability``, in the order of ``Role``."""
    return [role for role in Role.values if capability in capabilities_of(role)]


@dataclass(frozen=True)
class Grant:
    """Capabilities a user holds by a grant (a row the admin keeps in some app), on top of the
    role's: ``holds(user)`` answers whether this user has it (cheaply: it is asked on every page
    whose menu or checks name one of ``capabilities``)."""

    name: str
    capabilities: frozenset[str]
    holds: Callable[[object], bool]


# Filled when Django starts by the apps that keep grants (assessment: its Assessor rows,
# AssessmentConfig.ready). accounts knows the capabilities, never the apps' tables.
GRANTS: dict[str, Grant] = {}


def register_grant(*, name: str, capabilities, holds: Callable[[object], bool]) -> None:
    GRANTS[name] = Grant(name, frozenset(capabilities), holds)


def granted(user, capability: str) -> bool:
    """Whether a grant gives ``user`` this capability (the role's map aside)."""
    return any(capability in grant.capabilities and grant.holds(user) for grant in GRANTS.values())


def granted_capabilities(user) -> frozenset[str]:
    return frozenset().union(*(grant.capabilities for grant in GRANTS.values() if grant.holds(user)))
