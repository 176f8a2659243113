"""What a requester typed to find the customer: all their request pages show of it until they may read it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="accessrequest",
            name="key",
            field=models.CharField(blank=True, max_length=200, verbose_name="looked up by"),
        ),
        migrations.AddField(
            model_name="historicalaccessrequest",
            name="key",
            field=models.CharField(blank=True, max_length=200, verbose_name="looked up by"),
        ),
    ]
