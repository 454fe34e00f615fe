"""Kokoro-82M (int8 ONNX, 24 kHz): neural Mandarin and English speech with exact phone timings.

The model is loaded once per process (about 1 s) and changed in memory, like the Piper voice: the encoder's
per-token frame counts (``/encoder/Round_output_0``) become a second graph output. Every token then has
an exact length (frames × 600 samples at 24 kHz; their sum is the audio's length), so the phone timings the
avatar animates from are what the decoder really produced. The graph has no random nodes: the same tokens,
voice and speed give the same samples, bit for bit.

One model call per chunk (a sentence, or a piece of a long one, ≤ 510 tokens); the style vector is row
``min(tokens, 509)`` of the voice's table, as Kokoro was trained.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kinema.engines.tts import kokoro_assets, kokoro_g2p
from kinema.engines.tts.types import PhoneSpan, at_speech_peak

SAMPLE_RATE = 24_000
HOP = 600  # samples per duration frame
SILENT = 0.03  # a 25 ms frame quieter than this share of the chunk's loudest frame is silence
LEAD_FRAMES = 3  # silence kept before each chunk (75 ms): the start pad's last frames, as the voice sets in
TAIL_FRAMES = 12  # silence kept after each chunk's last sound (0.3 s): a sentence break, or the clip's end
DURATION_OUTPUT = "/encoder/Round_output_0"
_STRESS = frozenset("ˈˌ")
#: Marks that belong to the phone before them: length, aspiration, palatalisation, nasality, Mandarin tones.
_ATTACH = frozenset("ːʰʲ\u0303↓→↗↘")
_TONES = frozenset("↓→↗↘")
_PAUSE = kokoro_g2p.SENTENCE_END | kokoro_g2p.CLAUSE_END | frozenset('"()“”')


@dataclass
class _Model:
    session: Any
    voices: dict[str, np.ndarray]


_MODELS: dict[Path, _Model] = {}
_LOCK = threading.Lock()


def _patched_model(data: bytes) -> bytes:
    """The model with the per-token durations exposed as a second output."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load_from_string(data)
    if not any(n.output and n.output[0] == DURATION_OUTPUT for n in model.graph.node):
        raise RuntimeError(f"unexpected Kokoro graph: no {DURATION_OUTPUT}")
    model.graph.output.append(helper.make_tensor_value_info(DURATION_OUTPUT, TensorProto.FLOAT, None))
    return bytes(model.SerializeToString())


def _load(data_dir: Path | None) -> _Model:
    key = kokoro_assets.resolve_data_dir(data_dir)
    with _LOCK:
        if key not in _MODELS:
            import onnxruntime

            opts = onnxruntime.SessionOptions()
            opts.intra_op_num_threads = 2
            opts.inter_op_num_threads = 1
            session = onnxruntime.InferenceSession(
                _patched_model(kokoro_assets.model_bytes(data_dir)), opts, providers=["CPUExecutionProvider"]
            )
            _MODELS[key] = _Model(session, {})
        return _MODELS[key]


def _voice(model: _Model, data_dir: Path | None, name: str) -> np.ndarray:
    with _LOCK:
        if name not in model.voices:
            model.voices[name] = kokoro_assets.load_voice(data_dir, name)
        return model.voices[name]


def _touches(span: PhoneSpan, start: int) -> bool:
    """True when ``span`` ends where a token starting at sample ``start`` begins (no pause between)."""
    return abs(span.end * SAMPLE_RATE - start) < 0.5


def phone_spans(symbols: str, frames: np.ndarray, offset: int) -> list[PhoneSpan]:
    """Per-token frame counts (pads included: ``len(symbols) + 2``) → IPA phones in seconds.

    Stress marks join the next phone; length, aspiration and tone marks join the previous one (a tone is
    the pitch of its vowel, so its frames are the vowel's: folded in, not a phone of its own); a word gap
    while the voice is still sounding belongs to the word's last phone; punctuation is a pause (a gap).
    """
    counts = np.asarray(frames, dtype=np.int64).reshape(-1) * HOP
    cursor = offset + int(counts[0])
    spans: list[PhoneSpan] = []
    pending: int | None = None
    for sym, n in zip(symbols, counts[1:], strict=False):
        start, end = cursor, cursor + int(n)
        cursor = end
        if sym in _STRESS:
            pending = start if pending is None else pending
        elif (sym in _ATTACH or sym == " ") and spans and pending is None and _touches(spans[-1], start):
            last = spans[-1]
            label = last.p + sym if sym in _ATTACH and sym not in _TONES else last.p
            spans[-1] = PhoneSpan(label, last.start, end / SAMPLE_RATE)
        elif sym in _PAUSE or sym in _ATTACH or sym == " ":
            pending = None
        else:
            spans.append(PhoneSpan(sym, (pending if pending is not None else start) / SAMPLE_RATE,
                                   end / SAMPLE_RATE))
            pending = None
    return spans


