"""One way to cut a long list into pages: the same size everywhere, the page read from ``?page=``."""

from django.core.paginator import Page, Paginator

#: Rows on one page of a list (presentations, meetings).
PAGE_SIZE = 25


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    """The page of ``queryset`` that ``request``'s ``?page=`` names: the first for a missing or
    malformed number, the last for one past the end (never an error). Returns a Django ``Page``;
    its rows are read with one ``LIMIT``, and the total with one ``COUNT``."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


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
