from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0002_call_fund_ratio_at_most_one"),
    ]

    operations = [
        migrations.AddField(
            model_name="fundingcall",
            name="reporting_period_months",
            field=models.PositiveSmallIntegerField(
                default=6, help_text="A payment claim is due at the end of each period (rules S3, D1).",
                verbose_name="reporting period (months)"),
        ),
        migrations.AddField(
            model_name="fundingcall",
            name="grace_days",
            field=models.PositiveSmallIntegerField(
                default=30, help_text="Days after the end of a period before its claim is due.",
                verbose_name="grace days"),
        ),
    ]
