"""Form widgets every app can use."""
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import mark_safe


def _escape(value) -> str:
    """django.utils.html.conditional_escape, as text: safe strings as they are, the rest escaped
    (a format_html() call per option was most of a 60-option select's cost)."""
    if isinstance(value, Promise):
        value = str(value)
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


class FastSelect(forms.Select):
    """A ``<select>`` whose options are written in Python instead of one template render each.

    The same HTML as Django's ``Select``. A list page's village filter has 60-odd options; rendered
    through the widget templates they cost a quarter of the household list's time (issue #7's
    profile), for markup that never changes shape.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Not list(): it asks a ModelChoiceIterator for its len(), a COUNT query of its own.
        choices = [choice for choice in self.choices]  # noqa: C416
        if any(isinstance(label, (list, tuple)) for _value, label in choices):
            return self._render_groups(name, value, attrs)
        values = self.format_value(value)
        parts = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        chosen = False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen and option_value in values
            chosen |= selected
            parts.append(f'<option value="{escape(option_value)}"{" selected" if selected else ""}>'
                         f'{_escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # nosec B308 B703: every part above is escaped

    def _render_groups(self, name, value, attrs):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(format_html('<option value="{}"{}>{}</option>', str(option["value"]),
                                         flatatt(option["attrs"]), option["label"]))
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # nosec B308 B703: every part above is escaped by format_html


class FastInputMixin:
    """An ``<input>`` written in Python: the same HTML as Django's ``input.html`` template (type,
    name, value when there is one, then the attributes in their order; ``True`` as a bare name,
    ``False`` left out), without a template render per field. List filters use it
    (core/templatetags/core_forms.py): rendered by the template, three filter fields cost as much
    as the household list's 25 rows."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        # As the template: {{ }} escapes what is not already safe (``stringformat`` keeps safety).
        parts = [f'<input type="{_escape(widget["type"])}" name="{_escape(widget["name"])}"']
        if widget["value"] is not None:
            parts.append(f' value="{_escape(widget["value"])}"')
        for key, item in widget["attrs"].items():
            if item is True:
                parts.append(f" {_escape(key)}")
            elif item is not False:
                parts.append(f' {_escape(key)}="{_escape(item)}"')
        parts.append(">")
        return mark_safe("".join(parts))  # nosec B308 B703: every part above is escaped


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


# Django's widget → its Python-written twin, for widgets rendered by Django's plain templates.
FAST_WIDGETS = {forms.TextInput: FastTextInput, forms.NumberInput: FastNumberInput, forms.DateInput: FastDateInput,
                forms.Select: FastSelect}


def fast_widget(widget):
    """``widget`` as its Python-written twin (a shallow copy), or itself when it has none (other
    widgets, subclasses with a template or rendering of their own)."""
    fast = FAST_WIDGETS.get(type(widget))
    if fast is None:
        return widget
    twin = fast.__new__(fast)
    twin.__dict__.update(widget.__dict__)  # a shallow copy (copy.copy's protocol costs more)
    return twin
