#!/usr/bin/env python3
"""Avatar quality table: lip sync, closures, rounding, identity, negative controls, contact sheets.

usage: .venv/bin/python bench/avatar_quality.py [--out /tmp/avatar_quality] [--quick]
       [--eval /work/shared/tools/eval_avatar.py] [--sheet docs/avatar-contact.png]

Needs dlib + face_recognition_models (bench only, NOT a test dependency):
  .venv/bin/pip install /work/shared/tools/wheels/dlib-20.0.1-cp311-cp311-linux_x86_64.whl \
      face_recognition_models
Landmarks/identity come from dlib (a different model family from the renderer's mediapipe mesh), with the
shared evaluator's functions for (a). Per portrait × speech it reports
  (a) r(lag 0) between dlib inner-lip opening / IOD and the audio's log-RMS envelope, and the best lag (±15);
  (b) the share of p/b/m phones inside speech where the lips are really closed (opening < 0.04 IOD);
  (c) mouth width at rounded phones (u, ʊ, w, o) / at spread ones (i, ɪ, e) — < 1 means rounding shows;
  identity (dlib embedding cosine vs the portrait) and the share of frames with a face;
and two negative controls per portrait (a still video with the same audio; a render driven by the audio
shifted by 0.5 s, scored against the true audio), which must score < 0.2 at lag 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kinema.engines.avatar import AvatarOptions, render_avatar  # noqa: E402
from kinema.engines.avatar.motion import blink_schedule  # noqa: E402
from kinema.media.audio_io import decode_audio, write_wav  # noqa: E402
from kinema.media.video_writer import VideoWriter  # noqa: E402

# IPA (Piper's exact phones) and ARPAbet (the forced alignment used as the reference for recorded speech)
ROUND = {"u", "uː", "ʊ", "w", "o", "oʊ", "ɔ", "oː", "UW", "UH", "OW", "W"}
SPREAD = {"i", "iː", "ɪ", "e", "eɪ", "j", "IY", "IH", "EY", "Y"}
CLOSE = {"p", "b", "m", "P", "B", "M"}
STOPS = ("p", "b", "P", "B")
RECORDED = ("libri_0870", "libri_0920", "libri_0930", "cards_005", "c2_hts1a", "c2_hts2a", "c2_morig",
            "c2_forig", "c2_mmt1", "c2_big_dog", "c2_cross")
FPS = 25


def load_eval(path: str):
    spec = importlib.util.spec_from_file_location("eval_avatar", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------------------------------------ inputs
def portraits(out: Path) -> dict[str, Path]:
    """Five+ portraits from PyPI-shipped data and synthetic variants (crop/scale/flip/colour/aspect)."""
    import matplotlib
    from skimage import data

    astro = data.astronaut()
    grace = np.asarray(Image.open(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))
    d = out / "portraits"
    d.mkdir(parents=True, exist_ok=True)
    items = {
        "astronaut": astro,
        "grace": grace,
        # mirrored, cooler, scaled up (different pixel grid and lighting)
        "astro_flip_cool": np.clip(cv2.resize(astro[:, ::-1], (720, 720), interpolation=cv2.INTER_CUBIC)
                                   * np.array([0.9, 0.97, 1.12]), 0, 255).astype(np.uint8),
        # tight crop, warm tint, tall 3:4
        "grace_tight_warm": np.clip(grace[40:440, 56:356] * np.array([1.1, 1.0, 0.85]), 0, 255).astype(
            np.uint8),
        # wide 16:9 frame with the face off-centre (background extended by edge replication)
        "astro_wide": cv2.copyMakeBorder(astro[:, :], 0, 0, 160, 240, cv2.BORDER_REPLICATE),
        # desaturated, lower contrast (old photo)
        "grace_faded": np.clip(0.6 * grace.mean(2, keepdims=True) + 0.4 * grace * 0.85 + 25, 0, 255).astype(
            np.uint8),
    }
    paths = {}
    for k, img in items.items():
        p = d / f"{k}.png"
        Image.fromarray(np.ascontiguousarray(img)).save(p)
        paths[k] = p
    return paths


def speeches(out: Path, quick: bool) -> dict[str, tuple[Path, Path | None, list[dict]]]:
    """Piper TTS (exact phones), the same audio without phones (pocketsphinx), synthetic formant speech."""
    from tests.engines.avatar.synth import SR, utterance

    from kinema.engines.tts import synthesize, write_phones_json

    d = out / "speech"
    d.mkdir(parents=True, exist_ok=True)
    res: dict[str, tuple[Path, Path | None, list[dict]]] = {}
    texts = {
        "tts1": "Peter picked a bunch of blue balloons. Mom wants more boots, please, by Monday. We should "
                "move soon, before the big storm.",
        "tts2": "Hello there. My name is Maria, and I build tiny boats by the sea. Would you believe it? "
                "People pay me well, and I am happy.",
    }
    for k, text in texts.items():
        s = synthesize(text, language="en")
        wav, js = d / f"{k}.wav", d / f"{k}.json"
        write_wav(s.samples, s.sample_rate, wav)
        write_phones_json(s, js)
        res[k] = (wav, js, json.loads(js.read_text())["phones"])
    res["tts1_asr"] = (res["tts1"][0], None, res["tts1"][2])  # mouth from pocketsphinx, scored on true phones
    if not quick:
        syl = [("b", "a"), ("", "i"), ("m", "a"), ("s", "u"), ("p", "a"), ("", "o"), ("b", "i"), ("m", "u"),
               ("", "a"), ("p", "e"), ("", "u"), ("m", "i")] * 2
        audio, phones = utterance(syl, gap_every=4, seed=5)
        wav, js = d / "synth.wav", d / "synth.json"
        write_wav(audio, SR, wav)
        js.write_text(json.dumps({"alphabet": "ipa", "phones": phones}))
        res["synth"] = (wav, js, phones)
        try:
            s = synthesize("你好，我叫玛丽亚。我在海边造小船。你相信吗？大家都很喜欢我的船。", language="zh")
            wav = d / "zh.wav"
            write_wav(s.samples, s.sample_rate, wav)
            res["zh"] = (wav, None, [])  # no phones given: the Mandarin path (hama's phones)
        except Exception as exc:
            print(f"(no Mandarin speech: {exc})", file=sys.stderr)
    res |= recorded(d, quick)
    return res


def whisper_transcript(a16: np.ndarray) -> str | None:
    """Whisper base's English transcript of a clip that ships without one (the reference alignment is then
    the forced alignment of Whisper's words: still independent of the hama path being measured)."""
    from kinema.engines.avatar.language import _whisper
    from kinema.engines.asr.whisper import transcribe

    model = _whisper()
    if model is None:
        return None
    text = transcribe(model, a16, 16000, language="en", word_timestamps=False).text
    print(f"(whisper transcript: {text!r})", file=sys.stderr)
    return text


