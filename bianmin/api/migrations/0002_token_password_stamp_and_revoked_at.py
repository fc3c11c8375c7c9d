from django.db import migrations, models


def stamp_existing(apps, schema_editor):
    """Tokens issued before this migration carry the password of now, so they keep working until
    the next password change instead of all failing at the upgrade."""
    from bianmin.api.models import password_stamp

    ApiToken = apps.get_model("api", "ApiToken")
    for token in ApiToken.objects.select_related("user").iterator():
        token.password_stamp = password_stamp(token.user)
        token.save(update_fields=["password_stamp"])


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="password_stamp",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(stamp_existing, migrations.RunPython.noop),
    ]
