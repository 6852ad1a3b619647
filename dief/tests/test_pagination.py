"""dief.pagination: a page that is not full asks no COUNT; numbers past the end or malformed
land on a real page."""

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory

from dief.pagination import paginate

pytestmark = pytest.mark.django_db


def _groups(n):
    Group.objects.bulk_create(Group(name=f"Group {i:03d}") for i in range(n))
    return Group.objects.order_by("name")


def _page(query, **params):
    return paginate(RequestFactory().get("/", params), query, per_page=10)


def test_a_list_that_fits_on_one_page_is_read_with_one_query_and_no_count(django_assert_num_queries):
    groups = _groups(7)
    with django_assert_num_queries(1):
        page = _page(groups)
        assert [g.name for g in page.object_list] == [f"Group {i:03d}" for i in range(7)]
        assert page.paginator.count == 7 and page.paginator.num_pages == 1 and not page.has_next()


def test_an_empty_list_is_one_empty_page_without_a_count(django_assert_num_queries):
    with django_assert_num_queries(1):
        page = _page(Group.objects.order_by("name"))
        assert list(page.object_list) == [] and page.number == 1 and page.paginator.count == 0


def test_a_full_page_asks_the_total_once(django_assert_num_queries):
    groups = _groups(25)
    with django_assert_num_queries(2):
        page = _page(groups)
        assert len(page.object_list) == 10 and page.paginator.count == 25 and page.paginator.num_pages == 3
        assert page.has_next()


def test_the_last_page_knows_the_total_from_its_rows(django_assert_num_queries):
    groups = _groups(25)
    with django_assert_num_queries(1):
        page = _page(groups, page=3)
        assert [g.name for g in page.object_list] == [f"Group {i:03d}" for i in range(20, 25)]
        assert page.paginator.count == 25 and page.has_previous() and not page.has_next()


def test_a_number_past_the_end_or_malformed_lands_on_a_real_page():
    groups = _groups(25)
    assert _page(groups, page=99).number == 3
    assert _page(groups, page="x").number == 1
    assert _page(groups, page=0).number == 1
    assert _page(groups, page=-2).number == 1
