"""The agenda of a meeting: draft, Chair approval, distribution, numbered versions (ToR rule 10),
adoption (rule 11) and the release of items (rule 14).

The tables keep the names they had when the agenda lived in ``meetings`` (see migration 0001).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from presentations.enums import PresentationKind

from .enums import AgendaStatus


class Agenda(models.Model):
    """The draft agenda of a meeting (ToR rule 10) and its adoption (rule 11)."""

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="agenda")
    created_at = models.DateTimeField(_("drafted at"), null=True, blank=True)
    # +1 at every change of the items: a decision (approval, distribution, adoption, release)
    # names the edition it was taken on and is refused if the agenda changed since.
    edition = models.PositiveIntegerField(_("edition"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=AgendaStatus.choices, default=AgendaStatus.DRAFT)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "meetings.ChairAppointment",
        verbose_name=_("approved by the Chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    distributed_at = models.DateTimeField(_("distributed at"), null=True, blank=True)
    distributed_late = models.BooleanField(_("distributed after the rule 10 deadline"), default=False)
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "meetings_agenda"  # the table kept its name when the agenda became its own app
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    def __str__(self):
        return str(self.meeting)

    @property
    def is_distributed(self) -> bool:
        return self.distributed_at is not None

    @property
    def is_adopted(self) -> bool:
        return self.adopted_at is not None


class AgendaItem(models.Model):
    """One item of an agenda: a registered presentation or another item."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    presentation = models.ForeignKey(
        "presentations.Presentation", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_decision = models.CharField(_("participants' decision to release (rule 14)"), max_length=300, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agenda", "position", "pk"]
        db_table = "meetings_agendaitem"
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return str(self.display_title)

    @property
    def display_title(self):
        """The item's own title, or for a presentation without one the kind of presentation,
        in the reader's language (the presentation's title is confidential)."""
        return self.title or kind_label(self.presentation.kind if self.presentation_id else "")


def kind_label(kind: str):
    return PresentationKind(kind).label if kind in PresentationKind.values else _("Presentation")


class AgendaVersion(models.Model):
    """A distributed version of an agenda: 0 is the original, then Rev.1, Rev.2 (ToR rule 10)."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changes = models.TextField(_("what changed"), blank=True)
    items = models.JSONField(default=list)

    class Meta:
        ordering = ["agenda", "number"]
        db_table = "meetings_agendaversion"
        constraints = [models.UniqueConstraint(fields=["agenda", "number"], name="agenda_version_once")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return _("original") if self.number == 0 else f"Rev.{self.number}"

    def item_titles(self) -> list:
        """The titles of this version's items, in the reader's language where they are kinds."""
        return [i.get("title") or kind_label(i.get("kind", "")) for i in self.items]


class AgendaChangeKind(models.TextChoices):
    ADDED = "added", _("added")
    REMOVED = "removed", _("removed")
    MOVED_UP = "moved_up", _("moved up")
    MOVED_DOWN = "moved_down", _("moved down")


class AgendaChange(models.Model):
    """One change of an agenda's items; its ``edition`` is the agenda's edition after it."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="changes")
    edition = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=AgendaChangeKind.choices)
    title = models.CharField(max_length=200, blank=True)
    presentation_kind = models.CharField(max_length=16, blank=True)
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agenda", "edition"]
        constraints = [models.UniqueConstraint(fields=["agenda", "edition"], name="agenda_change_once")]

    def __str__(self):
        return self.describe()

    def describe(self) -> str:
        """“Title” added / removed / moved up / moved down, in the reader's language."""
        title = self.title or kind_label(self.presentation_kind)
        return _("“%(title)s” %(change)s") % {"title": title, "change": self.get_kind_display()}


class AgendaConsultation(models.Model):
    """The Chair's consultation on the draft agenda (ToR rule 10: prepared by the Secretariat in
    consultation with the Chair), recorded by the Chair, or by the Secretariat from paper."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="consultations")
    chair = models.ForeignKey(
        "meetings.ChairAppointment", verbose_name=_("Chair"), on_delete=models.PROTECT, related_name="+"
    )
    consulted_on = models.DateField(_("date of the consultation"))
    comments = models.TextField(_("comments"), blank=True)
    on_paper = models.BooleanField(_("made on paper, recorded by the Secretariat"), default=False)
    edition = models.PositiveIntegerField(_("edition of the agenda consulted on"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agenda", "recorded_at"]
        verbose_name = _("consultation of the Chair")
        verbose_name_plural = _("consultations of the Chair")

    def __str__(self):
        return f"{self.agenda} ({self.consulted_on})"
