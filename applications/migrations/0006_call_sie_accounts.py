from django.db import migrations, models


class Migration(migrations.Migration):
    """The call's overrides of the SIE export's chart of accounts and verification series (reports.sie)."""

    dependencies = [
        ("applications", "0005_deadlines_and_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="fundingcall",
            name="sie_accounts",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="SIE chart of accounts",
                help_text='Overrides of the SIE export: {"series": "A", "accounts": {"fund_paid": ["4010", "Name"]}}; '
                          "anything left out uses the BAS defaults (settings.SIE_ACCOUNTS).",
            ),
        ),
    ]
