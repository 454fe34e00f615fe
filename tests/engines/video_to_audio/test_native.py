"""Native audio for a generated clip: a video prompt split into effect and music words; the clip scored."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from kinema.engines.video_to_audio.evaluate import align, audio_onsets
from kinema.engines.video_to_audio.native import add_native_audio
from kinema.engines.video_to_audio.prompts import split_video_prompt
from kinema.media.audio_io import decode_audio
from tests.engines.video_to_audio.synth_clips import Clip


@pytest.mark.parametrize(
    ("prompt", "effects", "music"),
    [
        # sound words, no music words: the sounds and no music (a native-audio clip of waves is waves)
        ("Waves crash on the beach", "waves crash beach", "no music"),
        ("a dog running in the rain", "running rain", "no music"),
        # mood words alone describe the picture, not a soundtrack
        ("a dark forest, soft light", "forest", "no music"),
        # music is asked for: its mood and instrument words go to the music
        ("a cat on a wooden table, soft piano music", "wooden table", "soft piano"),
        ("epic orchestral score as the camera is flying fast", "flying fast", "epic orchestral"),
        ("a street with music", "street", "music"),  # music, mood left to the picture
        ("rain, no music", "rain", "no music"),
        ("雨 钢琴", "雨", "钢琴"),
        # nothing the tables know: both left to the picture, as video to audio does with empty prompts
        ("a girl smiles at the camera", "", ""),
        ("", "", ""),
    ],
)
def test_split_video_prompt(prompt: str, effects: str, music: str) -> None:
    assert split_video_prompt(prompt) == (effects, music)


def test_the_clip_is_scored_to_its_exact_length_with_hits_on_its_events(ball: Clip, tmp_path: Path) -> None:
    progress: list[float] = []
    out = add_native_audio(
        ball.path, "a bouncing ball", tmp_path / "ball.mp4", seed=1, progress=progress.append
    )
    assert out.sound_effect_prompt == "bouncing ball" and out.bgm_prompt == "no music"
    assert out.summary["impact"] == "ball" and out.summary["music"] == "none"
    assert out.picture_copied and out.duration == ball.duration
    assert abs(out.lufs + 16.0) <= 0.5 and out.true_peak_db <= -1.0
    assert progress == sorted(progress) and progress[-1] == 1.0
    with av.open(str(out.video)) as c:
        (audio,) = c.streams.audio
        assert audio.codec_context.name == "aac"
        assert abs(float(audio.duration * audio.time_base) - ball.duration) <= 1024 / 48_000
    sound = decode_audio(out.video, 48_000, mono=False)
    hits = align(ball.events, audio_onsets(sound, 48_000))
    assert hits.hit_rate >= 0.8, hits  # the bounces are heard where they happen


def test_same_clip_prompt_and_seed_give_the_same_sound(ball: Clip, tmp_path: Path) -> None:
    a = add_native_audio(ball.path, "rain", tmp_path / "a.mp4", seed=5)
    b = add_native_audio(ball.path, "rain", tmp_path / "b.mp4", seed=5)
    assert (decode_audio(a.video, 48_000) == decode_audio(b.video, 48_000)).all()
