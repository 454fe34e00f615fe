#!/usr/bin/env python3
"""Voice routes benchmark: the preset list's latency, and each sampled voice's trial URL fetched twice (the
first fetch makes the sample, the second is served from storage), with the sample's length, loudness, pitch.

    .venv/bin/python bench/voice_trials.py

Starts ``kinema serve --api-only`` on a fresh data folder, so the first English voice also pays for loading
the Piper model in that API process.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.api.server import start_server

from kinema.media.audio_io import decode_audio

RATE = 16000
PICKS = [
    ("reader_en_m-v1", "en"),
    ("cartoon-girl-01", "en"),
    ("heainainai_speech02", "en"),
    ("ai_chenjiahao_712", "zh"),
    ("cartoon-girl-01", "zh"),
    ("laopopo_speech02", "zh"),
]


def median_f0(x: np.ndarray) -> float:
    """Median pitch (Hz) of the louder half of 40 ms frames, by autocorrelation in 60–500 Hz."""
    n = int(0.04 * RATE)
    frames = [x[i : i + n] for i in range(0, len(x) - n, n // 2)]
    loud = np.array([np.sqrt(np.mean(f**2)) for f in frames])
    pitches = []
    for f in (f for f, level in zip(frames, loud, strict=True) if level >= np.median(loud)):
        c = f - f.mean()
        ac = np.correlate(c, c, "full")[n - 1 :]
        lag = RATE // 500 + int(np.argmax(ac[RATE // 500 : RATE // 60]))
        if ac[lag] > 0.3 * ac[0]:
            pitches.append(RATE / lag)
    return float(np.median(pitches))


def timed_get(client: httpx.Client, url: str, **kw: object) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    response = client.get(url, **kw)  # type: ignore[arg-type]
    return response, time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        srv = start_server(Path(tmp), api_only=True)
        try:
            with srv.client() as c:
                times = []
                for _ in range(20):
                    r, s = timed_get(c, "/v1/general/presets-voices", params={"pageSize": 1000})
                    times.append(s)
                print(
                    f"list pageSize=1000: median {statistics.median(times) * 1000:.1f} ms, {len(r.content)} B"
                )
                voices = {
                    (v["voice_id"], v["voice_language"]): v
                    for e in r.json()["data"]
                    for v in e["task_result"]["voices"]
                }
                print("| voice | first fetch ms | stored fetch ms | sample s | rms | median f0 Hz |")
                print("|---|---|---|---|---|---|")
                for vid, lang in PICKS:
                    url = next(
                        v["trial_url"] for v in voices if (v["voice_id"], v["voice_language"]) == (vid, lang)
                    )
                    first, made = timed_get(c, url)
                    _, stored = timed_get(c, url)
                    path = Path(tmp) / "trial.mp3"
                    path.write_bytes(first.content)
                    x = np.asarray(decode_audio(path, RATE), dtype=np.float64)
                    rms = float(np.sqrt(np.mean(x**2)))
                    print(
                        f"| {lang} {vid} | {made * 1000:.0f} | {stored * 1000:.1f} | {len(x) / RATE:.2f} "
                        f"| {rms:.3f} | {median_f0(x):.0f} |"
                    )
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
