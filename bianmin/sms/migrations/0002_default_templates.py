"""The default message templates (administrators edit them in the admin)."""

from django.db import migrations

from bianmin.sms.defaults import DEFAULT_TEMPLATES, templates_seed


def seed(apps, schema_editor):
    templates_seed(apps.get_model("sms", "SmsTemplate"))


def unseed(apps, schema_editor):
    apps.get_model("sms", "SmsTemplate").objects.filter(code__in=DEFAULT_TEMPLATES).delete()


class Migration(migrations.Migration):
    dependencies = [("sms", "0001_outbox_and_templates")]

    operations = [migrations.RunPython(seed, unseed)]
