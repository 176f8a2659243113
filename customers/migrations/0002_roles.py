"""The roles of DESIGN §1 as groups, with the model permissions of the customer archive."""

from django.db import migrations

from archive.migrate_utils import grant_role_permissions, revoke_role_permissions

ROLE_PERMISSIONS = {
    "sales_director": [
        "customers.view_all_customers",
        "customers.change_all_customers",
        "customers.add_customer",
        "customers.add_region",
        "customers.change_region",
        "customers.view_region",
    ],
    "archivist": [
        "customers.view_all_customers",
        "customers.add_region",
        "customers.change_region",
        "customers.view_region",
    ],
    "account_manager": ["customers.add_customer", "customers.view_region"],
    "clerk": ["customers.view_region"],
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
