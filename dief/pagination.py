"""One way to cut a long list into pages: the same size everywhere, the page read from ``?page=``."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict

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


class LeanPage:
    """One page of a list read with a single ``LIMIT per_page + 1``: the extra row says whether
    a next page exists, so no ``COUNT`` reads the rows that the page does not show. Offers what
    ``templates/_pages.html`` needs of a Django ``Page`` (no total)."""

    def __init__(self, rows: list, number: int, per_page: int, query=None, param: str = "page"):
        self.number = number
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page
        self._query = query
        self.param = param

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

    def _link(self, number: int) -> str:
        query = self._query.copy() if self._query is not None else QueryDict(mutable=True)
        query[self.param] = str(number)
        return "?" + query.urlencode()

    @property
    def next_link(self) -> str:
        """The query string of the next page (the request's other parameters kept)."""
        return self._link(self.number + 1)

    @property
    def previous_link(self) -> str:
        return self._link(self.number - 1)


def page_number(request, param: str = "page") -> int:
    """The page number ``request``'s ``param`` names, as :func:`paginate_lean` reads it: 1 for a
    missing or malformed one (not a whole number from 1 to 999999)."""
    raw = request.GET.get(param, "")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def paginate_lean(
    request, queryset, per_page: int = PAGE_SIZE, param: str = "page", total: int | None = None
) -> LeanPage:
    """The page of ``queryset`` that ``request``'s ``?page=`` names, as :func:`paginate` reads
    it (the first for a missing or malformed number, the last for one past the end), with one
    query of at most ``per_page + 1`` rows and no ``COUNT``. Only a number past the end costs
    a count, to find the last page. ``param``: the query parameter that holds the number (two
    lists on one page each have their own). ``total``: how many rows ``queryset`` has, when the
    page counted them already: a number past the end is then the last page at once, and no
    row means no query."""
    number = page_number(request, param)
    if total is not None:
        number = min(number, max(1, -(-total // per_page)))
        if total == 0:
            return LeanPage([], number, per_page, request.GET, param)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        total = queryset.count()
        number = max(1, -(-total // per_page))
        start = (number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
    return LeanPage(rows, number, per_page, request.GET, param)
