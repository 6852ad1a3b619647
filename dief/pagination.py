"""One way to cut a long list into pages: the same size everywhere, the page read from ``?page=``."""

from django.core.paginator import Page, Paginator

#: Rows on one page of a list (presentations, meetings).
PAGE_SIZE = 25


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``queryset`` that ``request``'s ``?page=`` names: the first for a missing or
    malformed number, the last for one past the end (never an error). Returns a Django ``Page``
    whose rows are a list.

    The rows are read first, one more than a page (one ``LIMIT``): a page that is not full is
    the last, so the total follows from it and no ``COUNT`` is asked. Only a full page (more
    rows follow) or a number past the end asks the ``COUNT`` (the latter then reads the last
    page)."""
    paginator = Paginator(queryset, per_page)
    try:
        number = int(request.GET.get("page") or 1)
    except (TypeError, ValueError):
        number = 1
    if number < 1:
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    if len(rows) > per_page or (not rows and number > 1):
        # more rows follow, or the number is past the end: the total is needed
        if not rows:
            return paginator.get_page(number)
        return Page(rows[:per_page], number, paginator)
    # this page is the last one: the total is known without a COUNT
    paginator.count = offset + len(rows)
    return Page(rows, number, paginator)