def _trim_tails(spans: list[PhoneSpan], audio: np.ndarray, offset: int) -> list[PhoneSpan]:
    """End each phone that precedes a pause (or ends the chunk) where its sound does.

    Kokoro gives a sentence's last token the silence after it (up to ~0.5 s): a mouth would hold that vowel
    open through the pause. Such a phone is cut back, in whole frames, to its last frame louder than
    :data:`SILENT` of the chunk's peak frame (never below one frame); every other edge stays as the model
    produced it.
    """
    n = len(audio) // HOP
    if n == 0 or not spans:
        return spans
    rms = np.sqrt(np.mean(audio[: n * HOP].reshape(n, HOP) ** 2, axis=1))
    loud = rms > SILENT * float(rms.max())
    out = list(spans)
    for i, span in enumerate(out):
        if i + 1 < len(out) and abs(out[i + 1].start - span.end) < 1e-9:
            continue  # connected to the next phone
        first = round(span.start * SAMPLE_RATE - offset) // HOP
        last = min(n, round(span.end * SAMPLE_RATE - offset) // HOP)
        sounding = np.flatnonzero(loud[first:last])
        end_frame = first + (int(sounding[-1]) + 1 if sounding.size else 1)
        if end_frame < last:
            out[i] = PhoneSpan(span.p, span.start, (offset + end_frame * HOP) / SAMPLE_RATE)
    return out


def _cut_trailing_silence(audio: np.ndarray) -> np.ndarray:
    """Keep at most :data:`TAIL_FRAMES` of silence after a chunk's last sound (whole frames).

    Kokoro ends a chunk with up to ~1 s of silence; kept whole, every sentence break would be a long gap
    and every clip would end in one.
    """
    n = len(audio) // HOP
    if n == 0:
        return audio
    rms = np.sqrt(np.mean(audio[: n * HOP].reshape(n, HOP) ** 2, axis=1))
    sounding = np.flatnonzero(rms > SILENT * float(rms.max()))
    keep = (int(sounding[-1]) + 1 + TAIL_FRAMES) * HOP if sounding.size else len(audio)
    return audio[: min(len(audio), keep)]


def synthesize_kokoro(
    phonemes: str, voice: str, speed: float, data_dir: Path | None
) -> tuple[np.ndarray, int, list[PhoneSpan]]:
    """Speak a phoneme string with a Kokoro voice; return (float32 samples, 24000, exact phones)."""
    model = _load(data_dir)
    table = _voice(model, data_dir, voice)
    pieces: list[np.ndarray] = []
    phones: list[PhoneSpan] = []
    offset = 0
    for chunk in kokoro_g2p.chunks(phonemes):
        ids = [0, *(kokoro_g2p.VOCAB[ch] for ch in chunk), 0]
        feeds = {
            "tokens": np.array([ids], dtype=np.int64),
            "style": table[min(len(chunk), kokoro_assets.VOICE_ROWS - 1)][None, :].astype(np.float32),
            "speed": np.array([speed], dtype=np.float32),
        }
        audio, frames = model.session.run(None, feeds)
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        frames = np.asarray(frames).reshape(-1).copy()
        # The start pad is ~0.45 s of silence on every call: keep LEAD_FRAMES of it (whole frames, so the
        # timings stay exact), else each sentence would open with a long gap.
        cut = max(0, int(frames[0]) - LEAD_FRAMES) if len(frames) else 0
        audio, frames[0] = audio[cut * HOP :], frames[0] - cut
        if len(frames) == len(ids) and int(frames.sum()) * HOP == len(audio):
            phones.extend(_trim_tails(phone_spans(chunk, frames, offset), audio, offset))
        audio = _cut_trailing_silence(audio)
        end = (offset + len(audio)) / SAMPLE_RATE
        phones = [PhoneSpan(p.p, p.start, min(p.end, end)) for p in phones if p.start < end]
        pieces.append(audio)
        offset += len(audio)
    samples = at_speech_peak(np.concatenate(pieces) if pieces else np.zeros(0, np.float32))
    return samples, SAMPLE_RATE, phones
