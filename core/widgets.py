"""Form widgets every app can use."""
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


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
            parts.append(format_html('<option value="{}"{}>{}</option>', option_value,
                                     mark_safe(" selected") if selected else "", label))  # nosec B308 B703: a constant
        parts.append("</select>")
        return mark_safe("".join(parts))  # nosec B308 B703: every part above is escaped by format_html

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
