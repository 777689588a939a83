"""Template helpers for the household list.

The list's rows are written here in Python rather than by a ``{% for %}`` over template tags: they
are the busiest page's inner loop (25 households and their members on every request), and the
template engine's per-node cost was most of the page's rendering (issue #7: the household list's
throughput under gunicorn). The markup is the template's, unchanged; edit it here.
"""
from html import escape

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.models import choice_label
from households.models import Person, Relation

register = template.Library()

# One household's row: a card on a phone (``table-cards``: each cell shows its data-label), a
# table row on a desktop. Every {placeholder} is filled with escaped text (``household_rows``).
ROW = """    <tr data-testid="household-row" data-household="{pk}">
      <td class="cell-title">
        <a href="{url}">{head}</a>
        {badge}
        <div class="small fw-normal text-body-secondary">#{pk} · {hukou}</div>
      </td>
      <td data-label="{l_village}"><div>{village}<div class="small text-body-secondary">{address}</div></div></td>
      <td data-label="{l_phone}">{phone}</td>
      <td data-label="{l_members}">
        <ul class="list-unstyled small mb-0">
        {members}
        </ul>
      </td>
    </tr>"""
MEMBER = ('<li>{} <span class="text-body-secondary">{}</span> '
          '<span class="masked-id text-nowrap" data-testid="masked-id">{}</span></li>')
EMPTY = """    <tr><td colspan="4" class="text-body-secondary" data-testid="empty">{}</td></tr>"""
_SENTINEL = 987654321  # a household id no URL pattern can contain elsewhere: reverse once per page


def _members_html(members, none_label: str, relations: dict) -> str:
    if not members:
        return f'<li class="text-body-secondary">{escape(none_label)}</li>'
    return "\n".join(
        MEMBER.format(escape(m.name), relations.get(m.relation) or escape(m.get_relation_display()),
                      escape(m.masked_id_number)) for m in members)


@register.simple_tag
def household_rows(households):
    """The household list's ``<tr>`` rows (or its empty-list row): head linked to the household,
    its badges, number and hukou type; village and address; phone; active members with their
    relation and masked ID number (``active_members``, prefetched by the selector)."""
    if not households:
        return format_html(EMPTY, _("没有符合条件的家庭户。"))
    labels = {"l_village": escape(_("村/社区")), "l_phone": escape(_("联系电话")), "l_members": escape(_("家庭成员"))}
    void_badge = ' <span class="badge text-bg-secondary" data-testid="void-badge">{}</span>'.format(escape(_("已作废")))
    incomplete_badge = (' <span class="badge text-bg-warning" data-testid="incomplete-badge">{}</span>'
                        .format(escape(_("待补全"))))
    no_members = _("无在册成员")
    url_pattern = reverse("households:household_detail", args=[_SENTINEL]).split(str(_SENTINEL))
    # Each relation's label once per page, escaped (get_relation_display's, in the active language).
    relations = {code: escape(choice_label(Person._meta.get_field("relation"), code)) for code in Relation.values}
    rows = []
    for household in households:
        pk = str(household.pk)
        phone = household.phone
        rows.append(ROW.format(
            pk=pk, url=escape(pk.join(url_pattern)), head=escape(household.head_name),
            badge=void_badge if household.is_void else (incomplete_badge if household.is_incomplete else ""),
            hukou=escape(household.get_hukou_type_display()), village=escape(household.village.name),
            address=escape(household.address),
            phone=f'<a href="tel:{escape(phone)}">{escape(phone)}</a>' if phone else "—",
            members=_members_html(household.active_members, no_members, relations), **labels))
    return mark_safe("\n".join(rows))  # nosec B308 B703: every value above is escaped

