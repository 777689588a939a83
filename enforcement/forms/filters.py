"""GET filter forms of the enforcement lists."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CaseSource, CaseStatus, Designation, TipChannel, TipStatus
from accounts.forms import township_field

from .common import ALL, FilterForm, year_choices

ACTIVE_CHOICES = [("active", _("在册")), ("inactive", _("已停用")), ("all", _("全部"))]


class FacilityFilterForm(FilterForm):
    search_placeholder = _("机构名称、许可证号、地址")
    township = township_field(required=False)
    designation = forms.ChoiceField(label=_("定点资质"), choices=ALL + Designation.choices, required=False)
    licence = forms.ChoiceField(
        label=_("许可证"), required=False, choices=ALL + [("expiring", _("30 天内到期")), ("expired", _("已过期"))]
    )
    status = forms.ChoiceField(label=_("状态"), choices=ACTIVE_CHOICES, required=False)
    # The registry is not counted over a period: no drilldown dates (and none sent to the selector).
    start = end = None


class DeviceFilterForm(FilterForm):
    search_placeholder = _("型号、编号、机构、操作人员")
    township = township_field(required=False)
    flagged = forms.BooleanField(label=_("仅看无B超定点资质的"), required=False)
    status = forms.ChoiceField(label=_("状态"), choices=ACTIVE_CHOICES, required=False)
    start = end = None  # no period, as for facilities


class TipFilterForm(FilterForm):
    search_placeholder = _("线索编号或举报内容")
    township = township_field(required=False)
    channel = forms.ChoiceField(label=_("举报方式"), choices=ALL + TipChannel.choices, required=False)
    status = forms.ChoiceField(label=_("处理状态"), choices=ALL + TipStatus.choices, required=False)
    year = forms.TypedChoiceField(label=_("年度"), choices=year_choices, coerce=int, empty_value=None, required=False)
    overdue = forms.BooleanField(label=_("仅看逾期未处理"), required=False)


class CaseFilterForm(FilterForm):
    search_placeholder = _("案件编号、案由或当事人")  # short enough for a 375 px field (the crawl checks)
    township = township_field(required=False)
    status = forms.ChoiceField(label=_("办理环节"), choices=ALL + CaseStatus.choices, required=False)
    source = forms.ChoiceField(label=_("案件来源"), choices=ALL + CaseSource.choices, required=False)
    year = forms.TypedChoiceField(label=_("年度"), choices=year_choices, coerce=int, empty_value=None, required=False)
    overdue = forms.BooleanField(label=_("仅看超期案件"), required=False)


class InspectionFilterForm(FilterForm):
    search_placeholder = _("机构名称或检查情况")
    township = township_field(required=False)
    year = forms.TypedChoiceField(label=_("年度"), choices=year_choices, coerce=int, empty_value=None, required=False)
    problems = forms.ChoiceField(
        label=_("检查结果"), required=False, choices=ALL + [("yes", _("发现问题")), ("no", _("未发现问题"))]
    )
