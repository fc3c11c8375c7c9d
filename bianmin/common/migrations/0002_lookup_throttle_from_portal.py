# The throttle counters move from the portal app to common with their table (state only).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_admin_action_log"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LookupThrottle",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=80, unique=True)),
                        ("failures", models.PositiveIntegerField(default=0)),
                        ("window_started", models.DateTimeField()),
                        ("blocked_until", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "verbose_name": "查询限流",
                        "verbose_name_plural": "查询限流",
                        "db_table": "portal_lookupthrottle",
                    },
                ),
            ],
        ),
    ]
