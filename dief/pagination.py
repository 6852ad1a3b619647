"""One way to cut a long list into pages: the same size everywhere, the page read from ``?page=``."""

from django.core.paginator import Page, Paginator

#: Rows on one page of a list (presentations, meetings).
PAGE_SIZE = 25


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``queryset`` that ``request``'s ``?page=`` names: the first for a missing or
    malformed number, the last for one past the end (never an error). Returns a Django ``Page``;
    its rows are read with one ``LIMIT``, and the total with one ``COUNT``."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
