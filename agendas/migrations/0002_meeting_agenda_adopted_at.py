# Fill Meeting.agenda_adopted_at (ToR rule 11) for agendas adopted before the field existed.

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_adoption(apps, schema_editor):
    Agenda = apps.get_model("agendas", "Agenda")
    Meeting = apps.get_model("meetings", "Meeting")
    adopted = Agenda.objects.filter(meeting=OuterRef("pk")).values("adopted_at")[:1]
    Meeting.objects.filter(agenda__adopted_at__isnull=False).update(agenda_adopted_at=Subquery(adopted))


class Migration(migrations.Migration):
    dependencies = [
        ("agendas", "0001_initial"),
        ("meetings", "0007_agenda_moved_to_agendas"),
    ]

    operations = [migrations.RunPython(copy_adoption, migrations.RunPython.noop)]
