"""Small-cell suppression of counts by region (ToR rules 7, 14), for every page that publishes them.

A count of one or two delegations (or presenting States) in a region can point at a State.
Such a cell is hidden on the page, in the charts and in the CSV alike. When a column has
exactly one hidden cell, the total would give it away: the smallest other non-zero cell of
that column is hidden too, or, with no other region to hide, the column's total.

The delegations page (presentations) and the participation figures (participation) both
publish counts by region; both take them through :func:`protect_column`.
"""

SMALL_COUNTS = range(1, 3)  # counts of 1 and 2 are hidden


def protect_column(counts: dict, regions: list, total: int | None) -> tuple[dict, int | None]:
    """One column of counts by region (``counts``: region -> count, over ``regions``) as it
    may be published: ``({region: count or None}, total or None)``, None marking a hidden count."""
    hidden = {r for r in regions if counts.get(r, 0) in SMALL_COUNTS}
    shown_total = total
    if len(hidden) == 1:
        others = sorted((counts.get(r, 0), r) for r in regions if r not in hidden)
        candidates = [o for o in others if o[0] > 0] or others
        if candidates:
            hidden.add(candidates[0][1])
        else:
            shown_total = None
    return {r: None if r in hidden else counts.get(r, 0) for r in regions}, shown_total
