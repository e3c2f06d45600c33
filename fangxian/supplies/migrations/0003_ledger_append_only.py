"""Make the supplies ledger append-only in the database itself (PostgreSQL), like the audit trail.

The model refuses updates and deletes already; the trigger also stops raw SQL. TRUNCATE stays with
the database owner (test teardown uses it). On SQLite the model-level guard is the protection.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION fangxian_supplies_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the supplies ledger is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER supplies_movement_append_only
    BEFORE UPDATE OR DELETE ON supplies_movement
    FOR EACH ROW EXECUTE FUNCTION fangxian_supplies_ledger_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS supplies_movement_append_only ON supplies_movement;
DROP FUNCTION IF EXISTS fangxian_supplies_ledger_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("supplies", "0002_default_catalogue")]
    operations = [migrations.RunPython(forward, backward)]
