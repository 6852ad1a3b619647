"""A one-time code verifies exactly one session, however many present it at the same moment."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from twofactor.models import BackupCode
from twofactor.services import store_backup_codes

SESSIONS = 6


def post_at_once(clients, data):
    barrier = threading.Barrier(len(clients))
    statuses = []

    def post(client):
        barrier.wait()
        try:
            statuses.append(client.post(reverse("twofactor:verify"), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def password_only_sessions(user):
    clients = [Client() for _ in range(SESSIONS)]
    for c in clients:
        c.force_login(user)
    return clients


@pytest.mark.django_db(transaction=True)
def test_one_backup_code_posted_by_six_sessions_at_once_verifies_one(delegate_party):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    TOTPDevice.objects.create(user=delegate_party, name="authenticator", confirmed=True)
    store_backup_codes(delegate_party, ["samecode42", "othercode7"])
    clients = password_only_sessions(delegate_party)
    statuses = post_at_once(clients, {"method": "backup", "token": "samecode42"})
    assert statuses.count(302) == 1, statuses
    verified = [c for c in clients if c.get(reverse("meetings:list")).status_code == 200]
    assert len(verified) == 1
    assert BackupCode.objects.filter(device__user=delegate_party).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_totp_code_posted_by_six_sessions_at_once_verifies_one(delegate_party):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    device = TOTPDevice.objects.create(user=delegate_party, name="authenticator", confirmed=True)
    clients = password_only_sessions(delegate_party)
    code = f"{totp(device.bin_key, t0=device.t0, step=device.step):06d}"
    statuses = post_at_once(clients, {"method": "totp", "token": code})
    assert statuses.count(302) == 1, statuses
    verified = [c for c in clients if c.get(reverse("meetings:list")).status_code == 200]
    assert len(verified) == 1
