from django.db import migrations


class Migration(migrations.Migration):
    """A joint department's answer is an opinion (同意/不同意), not a status: `state` becomes
    `opinion`, and the written opinion it kept under that name becomes `opinion_text`."""

    dependencies = [("cases", "0009_closed_on_is_the_delivery_date")]

    operations = [
        migrations.RenameField("subreview", "opinion", "opinion_text"),
        migrations.RenameField("subreview", "state", "opinion"),
    ]
