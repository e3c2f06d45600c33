"""`fangxian supplies-ledger-check [--store ID] [--limit N]`: verify every lot's balance against its ledger.

Exit code 0 when every lot's `quantity` equals the sum of its movements and each movement's
`balance_after` equals the running sum up to it; 1 with a report of every difference otherwise.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from fangxian.supplies.selectors.stock import ledger_differences


class Command(BaseCommand):
    help = "Check that stock on hand equals the ledger for every lot; exit code 1 and a report on any difference."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--store", type=int, default=None, help="only the lots of this store (id)")
        parser.add_argument("--limit", type=int, default=100, help="at most this many differences in the report")
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the report as JSON")

    def handle(self, *args, store: int | None = None, limit: int = 100, as_json: bool = False, **options) -> None:
        report = ledger_differences(store_id=store, limit=max(limit, 1))
        if as_json:
            self.stdout.write(_dumps(report))
        else:
            self.stdout.write(f"lots checked: {report['lots']}, movements checked: {report['movements']}")
            for difference in report["differences"]:
                self.stdout.write(
                    "lot {lot_id} (store {store_id}, item {item_id}): {problem}: on hand {on_hand}, "
                    "ledger {ledger}{at}".format(
                        **difference,
                        at=f", at movement {difference['movement_id']}" if difference.get("movement_id") else "",
                    )
                )
        if report["differences"]:
            self.stderr.write(f"{report['difference_count']} difference(s) between stock on hand and the ledger")
            raise SystemExit(1)
        if not as_json:
            self.stdout.write("the ledger and stock on hand agree")


def _dumps(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)
