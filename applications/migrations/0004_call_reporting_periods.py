from django.db import migrations


class Migration(migrations.Migration):
    """Kept as a step of the history: the reporting period and grace days of a call (rule D1) were
    added by 0003_call_setup_fields, which the deadlines work also needed."""

    dependencies = [
        ("applications", "0003_call_setup_fields"),
    ]

    operations = []
