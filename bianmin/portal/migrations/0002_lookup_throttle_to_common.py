# The throttle counters move to the common app with their table (state only).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("common", "0002_lookup_throttle_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LookupThrottle")],
        ),
    ]
