"""Account totals (ledger.models.AccountTotal): created and filled from the postings already written."""
from decimal import ROUND_HALF_UP, Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Sum

CENT = Decimal("0.01")


def _exact(value) -> Decimal:
    # SQLite sums decimals as floats: back to the öre (half-up, as core.money rounds).
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def fill_totals(apps, schema_editor):
    Posting = apps.get_model("ledger", "Posting")
    AccountTotal = apps.get_model("ledger", "AccountTotal")
    db = schema_editor.connection.alias
    rows = (Posting.objects.using(db).values("account_id", "entry__kind", "entry__corrects__kind")
            .annotate(amount=Sum("amount"), hours=Sum("hours"), n=Count("id")).order_by())
    AccountTotal.objects.using(db).bulk_create(
        (AccountTotal(account_id=row["account_id"], entry_kind=row["entry__kind"],
                      corrected_kind=row["entry__corrects__kind"] or "", amount=_exact(row["amount"]),
                      hours=_exact(row["hours"]), postings=row["n"]) for row in rows.iterator()),
        batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0008_retention_trigger'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entry_kind', models.CharField(choices=[('opening', 'Opening budget'), ('commitment', 'Commitment'), ('cash_contribution', 'Cash contribution'), ('inkind_contribution', 'In-kind contribution'), ('fund_payment', 'Fund payment'), ('correction', 'Correction'), ('decommitment', 'Release of commitment'), ('recovery', 'Recovery'), ('transition', 'State transition'), ('advance', 'Advance payment'), ('amendment', 'Amendment of commitment')], max_length=30)),
                ('corrected_kind', models.CharField(blank=True, default='', max_length=30)),
                ('amount', models.DecimalField(decimal_places=2, default=0, max_digits=20)),
                ('hours', models.DecimalField(decimal_places=2, default=0, max_digits=20)),
                ('postings', models.PositiveBigIntegerField(default=0)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='totals', to='ledger.account')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('account', 'entry_kind', 'corrected_kind'), name='account_total_unique')],
            },
        ),
        migrations.RunPython(fill_totals, migrations.RunPython.noop),
    ]
