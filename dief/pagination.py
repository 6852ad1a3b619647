"""One way to cut a long list into pages: the same size everywhere, the page read from ``?page=``."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

#: Rows on one page of a list (presentations, meetings).
PAGE_SIZE = 25


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``queryset`` that ``request``'s ``?page=`` names: the first for a missing or
    malformed number, the last for one past the end (never an error). Returns a Django ``Page``
    whose rows are a list.

    The rows of a queryset are read first, one more than a page (one ``LIMIT``): a page that is not full is
    the last, so the total follows from it and no ``COUNT`` is asked. Only a full page (more
    rows follow) or a number past the end asks the ``COUNT`` (the latter then reads the last
    page)."""
    paginator = Paginator(queryset, per_page)
    if not isinstance(queryset, QuerySet):
        return paginator.get_page(request.GET.get("page"))  # a sequence that knows its length
    try:
        number = int(request.GET.get("page") or 1)
    except (TypeError, ValueError):
        number = 1
    number = min(max(number, 1), 10**6)  # no offset a database refuses
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


class OpenPage:
    """One page of a list read without counting the list: its rows and whether a page comes
    before or after it (the attributes of a Django ``Page`` that the page links use)."""

    def __init__(self, rows: list, number: int, has_next: bool):
        self.object_list = rows
        self.number = number
        self._has_next = has_next

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def paginate_open(request, queryset, per_page: int = PAGE_SIZE) -> OpenPage:
    """The page of ``queryset`` that ``request``'s ``?page=`` names, as :func:`paginate` reads
    it (the first for a missing or malformed number, the last for one past the end), but
    without a ``COUNT`` of the whole list: one query of ``per_page + 1`` rows tells the rows
    and whether a next page exists. Only a number past the end costs more (one ``COUNT``, then
    the last page's rows)."""
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except (TypeError, ValueError):
        number = 1
    number = min(number, 10**6)  # no offset a database refuses
    rows = list(queryset[(number - 1) * per_page : number * per_page + 1])
    if not rows and number > 1:
        number = max(1, -(-queryset.count() // per_page))
        rows = list(queryset[(number - 1) * per_page : number * per_page + 1])
    return OpenPage(rows[:per_page], number, len(rows) > per_page)
