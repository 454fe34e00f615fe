#!/usr/bin/env python3
"""Callback fairness: how long one account's callback waits while another account's receiver hangs.

    .venv/bin/python bench/callback_fairness.py [--hanging-tasks 16] [--hang-s 60] [--wait-s 120]

Account A has ``--hanging-tasks`` tasks whose receiver (on 127.0.0.1) never answers in time; account B then
creates one task with a healthy receiver. Printed: the seconds from B's create to its first callback. The
webhook settings are the defaults (10 s timeout, 2 s first backoff, 6 attempts); SQLite in a temporary
folder; the private-address guard is relaxed so the loopback receivers can be reached.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.db import make_settings
from tests.support.fairness import starved_callback_delay

from kinema.runtime import build_runtime
from kinema.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hanging-tasks", type=int, default=16)
    parser.add_argument("--hang-s", type=float, default=60.0)
    parser.add_argument("--wait-s", type=float, default=120.0)
    args = parser.parse_args()
    defaults = Settings()
    with tempfile.TemporaryDirectory(prefix="kinema-fairness-") as tmp:
        settings = make_settings(
            Path(tmp),
            allow_private_urls=True,
            webhook_timeout_s=defaults.webhook_timeout_s,
            webhook_backoff_s=defaults.webhook_backoff_s,
            webhook_max_attempts=defaults.webhook_max_attempts,
        )
        rt = build_runtime(settings)
        try:
            delay = starved_callback_delay(
                rt, hanging_tasks=args.hanging_tasks, hang_s=args.hang_s, wait_s=args.wait_s
            )
        finally:
            rt.close()
    shown = f"{delay:.2f} s" if delay is not None else f"not delivered within {args.wait_s:g} s"
    print(
        f"account B's first callback, with {args.hanging_tasks} tasks of account A on a hanging receiver "
        f"(timeout {settings.webhook_timeout_s:g} s): {shown}"
    )


if __name__ == "__main__":
    main()
