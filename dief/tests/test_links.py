from django.template import Context, Template
from django.urls import reverse

from dief.links import path_to


def test_path_to_gives_the_path_url_gives_for_every_id():
    for pk in (0, 1, 7, 42, 987_654_321_000, 10**12 + 3):
        assert path_to("meetings:detail", pk) == reverse("meetings:detail", args=[pk])
    assert path_to("meetings:chair") == reverse("meetings:chair")


def test_path_to_passes_anything_but_whole_numbers_to_reverse():
    assert path_to("meetings:detail", "12") == reverse("meetings:detail", args=["12"])


def test_path_to_in_a_template_is_escaped_like_url():
    html = Template("{% load links %}<a href=\"{% path_to 'meetings:detail' pk %}\">").render(Context({"pk": 5}))
    assert html == f'<a href="{reverse("meetings:detail", args=[5])}">'
