from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    # The token endpoint's throttle counts in a database cache (settings.CACHES["throttle"]) so that
    # every worker shares it; `migrate` creates its table like any other (createcachetable is idempotent).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    """The database cache table of the API throttles (issue 15)."""

    dependencies = [
        ("applications", "0006_call_sie_accounts"),
    ]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
