"""Small display helpers for the enforcement templates (badge colours that pass WCAG AA)."""

from django import template

register = template.Library()

CASE_TONES = {
    "received": "secondary",
    "preliminary": "info",
    "filed": "primary",
    "not_filed": "dark",
    "investigating": "primary",
    "referred": "warning",
    "decided": "warning",
    "enforced": "info",
    "closed": "success",
}
TIP_TONES = {"pending": "warning", "case_opened": "primary", "dismissed": "secondary"}
LICENCE_TONES = {"valid": "success", "expiring": "warning", "expired": "danger"}


@register.filter
def case_tone(status: str) -> str:
    return CASE_TONES.get(status, "secondary")


@register.filter
def tip_tone(status: str) -> str:
    return TIP_TONES.get(status, "secondary")


@register.filter
def licence_tone(state: str) -> str:
    return LICENCE_TONES.get(state, "secondary")


@register.simple_tag
def licence_state(facility, today):
    return facility.licence_state(today)
