"""`fangxian rotate-keys`: re-encrypt every personal value with the newest data key.

Rotation in practice: put the new key first in FANGXIAN_DATA_KEYS (keeping the old ones after it),
restart, run this command, then drop the old keys. Until the command has run, old rows stay
readable because MultiFernet tries every key. Lookup hashes do not change: their key is separate.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from fangxian.core.audit import acting_as, audit_record
from fangxian.core.models import AuditAction
from fangxian.core.personal import fernet, personal_fields
from fangxian.core.scoping import Actor

BATCH = 2000


def rotate_model(model: type, batch: int = BATCH) -> int:
    """Re-encrypt one model's personal columns in batches, each in its own transaction."""
    fields = personal_fields(model)
    if not fields:
        return 0
    names = [f.attname for f in fields]
    crypto = fernet()
    done, last_pk = 0, None
    manager = model._base_manager
    while True:
        rows = manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        with transaction.atomic():
            # Locked while rewritten: an edit in between would otherwise be overwritten with the old value.
            chunk = list(rows.select_for_update().values_list("pk", *names)[:batch])
            if not chunk:
                return done
            for pk, *values in chunk:
                updates = {
                    name: crypto.rotate(value.ciphertext.encode()).decode()
                    for name, value in zip(names, values, strict=True)
                    if value
                }
                if updates:
                    # update() writes the ciphertext as it is; the field's pre_save would re-validate.
                    manager.filter(pk=pk).update(**updates)
                    done += 1
        last_pk = chunk[-1][0]


class Command(BaseCommand):
    help = "Re-encrypt all personal data with the first key of FANGXIAN_DATA_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        actor = Actor.system("rotate-keys")
        with acting_as(actor):
            total = 0
            for model in apps.get_models():
                count = rotate_model(model)
                if count:
                    self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
                    total += count
            audit_record(AuditAction.KEY_ROTATE, actor=actor, object_type="*", area_code="", changes={"rows": total})
        self.stdout.write(self.style.SUCCESS(f"{total} rows re-encrypted with the newest key."))
