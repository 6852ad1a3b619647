"""The ToR's numbers as data. CSP10 (2024) changed only rule 4, so both versions share them."""

import datetime

from django.db import migrations

NUMBERS = dict(
    max_meetings_per_year=2,
    invitation_days=50,
    expert_proposal_days=30,
    silence_procedure_days=5,
    expert_objection_resolution_days=20,
    draft_agenda_days=30,
    involved_state_notice_days=30,
    involved_state_response_days=15,
)
VERSIONS = [
    ("CSP6 (2020)", datetime.date(2020, 8, 21)),
    ("CSP10 (2024)", datetime.date(2024, 8, 23)),
]


def add_versions(apps, schema_editor):
    ToRVersion = apps.get_model("meetings", "ToRVersion")
    for name, in_force_from in VERSIONS:
        ToRVersion.objects.get_or_create(name=name, defaults={"in_force_from": in_force_from, **NUMBERS})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
