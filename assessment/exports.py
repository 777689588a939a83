"""The weekly report as .xlsx (``core.excel``): one sheet for the county, one per township.

A clerk's file has only their township's sheet (``report_view`` already holds only what the user
may see). Values are the stored figures, so the file matches the page.
"""
from django.utils.translation import gettext as _

from core.excel import Sheet, build_workbook_sheets

from .selectors.ranking import rank_change_label
from .selectors.rectifications import KEYS as RECTIFICATION_KEYS
from .selectors.weekly import ReportView


def _rectification_headers() -> list[str]:
    return [_("本周交办"), _("按时完成"), _("逾期完成"), _("未完成"), _("退回"), _("逾期")]


def _value(value):
    return "" if value is None else value


def _unit(line) -> str:
    return "%" if line.indicator.kind == "rate" else ""


def _week_note(view: ReportView) -> str:
    return _("%(s)s（周一）至 %(e)s（周日），与上周比较。") % {"s": view.start, "e": view.last_day}


def _county_sheet(view: ReportView) -> Sheet:
    rows = [[line.indicator.label, _value(line.value), _value(line.previous), _value(line.change), _unit(line)]
            for line in view.county_lines]
    townships = [s.section.township.name for s in view.sections]
    rows += [[], [_("各镇街本周数字"), *townships]]
    for n, indicator in enumerate(view.indicators):
        rows.append([indicator.label, *[_value(s.lines[n].value) for s in view.sections]])
    rows += [[], [_("存在问题"), _("镇/街道")]]
    for s in view.sections:
        rows += [[p["text"], s.section.township.name] for p in s.problems]
    rows += [[text, _("全县")] for text in view.county_problems]
    if view.rectifications:
        rows += [[], [_("整改情况"), *_rectification_headers()]]
        rows += [[s.section.township.name, *[s.rectifications.get(k, 0) for k in RECTIFICATION_KEYS]]
                 for s in view.sections]
        rows.append([_("全县"), *[view.rectifications.get(k, 0) for k in RECTIFICATION_KEYS]])
    rows += [[], [_("大走访（工作组）"), _("村/社区"), _("镇/街道"), _("本周走访"), _("上周走访")]]
    rows += [[r["group"], r["village"], r["township"], r["visits"], r["previous"]]
             for r in view.outreach.get("rows", [])]
    ranking = view.ranking or {}
    rows += [[], [_("%(year)s 年度考核排名") % {"year": ranking.get("year", "")}, _("镇/街道"), _("年度成绩"),
                  _("名次变化")]]
    rows += [[r["rank"] or _("待评定"), r["township"], _value(r["total"]), rank_change_label(r["change"])]
             for r in ranking.get("rows", [])]
    return Sheet(title=_("每周通报（全县）"), notes=[_week_note(view)],
                 headers=[_("指标"), _("本周"), _("上周"), _("变化"), _("单位")], rows=rows,
                 widths=[30, 12, 12, 12, 12] + [10] * len(townships), sheet_title=_("全县"))


def _township_sheet(view: ReportView, part) -> Sheet:
    rows = [[line.indicator.label, _value(line.value), _value(line.previous), _value(line.change),
             _value(line.average), _unit(line)] for line in part.lines]
    rows += [[], [_("存在问题")]] + [[p["text"]] for p in part.problems]
    if not part.problems:
        rows.append([_("本周没有发现问题。")])
    if part.rectifications:
        rows += [[], [_("整改情况"), *_rectification_headers()],
                 ["", *[part.rectifications.get(k, 0) for k in RECTIFICATION_KEYS]]]
    name = part.section.township.name
    return Sheet(title=_("每周通报（%(t)s）") % {"t": name}, notes=[_week_note(view)],
                 headers=[_("指标"), _("本周"), _("上周"), _("变化"), _("全县镇街平均"), _("单位")], rows=rows,
                 widths=[30, 12, 12, 12, 14, 8], sheet_title=name)


def report_workbook(view: ReportView) -> bytes:
    sheets = [_county_sheet(view)] if view.county else []
    sheets += [_township_sheet(view, part) for part in view.sections]
    return build_workbook_sheets(sheets)
