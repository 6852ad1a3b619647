"""Supporting documents of presentations and agendas (ToR rule 14), and who read them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _document_path(instance, filename):
    # Stored under a random name, outside any public URL; the original name is kept in a field.
    return f"{instance.token.hex[:2]}/{instance.token.hex}"


class Document(models.Model):
    """A supporting document of a presentation or an agenda. Served only by the download view,
    which checks access and logs it (ToR rule 14)."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    presentation = models.ForeignKey(
        "presentations.Presentation", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    agenda = models.ForeignKey(
        "agendas.Agenda", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, help_text=_("ToR rule 23")
    )
    version_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="language_versions",
        verbose_name=_("language version of"),
    )

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["presentation", "sha256"],
                condition=models.Q(presentation__isnull=False),
                name="one_copy_per_presentation",
            ),
            models.UniqueConstraint(
                fields=["agenda", "sha256"], condition=models.Q(agenda__isnull=False), name="one_copy_per_agenda"
            ),
            models.UniqueConstraint(
                fields=["version_of", "language"],
                condition=models.Q(version_of__isnull=False),
                name="one_version_per_language",
            ),
            models.CheckConstraint(
                condition=models.Q(version_of__isnull=True) | ~models.Q(language=""),
                name="language_version_has_a_language",
            ),
            models.CheckConstraint(
                condition=models.Q(presentation__isnull=False, agenda__isnull=True)
                | models.Q(presentation__isnull=True, agenda__isnull=False),
                name="document_belongs_to_one_thing",
            ),
        ]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"document #{self.pk}"


class DocumentAccess(models.Model):
    """Who downloaded which document, and when."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField()

    class Meta:
        ordering = ["-accessed_at"]

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"document access #{self.pk}"
