"""A list filter's field without crispy-forms (templates/_filter_field.html).

crispy's field template took 30% of the household list's time under gunicorn (py-spy, issue #7):
a list's filters need a label, a Bootstrap class on the widget and the field's errors, nothing else.
"""
from django import forms, template

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