def recorded(d: Path, quick: bool) -> dict[str, tuple[Path, Path | None, list[dict]]]:
    """Real recorded speech from Debian packages (bench/recorded_speech.py), rendered with no phones (the
    server's path for an upload) and scored against a forced alignment of the transcript (when there is
    one)."""
    from recorded_speech import recorded_clips

    from kinema.engines.avatar.recognize import aligned_phones

    res: dict[str, tuple[Path, Path | None, list[dict]]] = {}
    clips = [c for c in recorded_clips() if c.name in RECORDED[: 3 if quick else None]]
    if not clips:
        print("(no recorded speech: apt-get install pocketsphinx-testdata codec2-examples)", file=sys.stderr)
    for clip in clips:
        wav = d / f"{clip.name}.wav"
        a16 = decode_audio(clip.path, 16000)
        write_wav(a16, 16000, wav)
        text = clip.transcript or whisper_transcript(a16)
        ref = aligned_phones(a16, text) if text else None
        res[f"rec_{clip.name}"] = (wav, None, [{"p": p.p, "start": p.start, "end": p.end} for p in ref or []])
    return res


# ------------------------------------------------------------------------------------------ measuring
class Measurer:
    def __init__(self, ev) -> None:
        self.ev = ev
        self.be = ev.DlibBackend()

    def measure(self, source: Path, video: Path) -> dict:
        """dlib landmarks per frame → opening, width (both / IOD), identity cosine; plus frames/audio."""
        ev, be = self.ev, self.be
        frames, fps, track_audio, info = ev.probe_and_decode(str(video))
        src = cv2.cvtColor(cv2.imread(str(source)), cv2.COLOR_BGR2RGB)
        cands = be.detect_all(src)
        src_emb = be.embed(src, be.landmarks(src, cands[0][0])[1]) if cands else None
        n = len(frames)
        opening = np.full(n, np.nan)
        width = np.full(n, np.nan)
        cos = []
        prev = None
        for i, fr in enumerate(frames):
            fr = np.ascontiguousarray(fr)  # PyAV pads rows (e.g. 300 px wide): dlib needs a dense array
            frames[i] = fr
            c = be.detect_all(fr)
            if not c:
                continue
            rect = max(c, key=lambda t: be.iou(t[0], prev)) [0] if prev is not None else c[0][0]
            prev = rect
            lm, sh = be.landmarks(fr, rect)
            iod = ev.iod(lm)
            opening[i] = np.mean([np.linalg.norm(lm[u] - lm[lo]) for u, lo in ev.INNER_PAIRS]) / iod
            width[i] = np.linalg.norm(lm[48] - lm[54]) / iod
            if src_emb is not None and i % 5 == 0:
                e = be.embed(fr, sh)
                cos.append(float(e @ src_emb / (np.linalg.norm(e) * np.linalg.norm(src_emb))))
        return {"frames": frames, "opening": opening, "width": width, "cos": cos, "info": info,
                "track_audio": track_audio, "fps": fps}


