"""Backup codes stored in clear by django-otp's StaticToken become salted, keyed hashes."""

import secrets

from django.db import migrations
from django.utils.crypto import salted_hmac


def _hash(code: str) -> str:
    # Same as twofactor.services.hash_backup_code at the time of writing.
    salt = secrets.token_hex(8)
    digest = salted_hmac(f"dief.twofactor.backup-code:{salt}", code, algorithm="sha256").hexdigest()
    return f"{salt}${digest}"


def forwards(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    BackupCode = apps.get_model("twofactor", "BackupCode")
    tokens = list(StaticToken.objects.all())
    BackupCode.objects.bulk_create(BackupCode(device_id=t.device_id, digest=_hash(t.token)) for t in tokens)
    StaticToken.objects.filter(pk__in=[t.pk for t in tokens]).delete()


class Migration(migrations.Migration):
    dependencies = [("twofactor", "0001_backup_codes"), ("otp_static", "0003_add_timestamps")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
