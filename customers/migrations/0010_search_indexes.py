"""Indexes the customer list's query plans ask for at 100,000 customers.

``credit_code``: the card's check for a code held in the recycle bin looked every customer up by code, and the
partial unique index (``credit_code <> ''``) cannot serve ``credit_code = …`` on SQLite; a plain index can.

On PostgreSQL only, trigram GIN indexes (pg_trgm) on the expressions Django's ``icontains`` compares,
``UPPER(column::text)``, so the list's search (name, short name, credit code, a contact's name) reads the index
instead of every row. SQLite has no such index; the operation does nothing there.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = (
    ("customer_name_trgm_idx", "customers_customer", "name"),
    ("customer_short_name_trgm_idx", "customers_customer", "short_name"),
    ("customer_credit_code_trgm_idx", "customers_customer", "credit_code"),
    ("contact_name_trgm_idx", "customers_contact", "name"),
)


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0009_sales_grade"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["credit_code"], name="customer_credit_code_idx"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
