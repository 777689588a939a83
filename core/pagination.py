"""Paging for list pages: one page of a QuerySet and the query string to carry across pages."""
from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request, queryset, per_page: int | None = None) -> Page:
    """The requested page (``?page=``); out-of-range or junk page numbers give the last/first page."""
    return Paginator(queryset, per_page or settings.HOUSEHOLDS_PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The list's search and filter parameters, for links to other pages (templates/_pagination.html)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
