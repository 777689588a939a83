"""Template helpers for screening pages."""
from django import template

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    """``{% if user|can:"screening.change" %}``: the same check the views make."""
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
