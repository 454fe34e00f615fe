#!/usr/bin/env python3
"""Speech-stage bench: which phone source puts closures and rounding where the speaker made them.

usage: .venv/bin/python bench/avatar_speech.py [--quick]

No video: each source's mouth track (kinema.engines.avatar.speech) is scored against reference phones —
Piper's exact phones for TTS clips, a forced alignment of the known transcript for recorded speech
(bench/recorded_speech.py; apt-get install pocketsphinx-testdata). Per clip × source:
  close   share of reference p/b/m (inside speech) with the track's seal on during [start − 60 ms, end]
  err_ms  median |seal centre − reference closure centre| over those found
  spur/s  seal events per second of speech that touch no reference p/b/m (± 60 ms)
  r−s     mean track width at rounded phones minus at spread ones (negative: rounding shows)
  s       the recogniser's wall time (contended 2-core machine)
plus the language Whisper identifies for each clip (when the asr extra is installed).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from recorded_speech import recorded_clips  # noqa: E402

from kinema.engines.avatar import language as lang_id  # noqa: E402
from kinema.engines.avatar import recognize  # noqa: E402
from kinema.engines.avatar.phones import Phone  # noqa: E402
from kinema.engines.avatar.speech import RATE, build_track  # noqa: E402
from kinema.media.audio_io import decode_audio  # noqa: E402

CLOSE = {"p", "b", "m", "P", "B", "M"}
ROUND = {"u", "uː", "ʊ", "w", "o", "oʊ", "oː", "y", "UW", "UH", "OW", "W"}
SPREAD = {"i", "iː", "ɪ", "e", "eɪ", "j", "IY", "IH", "EY", "Y"}
TEXTS = {
    "tts1": "Peter picked a bunch of blue balloons. Mom wants more boots, please, by Monday. We should move "
            "soon, before the big storm.",
    "tts2": "Hello there. My name is Maria, and I build tiny boats by the sea. Would you believe it? People "
            "pay me well, and I am happy.",
    "zh1": "你好，我叫玛丽亚。我在海边造小船。你相信吗？大家都很喜欢我的船。",
    "zh2": "今天天气很好，我们一起去公园散步吧。爸爸妈妈都不忙，朋友们也来了。",
}


def _label(p: str) -> str:
    return p.replace("ˈ", "").replace("ˌ", "")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.nonzero(d == 1)[0], np.nonzero(d == -1)[0], strict=True))


def score(track, ref: list[Phone]) -> dict:
    """Closure rate / timing / spurious seals and rounding of ``track`` against reference phones."""
    seal = track.closure > 0.5
    talk = track.speaking
    n = len(seal)
    runs = _runs(seal & maximum(talk))
    hits, errs, used = [], [], set()
    for ph in ref:
        if _label(ph.p) not in CLOSE:
            continue
        mid = int((ph.start + ph.end) / 2 * RATE)
        if not (0 <= mid < n and talk[mid]):
            continue
        lo = int((ph.start - (0.06 if _label(ph.p).lower() in ("p", "b") else 0.0)) * RATE)
        hi = int(ph.end * RATE) + 1
        found = [k for k, (a, b) in enumerate(runs) if a < hi and b > lo]
        hits.append(bool(found))
        if found:
            a, b = runs[found[0]]
            ref_c = ((lo + hi) / 2) if _label(ph.p).lower() in ("p", "b") else (ph.start + ph.end) / 2 * RATE
            errs.append(abs((a + b) / 2 - ref_c) * 1000 / RATE)
            used.update(found)
    t = np.arange(n) / RATE
    w_r = [np.interp((p.start + p.end) / 2, t, track.width) for p in ref if _label(p.p) in ROUND]
    w_s = [np.interp((p.start + p.end) / 2, t, track.width) for p in ref if _label(p.p) in SPREAD]
    speech_s = max(talk.sum() / RATE, 1e-3)
    return {"close": float(np.mean(hits)) if hits else float("nan"), "n": len(hits),
            "err_ms": float(np.median(errs)) if errs else float("nan"),
            "spur/s": (len(runs) - len(used)) / speech_s,
            "r-s": (float(np.mean(w_r)) - float(np.mean(w_s))) if w_r and w_s else float("nan")}


def maximum(talk: np.ndarray) -> np.ndarray:
    """Speech with 100 ms of margin (a closure just before the first vowel still counts)."""
    from scipy.ndimage import maximum_filter1d

    return maximum_filter1d(talk.astype(np.uint8), 21).astype(bool)


def clips(quick: bool) -> list[tuple[str, np.ndarray, list[Phone], str | None]]:
    from kinema.engines.tts import synthesize

    out = []
    for name, text in TEXTS.items():
        s = synthesize(text, language="zh" if name.startswith("zh") else "en")
        g = math.gcd(16000, s.sample_rate)
        a16 = resample_poly(s.samples.astype(np.float32), 16000 // g, s.sample_rate // g).astype(np.float32)
        out.append((name, a16, [Phone(p.p, p.start, p.end) for p in s.phones],
                    None if name.startswith("zh") else text))
    for clip in recorded_clips(with_untranscribed=False)[: 4 if quick else None]:
        a16 = decode_audio(clip.path, 16000)
        assert clip.transcript
        ref = recognize.aligned_phones(a16, clip.transcript) or []
        out.append((clip.name, a16, ref, clip.transcript))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="", help="clip name prefix, e.g. zh")
    a = ap.parse_args()
    rows = []
    for name, audio, ref, text in clips(a.quick):
        if not name.startswith(a.only):
            continue
        t = time.perf_counter()
        found = lang_id.detect_language(audio)
        lid_s = time.perf_counter() - t
        sources: dict[str, tuple[list[Phone] | None, float]] = {}
        for src, fn in (("aligned", lambda x, tx=text: recognize.aligned_phones(x, tx or "")),
                        ("hama", recognize.hama_phones), ("pocketsphinx", recognize.allphone_phones)):
            t = time.perf_counter()
            ph = fn(audio)
            sources[src] = (ph, time.perf_counter() - t)
        if text is None:
            del sources["aligned"]
        if name.startswith(("tts", "zh")):
            sources = {"phones": (ref, 0.0)} | sources
        sources["acoustic"] = ([], 0.0)
        for src, (ph, secs) in sources.items():
            track = build_track(audio, phones=ph or None, language="en" if ph else "other", source=src)
            row = {"clip": name, "source": src, "dur": round(len(audio) / 16000, 2), "s": round(secs, 2),
                   "lang": f"{found[0]} {found[1]:.2f}" if found else "-", "lid_s": round(lid_s, 2)}
            row |= {k: (round(v, 3) if isinstance(v, float) else v) for k, v in score(track, ref).items()}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    print_table(rows)


def print_table(rows: list[dict]) -> None:
    cols = ["clip", "source", "dur", "lang", "close", "n", "err_ms", "spur/s", "r-s", "s"]
    print("\n| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    print("\nper source and kind: close pooled over all reference p/b/m, median err_ms, mean spur/s, mean r−s")
    for src in dict.fromkeys(r["source"] for r in rows):
        for kind, sel in (("recorded", lambda r: not r["clip"].startswith(("tts", "zh"))),
                          ("tts", lambda r: r["clip"].startswith("tts")),
                          ("zh tts", lambda r: r["clip"].startswith("zh"))):
            rs = [r for r in rows if r["source"] == src and sel(r)]
            if rs:
                print(f"  {src:12s} {kind:8s} {_summary(rs)}")


def _summary(rs: list[dict]) -> str:
    def vals(key: str) -> list[float]:
        return [r[key] for r in rs if not np.isnan(r[key])]

    n = sum(r["n"] for r in rs)
    hits = sum(r["close"] * r["n"] for r in rs if r["n"])
    err, spur, rs_ = vals("err_ms"), vals("spur/s"), vals("r-s")
    return (f"close {hits / max(n, 1):.3f} of {n}  err {np.median(err) if err else float('nan'):.0f} ms  "
            f"spur {np.mean(spur):.2f}/s  r−s {np.mean(rs_) if rs_ else float('nan'):+.3f}  ({len(rs)} clips)")

if __name__ == "__main__":
    main()
