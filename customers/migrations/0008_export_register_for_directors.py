"""Directors read the export register (who exported which customers, with which filter, how many rows)."""

from django.db import migrations

from archive.migrate_utils import grant_role_permissions, revoke_role_permissions

ROLE_PERMISSIONS = {"sales_director": ["customers.view_accessrecord"]}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_import_record")]

    operations = [migrations.RunPython(forwards, backwards)]
