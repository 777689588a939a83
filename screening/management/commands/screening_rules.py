"""Check the screening catalogue's rules for completeness, or print the field → rule table.

    manage.py screening_rules            # list abnormal conditions no rule meets; exit 1 if any
    manage.py screening_rules --markdown # the table docs/screening-rules.md carries

A county that adds an item or a field in the admin site runs the check afterwards: every way a
result can be judged abnormal needs a rule or an explicit "no factor" entry with its reason.
"""
from django.core.management.base import BaseCommand, CommandError

from screening.selectors.catalogue import rule_table_markdown, uncovered_conditions


class Command(BaseCommand):
    help = "检查风险评估规则是否完整（每种异常结果都有规则或“不提出风险因素”的说明），或输出字段与规则对照表。"

    def add_arguments(self, parser):
        parser.add_argument("--markdown", action="store_true", help="输出字段与规则对照表（Markdown）。")

    def handle(self, *args, markdown=False, **options):
        if markdown:
            self.stdout.write(rule_table_markdown(), ending="")
            return
        gaps = uncovered_conditions()
        for condition in gaps:
            self.stdout.write(f"没有规则：{condition.field.item.name} · {condition.field.name}"
                              f"（{condition.subject_label}）{condition.what_label}，如 {condition.sample}")
        if gaps:
            raise CommandError(f"{len(gaps)} 种异常结果没有规则，也没有“不提出风险因素”的说明。")
        self.stdout.write("规则完整：每种异常结果都有规则或“不提出风险因素”的说明。")
