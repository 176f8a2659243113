"""Managers and clerks ask to read customers; the director answers, hands customers over and reads the log."""

from django.db import migrations

from archive.migrate_utils import grant_role_permissions, revoke_role_permissions

ROLE_PERMISSIONS = {
    "account_manager": ["access.add_accessrequest"],
    "clerk": ["access.add_accessrequest"],
    "sales_director": [
        "access.view_accessrequest",
        "access.decide_accessrequest",
        "access.view_handover",
        "access.add_handover",
    ],
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
