"""Every create form of the platform makes one object per submission (a hidden one-time
token): a double click or a resent page makes one, two separate submissions make two even
with the same text."""

import re
import uuid

import pytest
from django.urls import reverse

from dief.testing import login_verified
from exchange import services
from exchange.models import DisclosureConcern, EnforcementContact, OperationalUseRequest, Record


def token_of(page: str) -> str:
    return re.search(r'name="submission" value="([0-9a-f-]{36})"', page).group(1)


def forms(record, other_party):
    """(page to GET, URL to POST, data, model) of each create form, for the record's reader."""
    return {
        "record": (
            reverse("exchange:create"),
            reverse("exchange:create"),
            {"title": "Same title", "audience": "all", "information_types": ["a"], "classification": 1},
            Record,
        ),
        "concern": (
            reverse("exchange:concerns"),
            reverse("exchange:concerns"),
            {"concerned_state": other_party.pk, "description": "Same text"},
            DisclosureConcern,
        ),
        "operational use": (
            reverse("exchange:detail", args=[record.pk]),
            reverse("exchange:request_use", args=[record.pk]),
            {"purpose": "enforcement", "explanation": "Same text"},
            OperationalUseRequest,
        ),
        "contact": (
            reverse("exchange:contacts"),
            reverse("exchange:contacts"),
            {"authority": "Customs", "contact": "+1 555"},
            EnforcementContact,
        ),
    }


@pytest.mark.parametrize("kind", ["record", "concern", "operational use", "contact"])
def test_a_double_click_creates_one_and_a_second_form_creates_another(
    client, kind, record_to_all, delegate_third, other_party
):
    page_url, post_url, data, model = forms(record_to_all, other_party)[kind]
    login_verified(client, delegate_third)
    before = model.objects.count()
    first = token_of(client.get(page_url).content.decode())
    for _click in range(2):
        assert client.post(post_url, {**data, "submission": first}).status_code == 302
    assert model.objects.count() == before + 1
    second = token_of(client.get(page_url).content.decode())
    assert second != first
    client.post(post_url, {**data, "submission": second})
    expected = before + 1 if kind == "contact" else before + 2  # an identical contact entry is that entry
    assert model.objects.count() == expected


def test_two_concerns_with_the_same_text_are_both_raised(delegate_party, other_party):
    for _form in range(2):
        services.raise_concern(
            by=delegate_party, concerned_state=other_party, description="Same text", submission=uuid.uuid4()
        )
    assert DisclosureConcern.objects.filter(description="Same text").count() == 2


def test_a_form_without_its_token_creates_nothing(client, delegate_third, other_party):
    login_verified(client, delegate_third)
    response = client.post(reverse("exchange:concerns"), {"concerned_state": other_party.pk, "description": "x"})
    assert response.status_code == 200 and not DisclosureConcern.objects.exists()
