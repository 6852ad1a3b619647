"""Supporting documents of presentations and agendas (ToR rule 14), and who read them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dief.confidentiality import Classification


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
    classification = models.PositiveSmallIntegerField(
        _("classification (ToR rule 15)"), choices=Classification.choices, default=Classification.CONFIDENTIAL
    )
    classification_version = models.PositiveIntegerField(default=1)

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
            # A document of a presentation, of an agenda, or of a higher app's object that links
            # to it (an information record of the exchange platform); never of two at once.
            models.CheckConstraint(
                condition=~models.Q(presentation__isnull=False, agenda__isnull=False),
                name="document_belongs_to_at_most_one_thing",
            ),
        ]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"document #{self.pk}"


class DocumentAccess(models.Model):
    """One download: who, for which State, from which address, what, which exact file, when.

    The download id is stamped on every page of a marked PDF and resolves to this row. It
    holds access events only, never content (ToR rule 17): the downloaded object is named by
    its kind and id, the file by its SHA-256.
    """

    download_id = models.UUIDField(_("download id"), default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="accesses")
    #: What was downloaded when it is not a stored document ("record"), and its id.
    object_kind = models.CharField(_("kind"), max_length=24, default="document")
    object_id = models.PositiveBigIntegerField(_("object id"), null=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.ForeignKey(
        "states.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("State")
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file served"), max_length=64, blank=True)
    classification = models.PositiveSmallIntegerField(choices=Classification.choices, null=True)
    marked = models.BooleanField(_("stamped PDF"), default=False)
    accessed_at = models.DateTimeField(_("time (UTC)"))

    class Meta:
        ordering = ["-accessed_at"]
        # a document's latest downloads, as its page shows them (documents.queries)
        indexes = [models.Index(fields=["document", "-accessed_at", "-id"], name="documents_access_latest")]
        verbose_name = _("download")
        verbose_name_plural = _("downloads")

    def __str__(self):
        # No content (title, States, names): this is what the admin and logs show.
        return f"document access #{self.pk}"

    #: The kinds of download, named for pages (``what_display``).
    KIND_LABELS = {"document": _("document no. %(n)s"), "record": _("record no. %(n)s (as PDF)")}

    def what_display(self) -> str:
        """What was downloaded, for the Secretariat's look-up page: its kind, translated, and
        its number; never its title (the log holds no content, ToR rule 17)."""
        n = self.document_id if self.object_kind == "document" else self.object_id
        label = self.KIND_LABELS.get(self.object_kind)
        if label is None or n is None:
            return f"{self.object_kind} {n or '—'}"
        return label % {"n": n}
