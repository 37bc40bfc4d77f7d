"""Rules E6, T7: the database refuses to delete a claimed cash item before retention ends."""
from django.db import migrations

from ledger import retention_triggers


def install(apps, schema_editor):
    retention_triggers.install(schema_editor.connection)


def remove(apps, schema_editor):
    retention_triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0007_verification"),
        ("applications", "0009_partner_state_aid"),
    ]

    operations = [migrations.RunPython(install, remove)]
