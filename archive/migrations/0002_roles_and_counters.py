"""Directors decide filing requests; directors and the archivist restore from the recycle bin.

The yearly archive-number counters start after the highest number already given, so numbering continues
without a gap or a clash on a database that held filed cards before the counters existed.
"""

from django.db import migrations

from archive.migrate_utils import grant_role_permissions, revoke_role_permissions

ROLE_PERMISSIONS = {
    "sales_director": ["archive.decide_filingrequest", "archive.restore_entry"],
    "archivist": ["archive.restore_entry"],
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)
    Customer = apps.get_model("customers", "Customer")
    Counter = apps.get_model("archive", "Counter")
    highest: dict[str, int] = {}
    for number in Customer.objects.exclude(archive_no="").values_list("archive_no", flat=True).iterator():
        prefix, year, serial = number.rsplit("-", 2)
        if serial.isdigit():
            key = f"{prefix}-{year}"
            highest[key] = max(highest.get(key, 0), int(serial))
    for key, value in highest.items():
        Counter.objects.update_or_create(key=key, defaults={"value": value})


def backwards(apps, schema_editor):
    revoke_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_filing"),
        ("customers", "0005_filing"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
