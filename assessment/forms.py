"""Forms of the assessment pages: they validate and normalise; services write."""
import io
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, ModelForm, date_input
from accounts.models import Township

from .models import Category, PublicitySite

SCORE_WIDGET = {"inputmode": "decimal", "autocomplete": "off", "class": "form-control score-input"}


class ScoreField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 6)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs=SCORE_WIDGET))
        kwargs.setdefault("error_messages", {
            "invalid": _("请输入数字，例如 18 或 18.5。"),
            "max_decimal_places": _("最多两位小数。"),
            "max_digits": _("数字太大。"),
            "max_whole_digits": _("数字太大。"),
        })
        super().__init__(**kwargs)


class TownshipRowsForm(Form):
    """A header plus one score row per active township: ``score_<id>`` and ``<note>_<id>``."""

    note_field = "findings"
    note_label = _("发现的问题")
    note_max = 500

    def __init__(self, *args, townships, initial_rows: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.townships = list(townships)
        for township in self.townships:
            score = ScoreField(label=_("%(name)s得分") % {"name": township.name})
            note = forms.CharField(label=_("%(name)s%(what)s") % {"name": township.name, "what": self.note_label},
                                   required=False, max_length=self.note_max,
                                   widget=forms.TextInput(attrs={"class": "form-control"}))
            if initial_rows and township.pk in initial_rows:
                score.initial, note.initial = initial_rows[township.pk]
            self.fields[f"score_{township.pk}"] = score
            self.fields[f"{self.note_field}_{township.pk}"] = note

    def rows(self):
        """(township, bound score field, bound note field) for the template."""
        return [(t, self[f"score_{t.pk}"], self[f"{self.note_field}_{t.pk}"]) for t in self.townships]

    def row_values(self):
        return [(t, self.cleaned_data.get(f"score_{t.pk}"), self.cleaned_data.get(f"{self.note_field}_{t.pk}", ""))
                for t in self.townships]


class BulkCheckForm(TownshipRowsForm):
    """One regular check across every township (blank score: not part of this check)."""

    category = forms.ChoiceField(label=_("考核类别"), choices=[("", "---------"), *Category.choices])
    title = forms.CharField(label=_("考核项目"), max_length=100, help_text=_("例如：一季度信息核查。"))
    check_date = forms.DateField(label=_("考核日期"), widget=date_input())
    maximum = ScoreField(label=_("满分"), required=True, min_value=Decimal("0.01"))

    field_order = ["category", "title", "check_date", "maximum"]

    def clean(self):
        data = super().clean()
        maximum = data.get("maximum")
        for township in self.townships:
            score = data.get(f"score_{township.pk}")
            if score is None:
                continue
            if score < 0:
                self.add_error(f"score_{township.pk}", _("得分不能为负数。"))
            elif maximum is not None and score > maximum:
                self.add_error(f"score_{township.pk}", _("得分 %(score)s 高于满分 %(maximum)s。") % {
                    "score": score, "maximum": maximum})
        check_date = data.get("check_date")
        if check_date and check_date > timezone.localdate():
            self.add_error("check_date", _("考核日期不能晚于今天。"))
        if not self.errors and not any(data.get(f"score_{t.pk}") is not None for t in self.townships):
            raise ValidationError(_("请至少填写一个镇街的得分。"))
        return data


class YearEndForm(TownshipRowsForm):
    note_field = "notes"
    note_label = _("说明")
    note_max = 300

    def clean(self):
        data = super().clean()
        for township in self.townships:
            score = data.get(f"score_{township.pk}")
            if score is not None and not (0 <= score <= 100):
                self.add_error(f"score_{township.pk}", _("年终考核得分须在 0 到 100 之间。"))
        return data


class YearForm(Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]


class PublicitySiteForm(ModelForm):
    township = forms.ModelChoiceField(label=_("镇/街道"), queryset=Township.objects.active())

    class Meta:
        model = PublicitySite
        fields = ["township", "name", "kind", "location", "status", "completion_date", "notes"]
        widgets = {"completion_date": date_input()}

    def clean(self):
        data = super().clean()
        if data.get("status") == PublicitySite.Status.DONE and not data.get("completion_date"):
            self.add_error("completion_date", _("已建成的阵地须填写建成日期。"))
        return data

    def _post_clean(self):
        # The service validates and writes; skip the model's own full_clean on the instance so a
        # refused change never touches the instance the page shows.
        pass


ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class PhotoForm(Form):
    """A photo checked by its content: decoded by Pillow, JPEG/PNG/WebP only, size-limited.

    The file name and the browser's content type are ignored: a renamed script or a truncated
    file is refused because it does not decode as an image.
    """

    image = forms.FileField(label=_("照片"), help_text=_("JPG、PNG 或 WebP 图片，不超过 5 MB。"))
    caption = forms.CharField(label=_("照片说明"), max_length=100, required=False)

    def clean_image(self):
        from PIL import Image, UnidentifiedImageError

        upload = self.cleaned_data["image"]
        if upload.size > settings.ASSESSMENT_PHOTO_MAX_BYTES:
            raise ValidationError(_("照片不能超过 %(mb)s MB。") % {"mb": settings.ASSESSMENT_PHOTO_MAX_BYTES // 2**20})
        content = upload.read()
        try:
            with Image.open(io.BytesIO(content)) as probe:
                image_format = probe.format
                width, height = probe.size
                probe.verify()
            # verify() checks the structure; a full decode catches truncated pixel data too.
            with Image.open(io.BytesIO(content)) as image:
                image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise ValidationError(_("文件不是有效的图片，请上传 JPG、PNG 或 WebP 照片。")) from None
        if image_format not in ALLOWED_FORMATS:
            raise ValidationError(_("只接受 JPG、PNG 或 WebP 照片。"))
        if max(width, height) > settings.ASSESSMENT_PHOTO_MAX_SIDE:
            raise ValidationError(
                _("照片尺寸过大（最长边不超过 %(px)s 像素）。") % {"px": settings.ASSESSMENT_PHOTO_MAX_SIDE})
        self.photo = {"content": content, "extension": ALLOWED_FORMATS[image_format], "width": width,
                      "height": height}
        return upload


class WeekForm(Form):
    """A week of the Monday briefing, given by any day in it (its Monday is used)."""

    week = forms.DateField(label=_("周（任选这周的一天）"), widget=date_input(
        **{"class": "form-control form-control-sm"}),
                           error_messages={"required": _("请选择一周。"), "invalid": _("请输入有效的日期，如 2026-11-23。")})

    def clean_week(self):
        from .weeks import monday_of

        return monday_of(self.cleaned_data["week"])
