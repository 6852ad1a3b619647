"""Backup codes, kept only as salted, keyed hashes (never in clear)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice


class BackupCode(models.Model):
    """One single-use backup code of a user's backup-code device (django-otp ``StaticDevice``).

    ``digest`` is ``salt$hmac``: an HMAC-SHA256 keyed by ``SECRET_KEY`` and a per-code salt,
    compared in constant time (twofactor.services.hash_backup_code). A code is deleted when used.
    """

    device = models.ForeignKey(StaticDevice, on_delete=models.CASCADE, related_name="backup_codes")
    digest = models.CharField(max_length=128)

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")

    def __str__(self):
        return f"backup code #{self.pk}"
