"""The words of the Forum's confidentiality machinery, shared by every app that holds
information: the provider's classification (ToR rule 15), the rule 19 types of information
and the rule 18 fields of a case. Plain vocabulary, no queries: any app may import it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.IntegerChoices):
    """The provider's classification (ToR rule 15), from least to most strict.

    Stricter than TLP 2.0 and MISP distribution levels: there is no "clear" or "all
    communities" level. Even lifted information stays within its audience on the platform;
    lifting only ends the confidentiality obligation of rule 15.
    """

    LIFTED = 0, _("not confidential (lifted by decision, ToR rule 15)")
    CONFIDENTIAL = 1, _("DIEF CONFIDENTIAL: may be shared with competent national authorities")
    DELEGATES_ONLY = 2, _("DIEF CONFIDENTIAL, DELEGATES ONLY: not beyond the delegates")

    @classmethod
    def short(cls, value: int) -> str:
        """The short marking printed on pages and stamped on PDFs."""
        return str(SHORT_MARKINGS[cls(value)])


SHORT_MARKINGS = {
    Classification.LIFTED: _("NOT CONFIDENTIAL (LIFTED)"),
    Classification.CONFIDENTIAL: _("DIEF CONFIDENTIAL"),
    Classification.DELEGATES_ONLY: _("DIEF CONFIDENTIAL / DELEGATES ONLY"),
}

#: ToR rule 16: national authority users see information classified at most this strictly.
NATIONAL_AUTHORITY_MAX = Classification.CONFIDENTIAL


class InformationType(models.TextChoices):
    """ToR rule 19: the types of information States are encouraged to share (a-g). Stored as
    the letters of the chosen types ("ace"), so one column filters on any database."""

    ILLICIT_TRANSFERS = "a", _("a) illicit transfer activities, including corruption")
    TRAFFICKING_ROUTES = "b", _("b) trafficking routes")
    ILLICIT_BROKERS = "c", _("c) illicit brokers")
    ILLICIT_SUPPLY = "d", _("d) sources of illicit supply")
    CONCEALMENT = "e", _("e) methods of concealment")
    DISPATCH_POINTS = "f", _("f) common points of dispatch")
    ORGANISED_DESTINATIONS = "g", _("g) destinations used by organised groups")


def normalise_types(values) -> str:
    """The chosen rule 19 type letters, sorted and unique ("ca" -> "ac"); unknown letters dropped."""
    return "".join(sorted({v for v in values if v in InformationType.values}))


def type_labels(letters: str) -> list[str]:
    return [str(InformationType(letter).label) for letter in letters if letter in InformationType.values]


class InvestigationStatus(models.TextChoices):
    """ToR rule 18: whether the investigation is closed or ongoing."""

    ONGOING = "ongoing", _("investigation ongoing")
    CLOSED = "closed", _("investigation closed")


class DiversionInformation(models.Model):
    """The rule 18 fields and rule 19 types, shared by information records and meeting
    presentations. Every field but the types may stay empty."""

    diversion_details = models.TextField(_("details of the diversion"), blank=True)
    discovery_details = models.TextField(_("details of its discovery"), blank=True)
    discovery_timeliness = models.TextField(_("timeliness of discovery"), blank=True)
    ways_and_methods = models.TextField(_("ways and methods used"), blank=True)
    actors_involved = models.TextField(
        _("actors involved"), blank=True, help_text=_("Where appropriate (ToR rule 18).")
    )
    investigation_status = models.CharField(
        _("investigation"), max_length=8, choices=InvestigationStatus.choices, blank=True
    )
    information_types = models.CharField(
        _("types of information (ToR rule 19)"), max_length=7, blank=True, db_index=True
    )
    routes = models.TextField(_("routes"), blank=True)
    classification = models.PositiveSmallIntegerField(
        _("classification (ToR rule 15)"), choices=Classification.choices, default=Classification.CONFIDENTIAL
    )
    classification_version = models.PositiveIntegerField(
        default=1, help_text=_("Raised by every change of classification; decisions name it.")
    )

    class Meta:
        abstract = True

    @property
    def type_labels(self) -> list[str]:
        return type_labels(self.information_types)

    @property
    def marking(self) -> str:
        return Classification.short(self.classification)
