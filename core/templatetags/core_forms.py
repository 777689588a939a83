"""A list filter's field without crispy-forms (templates/_filters.html).

crispy's field template took 30% of the household list's time under gunicorn (py-spy, issue #7):
a list's filters need a label, a Bootstrap class on the widget and the field's errors, nothing else.
Written in Python (``filter_field``): an ``{% include %}`` per field, then Django's widget templates,
were a quarter of the household list's rendering after that.
"""
from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.widgets import fast_widget

register = template.Library()


@register.filter
def filter_widget(bound_field):
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    # Inputs and selects are written in Python (the same HTML as Django's widget templates).
    return bound_field.as_widget(widget=fast_widget(widget), attrs={"class": css})


@register.filter
def filter_field(bound_field):
    """One list filter: its label, its widget (``filter_widget``) and its errors, each error in
    an ``invalid-feedback`` block."""
    errors = "".join(f'<div class="invalid-feedback">{conditional_escape(error)}</div>' for error in bound_field.errors)
    return mark_safe(  # nosec B308 B703: the label and errors are escaped, the widget is safe HTML
        f'<div class="mb-3">\n  <label for="{conditional_escape(bound_field.id_for_label)}" class="form-label">'
        f"{conditional_escape(bound_field.label)}</label>\n  {filter_widget(bound_field)}\n  {errors}\n</div>")
