"""The scale-out soak, short: 2 API processes + 3 workers on PostgreSQL, Redis and S3 (moto), one worker
SIGKILLed while it runs a task. Nothing is lost, nothing is stored twice, and ``/metrics`` (every process of
the host, killed ones included) counts what the database says."""

from __future__ import annotations

import pytest
from bench.soak import Mix, run_soak

from tests.support.services import listening


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(240)
def test_short_soak_loses_and_duplicates_nothing() -> None:
    if not (listening(5432) and listening(6379)):
        pytest.skip("PostgreSQL (5432) or Redis (6379) at 127.0.0.1 is unreachable")
    report = run_soak(Mix(tts=8, avatar=1, i2v=0, v2a=0, t2a=6), kill_every=5.0, max_kills=1, timeout=150)
    assert report.accepted == 15 and not report.refused
    assert report.lost == [] and report.duplicates == []
    assert report.kills == 1
    assert report.outcomes == {
        ("tts", "succeed"): 8,
        ("avatar", "succeed"): 1,
        ("text_to_audio", "succeed"): 6,
    }
    assert report.metrics_finished == {k: float(v) for k, v in report.outcomes.items()}
    # submitted, processing and succeed of each asynchronous task, plus the 3 deliveries refused on purpose
    assert report.callbacks >= 3 * 7 + 3
