"""core.forms: input hygiene, messages that speak to a clerk, plausible dates — for every form."""
import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from core.forms import FilterFormMixin, Form, PlausibleDateField, StandardFormMixin, clean_text, years

DAY = datetime.timedelta(days=1)


class Sample(Form):
    name = forms.CharField(label="姓名", max_length=8)
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea)
    count = forms.IntegerField(label="人数", min_value=0, max_value=9, required=False)
    day = forms.DateField(label="日期", required=False)
    village = forms.ChoiceField(label="村/社区", choices=[("1", "李家村")], required=False)
    secret = forms.CharField(label="密码", required=False, widget=forms.PasswordInput)


def errors(data: dict) -> dict:
    form = Sample(data)
    form.is_valid()
    return form.errors


# --- hygiene ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "kept"), [
    ("王\x00芳", "王芳"),
    ("王\x1b[31m芳", "王[31m芳"),
    ("王\x7f芳\x85", "王芳"),
    ("王\u200b芳\ufeff", "王芳"),
    ("\u202e芳王", "芳王"),  # a right-to-left override would show the name reversed
    ("王\ud800芳", "王芳"),  # a lone surrogate cannot be stored as UTF-8
    ("王\t芳\r\n", "王 芳"),  # one-line field: tab and line break become a space (then trimmed)
])
def test_text_fields_drop_control_and_invisible_characters(typed, kept):
    form = Sample({"name": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == kept


def test_textarea_keeps_newlines_and_tabs_and_normalises_line_breaks():
    form = Sample({"name": "王芳", "notes": "第一行\r\n第二行\t备注\x00\u2028第三行"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["notes"] == "第一行\n第二行\t备注\n第三行"


def test_hygiene_works_on_query_dicts_as_posted():
    form = Sample(QueryDict("name=%E7%8E%8B%00%E8%8A%B3&notes=a%0Db"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "王芳"
    assert form.cleaned_data["notes"] == "a\nb"


def test_passwords_are_left_exactly_as_typed():
    form = Sample({"name": "王芳", "secret": "a\tb\x01c"})
    assert form.is_valid()
    assert form.cleaned_data["secret"] == "a\tb\x01c"


def test_the_form_shown_again_holds_the_cleaned_text():
    form = Sample({"name": "王芳王芳王芳王芳王\x00"})
    assert not form.is_valid()
    assert form["name"].value() == "王芳王芳王芳王芳王"


def test_clean_text_one_line_and_multiline():
    assert clean_text("a\nb") == "a b"
    assert clean_text("a\nb", multiline=True) == "a\nb"


# --- messages --------------------------------------------------------------------------------
def test_stock_messages_name_the_field():
    assert errors({"name": "王芳王芳王芳王芳王"})["name"] == ["姓名最多 8 个字（现在 9 个）。"]
    assert errors({})["name"] == ["请填写姓名。"]
    assert errors({"name": "王芳", "count": "x"})["count"] == ["人数请填写整数。"]
    assert errors({"name": "王芳", "count": "12"})["count"] == ["人数不能大于 9。"]
    assert errors({"name": "王芳", "count": "-1"})["count"] == ["人数不能小于 0。"]
    assert errors({"name": "王芳", "day": "2025-02-30"})["day"] == ["日期不是有效的日期，请按 2026-03-01 的格式填写。"]
    assert errors({"name": "王芳", "village": "9"})["village"] == ["所选的村/社区不在可选范围内，请重新选择。"]


def test_a_message_the_form_sets_itself_is_kept():
    class Custom(Form):
        name = forms.CharField(label="姓名", error_messages={"required": "先写名字。"})

    form = Custom({})
    form.is_valid()
    assert form.errors["name"] == ["先写名字。"]


def test_fields_added_in_init_get_the_messages_too():
    class Late(Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["phone"] = forms.CharField(label="联系电话", max_length=3)

    form = Late({"phone": "1234"})
    form.is_valid()
    assert form.errors["phone"] == ["联系电话最多 3 个字（现在 4 个）。"]


def test_messages_follow_the_language(settings):
    from django.utils import translation

    with translation.override("en"):
        assert errors({"name": "王芳王芳王芳王芳王"})["name"] == ["姓名: at most 8 characters (it has 9)."]


# --- plausible dates -------------------------------------------------------------------------
class Dates(Form):
    born = PlausibleDateField(label="出生日期", past=years(120))
    next_visit = PlausibleDateField(label="下次随访日期", required=False, past=None, future=years(1))


def test_plausible_date_refuses_the_future_a_mistyped_year_and_far_ahead():
    today = timezone.localdate()
    form = Dates({"born": (today + DAY).isoformat()})
    assert not form.is_valid() and form.errors["born"] == ["出生日期不能晚于今天。"]
    form = Dates({"born": "1026-05-01"})
    assert not form.is_valid() and "出生日期不能早于" in form.errors["born"][0]
    form = Dates({"born": "1990-05-01", "next_visit": "9999-12-31"})
    assert not form.is_valid() and form.errors["next_visit"][0].startswith("下次随访日期不能晚于 ")
    assert Dates({"born": "1990-05-01", "next_visit": (today + 30 * DAY).isoformat()}).is_valid()


class _Dates(Form):
    day = forms.DateField(label="检查日期", required=False)
    moment = forms.DateTimeField(label="受理时间", required=False)
    any_day = PlausibleDateField(label="出生日期", past=None, required=False)


@pytest.mark.parametrize(("name", "typed", "refused"), [
    ("day", "0001-01-01", True), ("day", "1899-12-31", True), ("day", "1900-01-01", False),
    ("moment", "0001-01-01 08:00", True), ("moment", "1899-12-31 23:59", True), ("moment", "1900-01-01 00:00", False),
    ("any_day", "1899-12-31", True), ("any_day", "1900-01-01", False),
])
def test_no_date_before_1900_in_any_date_field(name, typed, refused):
    form = _Dates(data={name: typed})
    assert form.is_valid() is not refused
    if refused:
        label = form.fields[name].label
        assert form.errors[name] == [f"{label}不能早于 1900-01-01，请核对年份。"]


def test_the_1900_floor_is_added_once_however_often_a_form_is_validated():
    form = _Dates(data={"day": "1899-01-01"})
    form.is_valid()
    form.full_clean()
    assert form.errors["day"] == ["检查日期不能早于 1900-01-01，请核对年份。"]


def test_plausible_date_gives_the_picker_todays_bounds():
    today = timezone.localdate()
    widget = Dates()["born"].field.widget
    assert widget.attrs["max"] == today.isoformat()
    assert widget.attrs["min"] == (today - years(120)).isoformat()
    assert widget.input_type == "date"


# --- filters ---------------------------------------------------------------------------------
class Filters(FilterFormMixin, Form):
    q = forms.CharField(required=False)
    sort = forms.ChoiceField(choices=[("due", "到期"), ("village", "村")], required=False)
    status = forms.ChoiceField(choices=[("", "全部"), ("void", "已作废")], required=False)


def test_filters_unfold_only_when_set_away_from_their_default():
    assert not Filters().has_filters
    assert not Filters({"q": "李", "sort": "due", "status": ""}).has_filters
    assert Filters({"q": "李", "sort": "village"}).has_filters
    assert Filters({"status": "void"}).has_filters


# --- every form of the project ---------------------------------------------------------------
def _project_forms():
    for label in settings.PROJECT_APPS:
        config = apps.get_app_config(label)
        package = importlib.import_module(config.name)
        for info in pkgutil.walk_packages(package.__path__, f"{config.name}."):
            if ".migrations" in info.name or ".management" in info.name or info.name.endswith(".demo"):
                continue
            importlib.import_module(info.name)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    apps_prefixes = tuple(f"{apps.get_app_config(label).name}." for label in settings.PROJECT_APPS)
    return sorted((c for c in seen if c.__module__.startswith(apps_prefixes)), key=lambda c: c.__qualname__)


def test_every_form_of_every_app_gets_hygiene_and_clerk_messages():
    found = _project_forms()
    assert len(found) > 10  # the households forms at least: the walk really found them
    missing = [f"{c.__module__}.{c.__qualname__}" for c in found if not issubclass(c, StandardFormMixin)]
    assert not missing, (
        "these forms do not use core.forms (StandardFormMixin, or core.forms.Form / ModelForm as the "
        f"base class): {missing}")
