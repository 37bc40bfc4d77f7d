"""Install the append-only triggers (rule E7); the SQL for each vendor lives in ledger/triggers.py."""
from django.db import migrations

from ledger import triggers


def forwards(apps, schema_editor):
    for sql in triggers.install_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    for sql in triggers.remove_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