def sync(ev, opening: np.ndarray, audio16: np.ndarray, fps: float) -> dict:
    env = ev.envelope(audio16, fps, len(opening))
    return ev.sync_scores(opening, env, 15)


def phone_frames(phones: list[dict], labels: set[str], dur: float) -> list[int]:
    """Frames at the middle of phones whose label (stress marks removed) is in ``labels``, inside speech."""
    out = []
    first = min((p["start"] for p in phones), default=0)
    last = max((p["end"] for p in phones), default=dur)
    for p in phones:
        lab = p["p"].replace("ˈ", "").replace("ˌ", "")
        if lab in labels and p["start"] > first + 0.05 and p["end"] < last - 0.05:
            out.append(int((p["start"] + p["end"]) / 2 * FPS))
    return out


def closures(phones: list[dict], opening: np.ndarray, dur: float) -> list[bool]:
    """Per p/b/m inside speech: were the lips closed (< 0.04 IOD) at some frame of its closure phase?

    A stop is a silent closure then a burst; TTS alignments mark mostly the burst, so the closure phase is
    taken as [start − 60 ms, end]. Nasals (m) are closed throughout their span.
    """
    first = min((p["start"] for p in phones), default=0)
    last = max((p["end"] for p in phones), default=dur)
    out = []
    for p in phones:
        lab = p["p"].replace("ˈ", "").replace("ˌ", "")
        if lab not in CLOSE or p["start"] <= first + 0.05 or p["end"] >= last - 0.05:
            continue
        a = int((p["start"] - (0.06 if lab in STOPS else 0.0)) * FPS)
        b = int(p["end"] * FPS) + 1
        seg = opening[max(0, a):min(len(opening), b)]
        seg = seg[~np.isnan(seg)]
        if len(seg):
            out.append(bool(seg.min() < 0.04))
    return out


def still_video(image: Path, audio: Path, out: Path) -> None:
    from kinema.engines.avatar.face import load_image

    img = load_image(image)
    a = decode_audio(audio, 48000)
    n = round(len(a) / 48000 * FPS)
    with VideoWriter(out, img.shape[1], img.shape[0], audio=a, audio_rate=48000) as w:
        for _ in range(n):
            w.write(img)


