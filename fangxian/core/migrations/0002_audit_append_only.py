"""Make the audit trail append-only in the database itself (PostgreSQL).

The model already refuses updates and deletes; the trigger also stops raw SQL and maintenance
scripts. TRUNCATE is left to the database owner (test teardown uses it). On SQLite the model-level
guard is the protection: SQLite's flush uses DELETE, which a trigger would break for tests.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION fangxian_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION fangxian_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS fangxian_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
