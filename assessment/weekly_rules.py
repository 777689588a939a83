"""The problems the Monday briefing lists per township, so the meeting can assign fixes.

Each rule reads the township's figures of the week (by indicator key) and answers the parameters
of its message, or None. A rule whose indicators no app publishes is skipped, so rules for
screening and enforcement start to apply as those apps land. A problem is stored with its rule
key, parameters and the Chinese text of the day; pages render the text from the rule again (so
it follows the user's language) and fall back to the stored text for a rule that no longer exists.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.numbers import format_number

OVERDUE_LONG = "households.followups_overdue_long"
OVERDUE = "households.followups_overdue"
VISITS = "households.visits_recorded"
ON_TIME = "households.visits_on_time"
TIPS_OVERDUE = "enforcement.tips_overdue"


class Figures:
    """One township's (or the county's) figures of a week as the rules see them."""

    def __init__(self, values: dict, previous: dict, meta: dict):
        self.values, self.previous, self.meta = values, previous, meta

    def has(self, key: str) -> bool:
        return key in self.meta

    def value(self, key: str):
        return self.values.get(key)

    def before(self, key: str):
        return self.previous.get(key)

    def target(self, key: str):
        return (self.meta.get(key) or {}).get("target")


@dataclass(frozen=True)
class Rule:
    key: str
    needs: tuple[str, ...]
    text: str  # lazy, with %(name)s parameters
    test: Callable[[Figures], dict | None]
    drill: str | None = None  # the indicator whose drill-down lists the records behind it


def _positive(key):
    def test(f: Figures):
        n = f.value(key) or 0
        return {"n": n} if n > 0 else None
    return test


def _no_visits(f: Figures):
    return {} if not f.value(VISITS) else None


def _on_time_low(f: Figures):
    value, target = f.value(ON_TIME), f.target(ON_TIME)
    if value is None or target is None or value >= target:
        return None
    return {"v": _fmt(value), "t": _fmt(target)}


def _overdue_rising(f: Figures):
    now, before = f.value(OVERDUE), f.before(OVERDUE)
    if now is None or before is None or now <= before:
        return None
    return {"d": now - before, "p": before, "v": now}


def _fmt(number) -> str:
    return format_number(number, 1, trim=True)


RULES = [
    Rule("overdue_long", (OVERDUE_LONG,), _("随访逾期超过 14 天：%(n)s 对夫妇"), _positive(OVERDUE_LONG), OVERDUE_LONG),
    Rule("tips_overdue", (TIPS_OVERDUE,), _("举报超过办理期限未处理：%(n)s 件"), _positive(TIPS_OVERDUE), TIPS_OVERDUE),
    Rule("no_visits", (VISITS,), _("本周没有记录随访"), _no_visits),
    Rule("on_time_low", (ON_TIME,), _("按时随访率 %(v)s%%，低于目标 %(t)s%%"), _on_time_low, ON_TIME),
    Rule("overdue_rising", (OVERDUE,), _("逾期未访比上周增加 %(d)s 对（%(p)s → %(v)s）"), _overdue_rising, OVERDUE),
]
# County-level: the bureau's own outreach (大走访), from the work-group table.
GROUP_RULE = Rule("group_no_outreach", (), _("工作组“%(group)s”本周没有走访记录（联系 %(villages)s 个村/社区）"),
                  lambda f: None)
# Per township: rectifications (整改) not accepted by their deadline at the week's end
# (selectors.rectifications.week_counts); the link goes to that township's overdue list.
RECTIFICATION_RULE = Rule("rectifications_overdue", (), _("整改逾期未完成：%(n)s 项"), lambda f: None)
RULE_BY_KEY = {rule.key: rule for rule in [*RULES, GROUP_RULE, RECTIFICATION_RULE]}


def problems_of(figures: Figures) -> list[dict]:
    """The problems of one township's figures, in rule order: ``{rule, params, text, indicator}``."""
    found = []
    for rule in RULES:
        if not all(figures.has(key) for key in rule.needs):
            continue
        params = rule.test(figures)
        if params is not None:
            found.append(problem(rule, params))
    return found


def problem(rule: Rule, params: dict) -> dict:
    return {"rule": rule.key, "params": params, "text": str(rule.text) % params, "indicator": rule.drill}


def problem_text(stored: dict) -> str:
    """A stored problem's text in the current language (its stored text if the rule is gone)."""
    rule = RULE_BY_KEY.get(stored.get("rule"))
    if rule is None:
        return stored.get("text", "")
    try:
        return str(rule.text) % stored.get("params", {})
    except (KeyError, TypeError, ValueError):
        return stored.get("text", "")
