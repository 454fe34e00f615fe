"""Kokoro: Mandarin and English neural speech whose phone timings are the model's own, G2P and chunking
rules, the duration patch's bookkeeping, the hash check, and the fallback when the voices are missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinema.contract.voices import VOICES
from kinema.engines.tts import TtsSetup, kokoro_assets, kokoro_g2p, synthesize, voice_revision
from kinema.engines.tts.engine import kokoro_missing
from kinema.engines.tts.kokoro import HOP, SAMPLE_RATE, phone_spans
from kinema.engines.tts.kokoro_voices import BY_LANGUAGE, USED_VOICES
from tests.engines.tts.test_tts import _frame_rms, _median_f0

KOKORO = TtsSetup()
needs_kokoro = pytest.mark.skipif(
    kokoro_missing("zh", "zf_xiaoxiao", KOKORO) is not None,
    reason=f"Kokoro not installed: {kokoro_missing('zh', 'zf_xiaoxiao', KOKORO)}",
)


def _covered(speech_phones: list, samples: np.ndarray, rate: int) -> float:
    """Share of loud 10 ms frames that fall inside a phone span."""
    starts = np.array([p.start for p in speech_phones])
    ends = np.array([p.end for p in speech_phones])
    rms = _frame_rms(samples, rate)
    t = (np.flatnonzero(rms > 0.2 * rms.max()) + 0.5) * 0.01
    return float(np.mean([np.any((starts <= x) & (x <= ends)) for x in t]))


def test_every_preset_id_has_a_kokoro_voice_of_its_language() -> None:
    for language, ids in VOICES.items():
        assert set(BY_LANGUAGE[language]) == set(ids)
        for voice in BY_LANGUAGE[language].values():
            assert voice.name.startswith(("zf_", "zm_") if language == "zh" else ("af_", "am_", "bf_", "bm_"))
            assert 0.8 <= voice.pace <= 1.2
    # every Mandarin voice but zf_xiaoni, read by Whisper base at CER 30–36 % (docs/tts.md, Intelligibility)
    assert {v for v in USED_VOICES if v.startswith("z")} == {
        "zf_xiaobei", "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi", "zm_yunxia", "zm_yunyang"
    }


def test_phone_spans_fold_marks_and_leave_pauses_as_gaps() -> None:
    # pad, ʨ, i, →, n, ",", " ", ˈ, a, ʰ, pad: tone → folds into i, ʰ into a; the stress starts a
    symbols = "ʨi→n, ˈaʰ"
    frames = np.array([3, 2, 4, 3, 2, 5, 1, 1, 4, 2, 1])
    spans = phone_spans(symbols, frames, offset=600)
    s = HOP / SAMPLE_RATE
    assert [p.p for p in spans] == ["ʨ", "i", "n", "aʰ"]
    assert spans[0].start == pytest.approx((600 + 3 * HOP) / SAMPLE_RATE)
    assert spans[1].end - spans[1].start == pytest.approx(7 * s)  # i + its tone
    assert spans[3].start - spans[2].end == pytest.approx(6 * s)  # the comma and the gap are silence
    assert spans[3].end - spans[3].start == pytest.approx(7 * s)  # ˈ + a + ʰ


def test_chunks_stay_under_the_token_limit_and_cut_at_punctuation() -> None:
    sentence = "ni↓xau↓, " * 60 + "xau↓."
    pieces = kokoro_g2p.chunks(sentence + " ʂɨ↘ʨje↘.", limit=100)
    assert all(len(p) <= 100 for p in pieces) and len(pieces) > 5
    assert all(p.endswith((",", ".")) for p in pieces[:-1])
    assert "".join(pieces).replace(" ", "") == (sentence + " ʂɨ↘ʨje↘.").replace(" ", "")
    assert kokoro_g2p.chunks("a" * 250, limit=100) == ["a" * 100, "a" * 100, "a" * 50]
    assert kokoro_g2p.tokens_of("hɛlo0 wɜːld🙂") == "hɛlo wɜːld"


@needs_kokoro
def test_mandarin_g2p_tones_and_latin(tmp_path: Path) -> None:
    ph = kokoro_g2p.zh_phonemes("你好，AI。", tmp_path / "jieba")
    assert "↓" in ph and "ni" in ph
    assert "A" not in ph and "eɪ" in ph  # the Latin letters were spoken as English, not passed raw
    assert kokoro_g2p.en_phonemes("Hello, world.").startswith("həlˈoʊ,")


@needs_kokoro
def test_mandarin_voices_speak_with_exact_phones() -> None:
    text = "今天天气很好，我们去公园散步吧。"
    woman = synthesize(text, "zh", voice_id="girlfriend_1_speech02")
    man = synthesize(text, "zh", voice_id="diyinnansang_DB_CN_M_04-v2")
    assert woman.voice.startswith("kokoro:zf_xiaoxiao") and man.voice.startswith("kokoro:zm_yunyang")
    assert woman.sample_rate == SAMPLE_RATE and 1.5 < woman.duration < 6
    for speech in (woman, man):
        assert len(speech.phones) >= 30 and speech.phones[-1].end <= speech.duration + 1e-9
        assert not any(ch in "↓→↗↘ˈˌ ,." for p in speech.phones for ch in p.p)
        # every edge and the length are whole duration frames (600 samples): the model's own timing
        edges = [[p.start, p.end] for p in speech.phones] + [[0, speech.duration]]
        frames = np.array(edges) * SAMPLE_RATE / HOP
        assert np.allclose(frames, np.round(frames), atol=1e-6)
        assert _covered(speech.phones, speech.samples, speech.sample_rate) > 0.95
    assert _median_f0(woman.samples, SAMPLE_RATE) > 1.3 * _median_f0(man.samples, SAMPLE_RATE)


@needs_kokoro
def test_english_voices_differ_and_speed_is_honoured() -> None:
    text = "Kokoro speaks English too."
    lady = synthesize(text, "en", voice_id="commercial_lady_en_f-v1")
    george = synthesize(text, "en", voice_id="uk_man2")
    fast = synthesize(text, "en", voice_id="uk_man2", speed=1.5)
    assert lady.voice.startswith("kokoro:af_heart") and george.voice.startswith("kokoro:bm_george")
    assert _median_f0(lady.samples, SAMPLE_RATE) > 1.3 * _median_f0(george.samples, SAMPLE_RATE)
    assert fast.duration < 0.8 * george.duration
    assert _covered(george.phones, george.samples, SAMPLE_RATE) > 0.95


def test_without_voices_the_previous_engines_speak(tmp_path: Path) -> None:
    bare = TtsSetup(data_dir=tmp_path)  # an empty data folder: no voice files
    speech = synthesize("Nothing installed.", "en", voice_id="uk_man2", setup=bare)
    assert speech.voice.startswith("piper:")
    assert "missing" in (kokoro_missing("en", "bm_george", bare) or "")
    assert voice_revision("uk_man2", "en", bare) == voice_revision("uk_man2", "en", TtsSetup(en="piper"))


@needs_kokoro
def test_revision_names_the_engine() -> None:
    assert voice_revision("uk_man2", "en") != voice_revision("uk_man2", "en", TtsSetup(en="piper"))
    assert voice_revision("ai_shatang", "zh") != voice_revision("ai_shatang", "en")


def test_a_joined_model_with_the_wrong_hash_is_refused(tmp_path: Path) -> None:
    (tmp_path / kokoro_assets.MODEL_FILE).write_bytes(b"not the model")
    with pytest.raises(RuntimeError, match="SHA-256"):
        kokoro_assets.model_bytes(tmp_path)
