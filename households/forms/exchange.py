"""The Excel import's forms: the upload (the file's name and size only; reading the sheet and every
rule live in services/) and the column mapping. (Exports reuse the list pages' filter forms.)"""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from core.http import XLSX

from .. import sheets
from .common import crispy_helper
from ..services.import_sheet import IMPORT_MAX_BYTES, IMPORT_MAX_ROWS



class ImportUploadForm(Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}", "data-testid": "import-file"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("一行一对夫妇，表头须在前 10 行内；文件上限 %(mb)d MB，每次最多 %(rows)d 行。") % {
            "mb": IMPORT_MAX_BYTES // (1024 * 1024), "rows": IMPORT_MAX_ROWS}
        self.helper = crispy_helper(submit_label=_("上传并预览"))
        self.helper.attrs = {"enctype": "multipart/form-data", "data-testid": "import-upload-form"}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith((".xls", ".et", ".wps")):
            raise forms.ValidationError(_("不支持旧版 .xls/.et 格式：请在 Excel 或 WPS 中“另存为” .xlsx 后再上传。"))
        if not name.endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 Excel 文件（扩展名为 .xlsx）。"))
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("文件太大（%(size).1f MB），上限为 %(max)d MB；请拆分为多个文件分批导入。")
                % {"size": upload.size / (1024 * 1024), "max": IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ImportMappingForm(Form):
    """The column-mapping step: one drop-down per column of the sheet's header row.

    ``columns``: [{"col", "letter", "label", "samples"}]; ``mapping``: column index → field now.
    ``mapping()`` gives the clerk's choice; the rules (required fields present, no field twice)
    are the service's (``sheets.mapping_problems``), shown on this form when refused.
    """

    def __init__(self, *args, columns: list[dict], mapping: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— 不导入 —"))] + [
            (c.field, f"{c.label}{_('（必填）') if c.required else ''}") for c in sheets.COLUMNS]
        for column in columns:
            name = f"col_{column['col']}"
            label = column["label"] or _("（无表头）")
            self.fields[name] = forms.ChoiceField(
                label=f"{column['letter']} {_('列')}：{label}", required=False, choices=choices,
                initial=mapping.get(column["col"], ""),
                help_text=_("例：%(s)s") % {"s": "、".join(column["samples"])} if column["samples"] else "",
            )
            self.fields[name].widget.attrs["data-testid"] = f"map-{column['letter']}"

    def mapping(self) -> dict[int, str]:
        return {int(name[4:]): value for name, value in self.cleaned_data.items() if value}
