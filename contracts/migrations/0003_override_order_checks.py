"""The director may let an order through a check that refused it (the credit limit), giving a reason."""

from django.db import migrations

from archive.migrate_utils import grant_role_permissions, revoke_role_permissions

ROLE_PERMISSIONS = {"sales_director": ["contracts.override_order_checks"]}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0002_product_keepers'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='order',
            options={'ordering': ['-ordered_on', '-id'], 'permissions': [('grade_customers', 'Can grade customers by their sales (ABC)'), ('override_order_checks', 'Can let an order through a refused check (such as the credit limit)')], 'verbose_name': 'order', 'verbose_name_plural': 'orders'},
        ),
        migrations.RunPython(forwards, backwards),
    ]
