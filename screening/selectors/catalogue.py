"""Is the catalogue's rule set complete? Every way a result can be judged abnormal must meet at
least one active rule: one that proposes a risk factor, or an explicit "no factor" entry that says
why it proposes none (``RiskRule.no_factor_reason``). A missing rule would leave a couple with an
abnormal result in 一般人群 with nobody referred, so completeness is checked, not trusted:
``uncovered_conditions()`` is empty on the seeded catalogue (tests/screening/test_rules_complete.py)
and the ``screening_rules_check`` command reports what a county's own additions left uncovered.

The check goes through the same code as a real entry: for each abnormal condition it judges a
sample value with ``screening.judging.judge`` and asks each rule ``RiskRule.matches``.
"""
from dataclasses import dataclass
from decimal import Decimal

from ..models import ResultField, RiskRule, ScreeningResult, Subject
from ..judging import judge

# The smallest step a value can be typed in (the stored precision): a sample just past a limit.
STEP = Decimal("0.001")


@dataclass(frozen=True)
class Condition:
    """One way a field's result is judged abnormal for one spouse, with a value that shows it."""

    field: ResultField
    subject: str
    what: str  # "low", "high" or "= <choice code>"
    sample: str

    def __str__(self):
        return f"{self.field.code} ({self.subject}) {self.what}: {self.sample}"

    @property
    def subject_label(self) -> str:
        return str(Subject(self.subject).label)

    @property
    def what_label(self) -> str:
        if self.what in WHEN_TEXT:
            return WHEN_TEXT[self.what]
        return f"= {self.field.choice_label(self.sample)}"


def abnormal_conditions(field: ResultField) -> list[Condition]:
    """Each way ``field`` can be judged abnormal for each spouse its item applies to: below the
    reference range, above it (only where a plausible value lies there), or an abnormal choice."""
    out = []
    for subject in (Subject.FEMALE, Subject.MALE):
        if not field.item.applies_to(subject):
            continue
        if field.kind == ResultField.Kind.NUMBER:
            low, high = field.range_for(subject)
            if low is not None and (field.plausible_low is None or field.plausible_low < low):
                out.append(Condition(field, subject, "low", str(low - STEP)))
            if high is not None and (field.plausible_high is None or field.plausible_high > high):
                out.append(Condition(field, subject, "high", str(high + STEP)))
        elif field.kind == ResultField.Kind.CHOICE:
            normal = {str(v) for v in field.normal_values}
            out += [Condition(field, subject, f"= {code}", str(code))
                    for code, _label in field.choices if str(code) not in normal]
    return out


def rules_met(condition: Condition, rules) -> list[RiskRule]:
    """The rules (of any field) that a result showing ``condition`` meets."""
    row = judge(condition.field, condition.subject, number=condition.sample, choice=condition.sample)
    result = ScreeningResult(field=condition.field, subject=condition.subject, is_abnormal=bool(row["auto_abnormal"]),
                             **row)
    return [rule for rule in rules if rule.field_id == condition.field.pk and rule.matches(result)]


def uncovered_conditions() -> list[Condition]:
    """Every abnormal condition of the active catalogue that no active rule or "no factor" entry
    meets. Two queries whatever the catalogue's size."""
    fields = list(ResultField.objects.filter(is_active=True, item__is_active=True).select_related("item")
                  .order_by("item__number", "sort_order", "id"))
    rules = list(RiskRule.objects.active())
    return [c for f in fields for c in abnormal_conditions(f) if not rules_met(c, rules)]


def rule_table() -> list[dict]:
    """The field → rule table (docs/screening-rules.md is generated from it): per active field,
    its ranges and each active rule or "no factor" entry."""
    fields = list(ResultField.objects.filter(is_active=True, item__is_active=True).select_related("item")
                  .prefetch_related("rules").order_by("item__number", "sort_order", "id"))
    return [{"field": f, "conditions": abnormal_conditions(f),
             "rules": [r for r in f.rules.all() if r.is_active]} for f in fields]


WHEN_TEXT = {"abnormal": "异常", "low": "低于下限", "high": "高于上限"}


def _range_text(field: ResultField) -> str:
    if field.kind == ResultField.Kind.NUMBER:
        female, male = field.reference_text(Subject.FEMALE), field.reference_text(Subject.MALE)
        text = female if female == male or not field.item.for_male else f"女 {female}；男 {male}"
        return f"{text} {field.unit}".strip()
    return field.reference_text(Subject.FEMALE)


def _rule_text(rule: RiskRule, field: ResultField) -> str:
    when = f"= {field.choice_label(rule.value)}" if rule.when == RiskRule.When.EQUALS else WHEN_TEXT[rule.when]
    if not rule.proposes:
        return f"{when} → 不提出风险因素：{rule.no_factor_reason}"
    return f"{when} → {rule.factor}（{RiskRule(domain=rule.domain).get_domain_display()}）"


def rule_table_markdown() -> str:
    """The field → rule table as docs/screening-rules.md prints it (a test keeps them equal)."""
    lines = ["| 项目 | 字段（代码） | 正常 | 规则 |", "|---|---|---|---|"]
    for row in rule_table():
        field = row["field"]
        rules = "<br>".join(_rule_text(r, field) for r in row["rules"])
        if not rules:
            rules = "—（文字，不判断）" if field.kind == ResultField.Kind.TEXT else "—（任何结果都正常）"
        lines.append(f"| {field.item.number} {field.item.name} | {field.name}（`{field.code}`） | "
                     f"{_range_text(field) or '—'} | {rules} |")
    return "\n".join(lines) + "\n"
