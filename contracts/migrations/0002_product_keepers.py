"""The director and the archivist keep the product catalogue (everyone else picks from it); the director grades."""

from django.db import migrations

from archive.migrate_utils import grant_role_permissions, revoke_role_permissions

ROLE_PERMISSIONS = {
    "sales_director": ["contracts.add_product", "contracts.change_product", "contracts.grade_customers"],
    "archivist": ["contracts.add_product", "contracts.change_product"],
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("customers", "0002_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