# ------------------------------------------------------------------------------------------ main
def main() -> None:  # noqa: PLR0915 -- a script: one measurement after another
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/avatar_quality")
    ap.add_argument("--eval", default="/work/shared/tools/eval_avatar.py")
    ap.add_argument("--quick", action="store_true", help="fewer speech clips")
    ap.add_argument("--sheet", default=str(ROOT / "docs" / "avatar-contact.png"))
    ap.add_argument("--portraits", default="", help="comma-separated subset")
    ap.add_argument("--speech", default="", help="comma-separated subset of speech clips (tts1 always kept)")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ev = load_eval(a.eval)
    meas = Measurer(ev)
    ports = portraits(out)
    if a.portraits:
        ports = {k: v for k, v in ports.items() if k in a.portraits.split(",")}
    sp = speeches(out, a.quick)
    if a.speech:
        sp = {k: v for k, v in sp.items() if k == "tts1" or k in a.speech.split(",")}
    rows = []
    sheets = []
    for pname, ppath in ports.items():
        for sname, (wav, js, phones) in sp.items():
            video = out / f"{pname}__{sname}.mp4"
            t0 = time.perf_counter()
            opts = AvatarOptions(phones_path=js, seed=1, language="zh" if sname.startswith("zh") else "auto")
            res = render_avatar(ppath, wav, video, opts)
            t_render = time.perf_counter() - t0
            m = meas.measure(ppath, video)
            audio16 = decode_audio(wav, 16000)
            s = sync(ev, m["opening"], audio16, m["fps"])
            dur = len(audio16) / 16000
            closed = closures(phones, m["opening"], dur)
            rf = [f for f in phone_frames(phones, ROUND, dur) if f < len(m["width"])]
            sf = [f for f in phone_frames(phones, SPREAD, dur) if f < len(m["width"])]
            ratio = (np.nanmean(m["width"][rf]) / np.nanmean(m["width"][sf])) if rf and sf else float("nan")
            row = {
                "portrait": pname, "speech": sname, "src": res.speech_source,
                "size": f"{res.width}x{res.height}",
                "r0": s["corr_lag0"], "lag": s["best_lag_frames"], "best": s["best_corr"],
                "close": (float(np.mean(closed)) if closed else float("nan")), "n_close": len(closed),
                "round/spread": float(ratio),
                "id_cos": float(np.mean(m["cos"])) if m["cos"] else float("nan"),
                "id_min": float(np.min(m["cos"])) if m["cos"] else float("nan"),
                "face": float(np.mean(~np.isnan(m["opening"]))),
                "av_diff": m["info"].get("av_duration_diff_s"), "render_s": round(t_render, 2),
                "dur": round(dur, 2),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
            if sname == "tts1":
                sheets.append((pname, contact_sheet(m, phones, res.frames, out / f"sheet_{pname}.png")))
        # negative controls on the first speech clip
        wav, js, phones = sp["tts1"]
        still = out / f"{pname}__still.mp4"
        still_video(ppath, wav, still)
        m = meas.measure(ppath, still)
        audio16 = decode_audio(wav, 16000)
        s_still = sync(ev, m["opening"], audio16, m["fps"])
        shifted_wav = out / "shifted.wav"
        a48 = decode_audio(wav, 48000)
        write_wav(np.concatenate([np.zeros(24000, np.float32), a48])[: len(a48)], 48000, shifted_wav)
        shifted = out / f"{pname}__shifted.mp4"
        render_avatar(ppath, shifted_wav, shifted, AvatarOptions(seed=1))
        m2 = meas.measure(ppath, shifted)
        s_shift = sync(ev, m2["opening"], audio16, m2["fps"])
        for name, s in (("CONTROL still", s_still), ("CONTROL shifted 0.5s", s_shift)):
            row = {"portrait": pname, "speech": name, "r0": s["corr_lag0"], "lag": s["best_lag_frames"],
                   "best": s["best_corr"]}
            rows.append(row)
            print(json.dumps(row), flush=True)
    (out / "results.json").write_text(json.dumps(rows, indent=1))
    print_table(rows)
    if sheets:
        small_sheet([p for _, p in sheets], Path(a.sheet))


def print_table(rows: list[dict]) -> None:
    cols = ["portrait", "speech", "src", "size", "r0", "lag", "best", "close", "n_close", "round/spread", "id_cos",
            "id_min", "face", "av_diff", "render_s", "dur"]
    print("\n| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c, "")
            cells.append(f"{v:.3f}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |")
    real = [r for r in rows if "src" in r]
    ctrl = [r for r in rows if "CONTROL" in r["speech"]]
    def ok(v: float | None, lo: float) -> bool:
        return v is not None and not np.isnan(v) and v >= lo
    n_sync = sum(ok(r["r0"], 0.55) and abs(r["lag"]) <= 1 for r in real)
    print(f"\n(a) r0 ≥ 0.55 and |lag| ≤ 1: {n_sync}/{len(real)}"
          f"   median r0 {np.median([r['r0'] or 0 for r in real]):.3f}")
    cl = [r["close"] for r in real if not np.isnan(r["close"])]
    mean_cl = np.mean(cl) if cl else float("nan")
    print(f"(b) closures ≥ 70 %: {sum(c >= 0.7 for c in cl)}/{len(cl)}   mean {mean_cl:.3f}")
    rs = [r["round/spread"] for r in real if not np.isnan(r["round/spread"])]
    print(f"(c) rounded narrower than spread: {sum(x < 1 for x in rs)}/{len(rs)}   mean ratio "
          f"{np.mean(rs) if rs else float('nan'):.3f}")
    print(f"identity cos ≥ 0.95: {sum(ok(r['id_cos'], 0.95) for r in real)}/{len(real)}; face in all frames: "
          f"{sum(r['face'] == 1.0 for r in real)}/{len(real)}")
    print(f"controls < 0.2 at lag 0: {sum((r['r0'] or 0) < 0.2 for r in ctrl)}/{len(ctrl)}  "
          f"max {max((r['r0'] or 0) for r in ctrl) if ctrl else float('nan'):.3f}")


def contact_sheet(m: dict, phones: list[dict], n: int, path: Path) -> Path:
    """rest | open vowel | rounded vowel | closure | blink, cropped around the face."""
    op, wd = m["opening"], m["width"]
    frames = m["frames"]
    dur = n / FPS
    first = int(min((p["start"] for p in phones), default=0) * FPS)
    rest = max(0, first - 3)
    open_f = int(np.nanargmax(op))
    rf = [f for f in phone_frames(phones, ROUND, dur) if f < n and not np.isnan(wd[f])]
    round_f = min(rf, key=lambda f: wd[f]) if rf else open_f
    cf = [f for f in phone_frames(phones, CLOSE, dur) if f < n and not np.isnan(op[f])]
    close_f = min(cf, key=lambda f: op[f]) if cf else rest
    blink_f = int(np.argmax(blink_schedule(n, FPS, 1)))
    picks = [("rest", rest), ("open", open_f), ("rounded", round_f), ("closure", close_f), ("blink", blink_f)]
    h, w = frames[0].shape[:2]
    # crop around the face using the detected landmarks' typical box: the middle 60 % of the face region
    ev_boxes = [frames[min(f, len(frames) - 1)] for _label, f in picks]
    tiles = []
    from kinema.engines.avatar.face import find_face

    pts, _ = find_face(frames[0])
    x0, y0 = pts.min(0)
    x1, y1 = pts.max(0)
    cx, cy, s = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) * 0.62
    bx0, by0 = int(max(0, cx - s)), int(max(0, cy - s))
    bx1, by1 = int(min(w, cx + s)), int(min(h, cy + s))
    for (label, f), im in zip(picks, ev_boxes, strict=True):
        tile = cv2.resize(im[by0:by1, bx0:bx1], (256, int(256 * (by1 - by0) / (bx1 - bx0))))
        cv2.putText(tile, f"{label} #{f}", (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 0), 1,
                    cv2.LINE_AA)
        tiles.append(tile)
    sheet = np.concatenate(tiles, 1)
    cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    return path


def small_sheet(paths: list[Path], out: Path, max_rows: int = 3) -> None:
    """Stack a few per-portrait sheets, downscale, and save as PNG ≤ 300 KB."""
    imgs = [cv2.imread(str(p)) for p in paths[:max_rows]]
    wmin = min(i.shape[1] for i in imgs)
    imgs = [cv2.resize(i, (wmin, int(i.shape[0] * wmin / i.shape[1]))) for i in imgs]
    sheet = np.concatenate(imgs, 0)
    scale = 1.0
    out.parent.mkdir(parents=True, exist_ok=True)
    while True:
        small = cv2.resize(sheet, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(out), small, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        if out.stat().st_size <= 300_000 or scale < 0.3:
            break
        scale *= 0.85
    print(f"contact sheet: {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
