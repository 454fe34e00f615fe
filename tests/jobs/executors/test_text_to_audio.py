"""Text-to-audio executor: the typed request → one audio (mp3 + wav, group 0) of the requested length."""

from __future__ import annotations

from pathlib import Path

from kinema.contract.limits import Limits
from kinema.contract.stored import request_from_row
from kinema.engines.base import no_progress
from kinema.jobs.executors.base import JobContext
from kinema.jobs.executors.text_to_audio import execute


def _ctx(tmp: Path, seed: int = 1, **fields: object) -> JobContext:
    request = request_from_row("text_to_audio", dict(fields), {}, Limits())
    return JobContext(
        task_id="t1",
        kind="text_to_audio",
        request=request,
        inputs={},
        workdir=tmp,
        progress=no_progress,
        seed=seed,
        limits=Limits(),
    )


def test_outputs_roles_durations_and_measures(tmp_path: Path) -> None:
    outputs = execute(_ctx(tmp_path, prompt="  footsteps on gravel, calm piano ", duration=3.4))
    assert [(o.role, o.group) for o in outputs] == [("audio_mp3", 0), ("audio_wav", 0)]
    mp3, wav = outputs
    assert wav.duration_s == 3.4 and abs(mp3.duration_s - 3.4) < 0.06
    for o in outputs:
        assert o.path.is_file() and o.path.stat().st_size > 1000
    assert wav.extra["impacts"] == ["footstep"] and wav.extra["music"] == "calm"
    assert abs(wav.extra["lufs"] + 16) <= 0.5 and wav.extra["true_peak_db"] <= -1.0


def test_the_task_seed_makes_it_repeatable(tmp_path: Path) -> None:
    first = execute(_ctx(tmp_path / "a", seed=5, prompt="wind", duration=3))
    again = execute(_ctx(tmp_path / "b", seed=5, prompt="wind", duration=3))
    other = execute(_ctx(tmp_path / "c", seed=6, prompt="wind", duration=3))
    assert first[1].path.read_bytes() == again[1].path.read_bytes() != other[1].path.read_bytes()
