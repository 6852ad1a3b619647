"""Sharing with national authority users (ToR rule 16) and who learns a record's chosen
audience (ToR rule 13)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dief.confidentiality import Classification
from dief.errors import RuleViolation
from dief.testing import login_verified, pdf_bytes, pdf_text
from exchange import services
from exchange.models import Share


@pytest.fixture
def documents(record_to_france, delegate_party):
    def add(name, classification=None):
        return services.add_record_document(
            by=delegate_party,
            record=record_to_france,
            uploaded=SimpleUploadedFile(name, pdf_bytes(name)),
            classification=classification,
        )

    return {
        "first": add("first.pdf"),
        "second": add("second.pdf"),
        "kept": add("kept.pdf", Classification.DELEGATES_ONLY),
    }


def test_the_share_form_lists_the_shareable_documents_checked(
    client, record_to_france, documents, delegate_other_party, authority_other
):
    login_verified(client, delegate_other_party)
    page = client.get(reverse("exchange:detail", args=[record_to_france.pk])).content.decode()
    form = page[page.index(reverse("exchange:share", args=[record_to_france.pk])) :]
    form = form[: form.index("</form>")]
    for name in ("first.pdf", "second.pdf"):
        assert name in form
    assert "kept.pdf" not in form  # kept among the delegates by its provider (ToR rule 15)
    assert form.count('name="documents"') == 2 and form.count("checked") == 2
    assert "révoque aussi celui de ces documents" in page  # said on the page, in French here


def test_a_record_shared_with_chosen_documents_shows_exactly_those(
    client, record_to_france, documents, delegate_other_party, authority_other
):
    login_verified(client, delegate_other_party)
    response = client.post(
        reverse("exchange:share", args=[record_to_france.pk]),
        {"recipient": authority_other.pk, "documents": [documents["first"].pk]},
    )
    assert response.status_code == 302
    record_share = Share.objects.get(record=record_to_france, recipient=authority_other)
    assert list(record_share.document_shares.values_list("document_id", flat=True)) == [documents["first"].pk]
    login_verified(client, authority_other)
    page = client.get(reverse("exchange:detail", args=[record_to_france.pk])).content.decode()
    assert "first.pdf" in page and "second.pdf" not in page and "kept.pdf" not in page
    response = client.get(reverse("documents:download", args=[documents["first"].token]))
    assert response.status_code == 200 and authority_other.username in pdf_text(response.content)[0]
    assert client.get(reverse("documents:download", args=[documents["second"].token])).status_code == 404
    assert client.get(reverse("documents:download", args=[documents["kept"].token])).status_code == 404


def test_revoking_the_record_share_revokes_its_documents_but_not_one_shared_on_its_own(
    client, record_to_france, documents, delegate_other_party, authority_other
):
    alone = services.share_with_authority(
        by=delegate_other_party, recipient=authority_other, document=documents["second"]
    )
    share = services.share_with_authority(
        by=delegate_other_party,
        recipient=authority_other,
        record=record_to_france,
        documents=[documents["first"], documents["second"]],
    )
    assert share.document_shares.count() == 1  # "second" was shared on its own already
    login_verified(client, authority_other)
    first = reverse("documents:download", args=[documents["first"].token])
    assert client.get(first).status_code == 200
    login_verified(client, delegate_other_party)
    client.post(reverse("exchange:revoke_share", args=[share.pk]))
    login_verified(client, authority_other)
    assert client.get(reverse("exchange:detail", args=[record_to_france.pk])).status_code == 404
    assert client.get(first).status_code == 404
    assert client.get(reverse("documents:download", args=[documents["second"].token])).status_code == 200
    alone.refresh_from_db()
    assert alone.revoked_at is None


def test_a_document_the_delegate_may_not_pass_on_shares_nothing(
    record_to_france, documents, delegate_other_party, authority_other, delegate_party
):
    with pytest.raises(RuleViolation, match="ToR rules 15, 16"):
        services.share_with_authority(
            by=delegate_other_party,
            recipient=authority_other,
            record=record_to_france,
            documents=[documents["first"], documents["kept"]],
        )
    assert not Share.objects.exists()  # one transaction: the record's share went too
    other = services.share_record(
        by=delegate_party,
        title="Another",
        audience="chosen",
        states=[delegate_other_party.state],
        information_types="a",
    )
    with pytest.raises(RuleViolation):
        services.share_with_authority(
            by=delegate_other_party, recipient=authority_other, record=other, documents=[documents["first"]]
        )
    assert not Share.objects.exists()


def test_document_by_document_sharing_still_works(
    client, record_to_france, documents, delegate_other_party, authority_other
):
    login_verified(client, delegate_other_party)
    client.post(reverse("exchange:share_document", args=[documents["second"].pk]), {"recipient": authority_other.pk})
    share = Share.objects.get(document=documents["second"], recipient=authority_other)
    assert share.with_record is None
    login_verified(client, authority_other)
    assert client.get(reverse("documents:download", args=[documents["second"].token])).status_code == 200
    assert "second.pdf" in client.get(reverse("exchange:shares")).content.decode()


# --- ToR rule 13: the chosen audience is the provider's to see ------------------------------------


def test_a_recipient_sees_its_state_among_the_chosen_but_not_the_others(
    client, record_to_france, delegate_party, delegate_other_party, third_party
):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    assign_perm("view_record", Group.objects.get(pk=third_party.group_id), record_to_france)
    url = reverse("exchange:detail", args=[record_to_france.pk])
    login_verified(client, delegate_other_party)
    page = client.get(url).content.decode()
    assert "Mexico" not in page and "Mexique" not in page
    assert "dont votre État (seul le fournisseur voit la liste" in page
    pdf = client.get(reverse("exchange:pdf", args=[record_to_france.pk])).content
    assert not any("Mexico" in text for text in pdf_text(pdf))
    login_verified(client, delegate_party)
    page = client.get(url).content.decode()
    assert "France" in page and "Mexico" in page


def test_a_recipient_sees_its_own_objection_but_not_which_other_states_objected(
    client, record_to_france, delegate_party, delegate_other_party, third_party, delegate_third
):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    assign_perm("view_record", Group.objects.get(pk=third_party.group_id), record_to_france)
    proposal = services.propose_lift(
        by=delegate_party, target=record_to_france, classification=Classification.LIFTED, version=1
    )
    services.object_to_lift(by=delegate_third, proposal=proposal)
    url = reverse("exchange:classification", args=["record", record_to_france.pk])
    login_verified(client, delegate_other_party)
    page = client.get(url).content.decode()
    assert "Mexique" not in page and "Mexico" not in page and "1 autre participant" in page
    login_verified(client, delegate_party)
    assert "Mexico" in client.get(url).content.decode()


# --- A document's reach follows its record's classification (ToR rules 15, 16) ------------------


def test_tightening_a_record_to_delegates_suspends_every_share_of_it_and_of_its_documents(
    client, record_to_france, documents, delegate_party, delegate_other_party, authority_other
):
    from documents.queries import documents_for_user
    from exchange.queries import records_for_user

    delegate_other_party.language = "en"
    delegate_other_party.save(update_fields=["language"])
    alone = services.share_with_authority(
        by=delegate_other_party, recipient=authority_other, document=documents["second"]
    )
    share = services.share_with_authority(
        by=delegate_other_party, recipient=authority_other, record=record_to_france, documents=[documents["first"]]
    )
    assert set(documents_for_user(authority_other)) == {documents["first"], documents["second"]}
    services.tighten_classification(
        by=delegate_party, target=record_to_france, classification=Classification.DELEGATES_ONLY, version=1
    )
    # The one way in: page, download, list, search and tasks all ask these.
    assert not records_for_user(authority_other).exists()
    assert not documents_for_user(authority_other).exists()
    assert not services.sees(authority_other, documents["second"])
    login_verified(client, authority_other)
    for doc in (documents["first"], documents["second"]):
        assert client.get(reverse("documents:download", args=[doc.token])).status_code == 404
    listing = client.get(reverse("exchange:shares")).content.decode()
    assert "second.pdf" not in listing and "first.pdf" not in listing and "Nothing is shared with you." in listing
    assert client.get(reverse("exchange:list") + "?q=rifles").content.decode().count(record_to_france.title) == 0

    login_verified(client, delegate_other_party)
    listing = client.get(reverse("exchange:shares")).content.decode()
    assert listing.count("suspended</span>") == 3  # the record's, its document's and the document's own
    assert "restricted the record to delegates (ToR rules 15, 16)" in listing
    assert "restricted the document&#x27;s record to delegates (ToR rules 15, 16)" in listing
    assert "Revoke for good" in listing
    page = client.get(reverse("exchange:detail", args=[record_to_france.pk])).content.decode()
    assert "suspended</span>" in page and "Revoke for good" in page
    # The shares stay: they are suspended, not revoked.
    assert Share.objects.filter(pk__in=[alone.pk, share.pk], revoked_at__isnull=True).count() == 2


def test_a_share_to_a_recipient_who_left_is_shown_suspended(
    client, record_to_france, delegate_other_party, authority_other
):
    services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    authority_other.is_active = False
    authority_other.save(update_fields=["is_active"])
    delegate_other_party.language = "en"
    delegate_other_party.save(update_fields=["language"])
    login_verified(client, delegate_other_party)
    listing = client.get(reverse("exchange:shares")).content.decode()
    assert "no longer an active national authority user of your State (ToR rule 16)" in listing


def test_a_working_share_is_not_suspended(client, record_to_france, delegate_other_party, authority_other):
    services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    login_verified(client, delegate_other_party)
    listing = client.get(reverse("exchange:shares")).content.decode()
    assert "suspended</span>" not in listing and "Revoke for good" not in listing


def test_a_task_that_started_before_a_tightening_rechecks_access_for_its_recipient(
    record_to_france, delegate_party, delegate_other_party, authority_other, monkeypatch
):
    """The task has loaded the share when the provider keeps the record among the delegates
    (ToR rules 15, 16): the task asks the recipient's query again and queues nothing."""
    from exchange import tasks
    from exchange.tasks import notify_share
    from notifications.models import Notification

    share = services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    real = tasks.share_is_live

    def tighten_meanwhile(loaded):
        services.tighten_classification(
            by=delegate_party, target=record_to_france, classification=Classification.DELEGATES_ONLY, version=1
        )
        return real(loaded)

    monkeypatch.setattr(tasks, "share_is_live", tighten_meanwhile)
    assert notify_share(share.pk) is False
    assert not Notification.objects.exists()
