"""Template helpers for the household list."""
from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def member_items(members) -> str:
    """The household's active members as ``<li>`` items: name, relation, masked ID number.

    Written in Python because it is the innermost loop of the busiest page (25 households × their
    members): as template tags it was a third of the household list's rendering (issue #7).
    """
    if not members:
        return format_html('<li class="text-body-secondary">{}</li>', _("无在册成员"))
    return format_html_join(
        "\n", '<li>{} <span class="text-body-secondary">{}</span> '
              '<span class="masked-id text-nowrap" data-testid="masked-id">{}</span></li>',
        ((m.name, m.get_relation_display(), m.masked_id_number) for m in members))
