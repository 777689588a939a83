"""The Excel import's upload form. It checks the file's name and size only; reading the sheet
and every rule live in services/exchange.py. (Exports reuse the list pages' filter forms.)"""
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_common import crispy_helper
from .services.exchange import IMPORT_MAX_BYTES, IMPORT_MAX_ROWS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}", "data-testid": "import-file"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("一行一对夫妇，表头须在前 5 行内；文件上限 %(mb)d MB，每次最多 %(rows)d 行。") % {
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
