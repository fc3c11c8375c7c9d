# The supervision "escalation" (a red alert passed to a higher unit or the supervisor's 督办
# queue) renamed to an oversight order, so that "escalated" names only the case class (上报件).
# Tables and columns are renamed; every row stays.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_county_window"),
        ("supervision", "0005_supervision_records"),
    ]

    operations = [
        migrations.RenameModel("EscalationRule", "OversightRule"),
        migrations.RenameModel("Escalation", "OversightOrder"),
        migrations.RenameField("oversightorder", "escalated_on", "ordered_on"),
        migrations.RenameField("alert", "escalated", "oversight_ordered"),
        migrations.AlterModelOptions(
            name="oversightorder",
            options={
                "ordering": ["-ordered_on", "-pk"],
                "verbose_name": "升级督办",
                "verbose_name_plural": "升级督办",
            },
        ),
        migrations.AlterField(
            model_name="oversightorder",
            name="alert",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="oversight_orders",
                to="supervision.alert",
            ),
        ),
        migrations.AlterField(
            model_name="oversightrule",
            name="item",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="oversight_rules",
                to="catalog.item",
                verbose_name="事项",
            ),
        ),
    ]
