"""What a create's budget check costs as an account's history grows, on SQLite.

``.venv/bin/python bench/account_check_bench.py``: inserts 1,000, then 10,000, then 50,000 succeeded tasks
into one metered account and times 200 checks each way: the kept spent count (what a create reads,
``kinema.accounts.policy.check_can_spend``) and the sum over the tasks (``spent_hundredths``, which a create
would otherwise run).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from kinema.accounts.policy import check_can_spend, spent_hundredths, update_rules
from kinema.db.engine import now_ms
from kinema.db.models import Task
from kinema.runtime import build_runtime
from kinema.settings import Settings

REPEAT = 200


def _rows(account_id: str, first: int, count: int) -> list[dict[str, object]]:
    now = now_ms()
    return [
        {
            "id": str(10**15 + first + i),
            "account_id": account_id,
            "kind": "image2video",
            "status": "succeed",
            "status_msg": "",
            "progress": 100,
            "params": {},
            "inputs": {},
            "task_info": {},
            "result": {},
            "attempt": 1,
            "max_attempts": 3,
            "cancel_requested": False,
            "created_at": now,
            "updated_at": now,
            "expired": False,
            "units_hundredths": 100,
        }
        for i in range(count)
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        rt = build_runtime(Settings(data_dir=Path(folder), url_signing_secret="bench"))
        rules = update_rules(rt.db, "bench", units=10**12)
        total = 0
        for batch in (1_000, 9_000, 40_000):
            with rt.db.write() as s:
                s.execute(insert(Task), _rows(rules.account_id, total, batch))
            total += batch
            with rt.db.read() as s:
                t0 = time.perf_counter()
                for _ in range(REPEAT):
                    check_can_spend(s, rules.account_id, 100, now=now_ms())
                kept = (time.perf_counter() - t0) / REPEAT
                t0 = time.perf_counter()
                for _ in range(REPEAT):
                    spent_hundredths(s, rules.account_id, rules.started_at or 0)
                summed = (time.perf_counter() - t0) / REPEAT
            print(f"{total:>6} tasks: kept count {kept * 1e3:.3f} ms, sum over tasks {summed * 1e3:.3f} ms")
        rt.close()


if __name__ == "__main__":
    main()
