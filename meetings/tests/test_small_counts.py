"""Small-cell suppression of counts by region (ToR rules 7, 14), shared by the delegations
page and the participation figures."""

from meetings.small_counts import protect_column


def test_counts_of_one_and_two_are_hidden_and_larger_ones_shown():
    shown, total = protect_column(
        {"Africa": 1, "Asia": 2, "Europe": 7, "Americas": 4}, ["Africa", "Americas", "Asia", "Europe"], 14
    )
    assert shown == {"Africa": None, "Americas": 4, "Asia": None, "Europe": 7} and total == 14


def test_one_hidden_count_takes_the_smallest_other_with_it():
    shown, total = protect_column({"Asia": 1, "Europe": 5, "Americas": 3}, ["Americas", "Asia", "Europe"], 9)
    assert shown == {"Americas": None, "Asia": None, "Europe": 5} and total == 9


def test_one_hidden_count_alone_in_its_column_hides_the_total():
    shown, total = protect_column({"Europe": 2}, ["Europe"], 2)
    assert shown == {"Europe": None} and total is None


def test_zero_is_shown():
    shown, _total = protect_column({"Europe": 4, "Asia": 0}, ["Asia", "Europe"], 4)
    assert shown == {"Asia": 0, "Europe": 4}
