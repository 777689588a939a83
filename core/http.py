"""Request and response helpers every app's views share."""
import datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(file_name: str, content: bytes) -> HttpResponse:
    """An .xlsx download: ``file_name`` as the attachment's name (any script, RFC 6266), never cached."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    response["Cache-Control"] = "no-store"  # personal data: not for shared caches or the back button
    return response


def safe_local_path(request, target: str | None, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback``.

    Only an absolute path counts: ``url_has_allowed_host_and_scheme`` accepts ``abc`` as a
    relative URL, and ``redirect("abc")`` then looks for a URL *named* abc and fails with a 500
    after the work was saved (or, at the two-factor login, before anyone could log in). Another
    host, a scheme, ``//evil`` or ``/\\evil`` fall back too.
    """
    target = target if isinstance(target, str) else ""
    if (target.startswith("/") and not target.startswith(("//", "/\\"))
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure())):
        return target
    return fallback


def safe_next_url(request, fallback: str) -> str:
    """The ``next`` the request names (POST first, then GET) when it is a path on this site, else
    ``fallback`` (see ``safe_local_path``)."""
    return safe_local_path(request, request.POST.get("next") or request.GET.get("next"), fallback)


class BadQuery(Exception):
    """A query-string value no page can be built from (an impossible date in a hand-edited or old
    link). ``core.middleware.BadQueryMiddleware`` answers it with a 400 page that shows
    ``message``, never a 500."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _params(source):
    """A request's query string, or the query parameters themselves (a QueryDict or a dict)."""
    return getattr(source, "GET", source)


def query_date(request, name: str, *, label: str | None = None, required: bool = True) -> datetime.date | None:
    """``?<name>=`` as a date, parsed by ``core.forms.QueryDateField`` (a real date within its
    window); anything else raises ``BadQuery`` with the field's message. Missing: None, or
    ``BadQuery`` when ``required``."""
    from .forms import Form, QueryDateField  # core.forms imports nothing from here

    form = type("QueryDateForm", (Form,), {name: QueryDateField(label=label or name, required=required)})(
        {name: _params(request).get(name, "")})
    if not form.is_valid():
        raise BadQuery(" ".join(form.errors[name]))
    return form.cleaned_data[name]


def query_period(request, *, max_days: int, required: bool = True) -> tuple[datetime.date, datetime.date] | None:
    """A figure's drill-down period ``?start=&end=`` (end exclusive, ``core.indicators``): two
    dates (``query_date``), start before end, at most ``max_days`` apart. Neither given and not
    ``required``: None. Anything wrong raises ``BadQuery`` with a message that says what."""
    params = _params(request)
    if not required and not params.get("start") and not params.get("end"):
        return None
    start = query_date(request, "start", label=_("开始日期"))
    end = query_date(request, "end", label=_("结束日期"))
    if end <= start:
        raise BadQuery(_("结束日期应晚于开始日期。"))
    if (end - start).days > max_days:
        raise BadQuery(_("统计期间最长 %(days)d 天。") % {"days": max_days})
    return start, end
