#!/usr/bin/env python3
"""TTS intelligibility: kinema's speech, fetched over HTTP, read back by Whisper base; CER for Mandarin and
WER for English per voice, with speed and loudness, against the targets CER ≤ 10 %, WER ≤ 10 %, RTF ≤ 0.5.

    .venv/bin/python bench/tts_intelligibility.py [--quick] [--lang zh|en] [--voices ID,ID] [--out FILE.md]

Needs the optional ``asr`` extra (scripts/setup.sh installs it). Starts ``kinema serve --api-only`` on a fresh
data folder and lists the preset voices from ``GET /v1/general/presets-voices``. Many preset ids share one
engine voice, so every id first speaks a short probe phrase; ids whose probe audio is identical sample for
sample form one group, and only the group's first id speaks the test sentences (the table lists which ids
share it). The engine voice's name is read from the TTS reply when the server puts it there, otherwise
from the TTS engine in this process (one short phrase per group).

Per clip: ``POST /v1/audio/tts`` (timed end to end: synthesis, MP3 encoding, storage, the HTTP round trip;
the server exposes no engine-only time), the MP3 fetched and decoded, its integrated loudness (ITU-R
BS.1770, pyloudnorm) and peak, then Whisper base (int8, 2 threads, greedy) transcribes it in the voice's
language; the detected language is reported too. Error rates are summed over the clips of a voice
(characters for zh after converting to simplified hanzi, words for en; punctuation ignored, numbers
compared as read aloud: kinema.engines.asr.score). RTF = request time / audio duration.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyloudnorm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.api.server import start_server

from kinema.engines.asr import whisper
from kinema.engines.asr.score import error_counts
from kinema.media.audio_io import decode_audio

RATE = 48_000  # decode rate: BS.1770's K-weighting is specified at 48 kHz
TARGETS = {"zh": 0.10, "en": 0.10}
TARGET_RTF = 0.5
PROBE = {"zh": "你好，欢迎使用。", "en": "Hello, and welcome."}
TEXTS: dict[str, list[str]] = {
    "zh": [
        "今天天气很好，我们一起去公园散步吧。",
        "请在下午三点之前把报告发到我的邮箱。",
        "他从2019年开始学习弹钢琴，现在已经能演奏很多曲子了。",
        "这家餐厅的牛肉面非常好吃，每天都有很多人排队。",
        "火车将在十分钟后到达北京南站，请旅客们做好下车准备。",
        "我买了15个苹果和3瓶牛奶，一共花了48元。",
    ],
    "en": [
        "Hello there. This is an offline speech test, running on two small processor cores.",
        "Please send the report to my office before three o'clock this afternoon.",
        "The train to Boston leaves from platform 9 in about 15 minutes.",
        "She has been learning to play the piano since she was seven years old.",
        "Could you turn off the lights in the kitchen when you go to bed?",
        "Our small team built a wooden bridge across the river in just 42 days.",
    ],
}
QUICK = (0, 2, 5)  # one plain sentence, one with a year or a station, one with numbers


@dataclass
class Clip:
    text: str
    heard: str
    heard_language: str
    errors: int
    length: int
    audio_s: float
    request_s: float
    server_cpu_s: float
    asr_s: float
    samples: np.ndarray


@dataclass
class Group:
    """Preset ids whose audio is the same engine voice."""

    language: str
    ids: list[str]
    fingerprint: str
    engine: str = ""
    clips: list[Clip] = field(default_factory=list)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process, its threads and its child processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in [pid, *descendants(pid)]:
        fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def descendants(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for kid in (task / "children").read_text().split():
            out += [int(kid), *descendants(int(kid))]
    return out


class Tts:
    """The server's TTS over HTTP: one call, the MP3 fetched and decoded. Each call also reports the wall
    time of the request and the CPU time the server spent on it: on a shared machine the wall time grows
    with other load, the CPU time much less."""

    def __init__(self, client: httpx.Client, server_pid: int) -> None:
        self.client = client
        self.server_pid = server_pid

    def speak(
        self, text: str, voice_id: str, language: str
    ) -> tuple[np.ndarray, tuple[float, float], dict[str, Any]]:
        body = {"text": text, "voice_id": voice_id, "voice_language": language, "voice_speed": 1.0}
        cpu, start = cpu_seconds(self.server_pid), time.perf_counter()
        reply = self.client.post("/v1/audio/tts", json=body)
        elapsed, cpu = time.perf_counter() - start, cpu_seconds(self.server_pid) - cpu
        payload = reply.json()
        if reply.status_code != 200 or payload.get("code") != 0:
            raise SystemExit(f"TTS failed for {voice_id} ({language}): {reply.status_code} {payload}")
        task = payload["data"]
        audio = self.client.get(task["task_result"]["audios"][0]["url"])
        audio.raise_for_status()
        with tempfile.NamedTemporaryFile(suffix=".mp3") as mp3:
            mp3.write(audio.content)
            mp3.flush()
            samples = decode_audio(mp3.name, rate=RATE)
        return samples, (elapsed, cpu), task


def preset_ids(client: httpx.Client, languages: list[str], only: set[str]) -> list[tuple[str, str]]:
    """(voice_id, language) of every preset voice the server lists, in its order."""
    reply = client.get("/v1/general/presets-voices", params={"pageNum": 1, "pageSize": 1000}).json()
    voices = [v for entry in reply["data"] for v in entry["task_result"]["voices"]]
    pairs = [(v["voice_id"], v["voice_language"]) for v in voices]
    return [(vid, lang) for vid, lang in pairs if lang in languages and (not only or vid in only)]


def reply_engine(task: dict[str, Any]) -> str:
    """The engine voice's name if the TTS reply carries one (kinema's replies do not today)."""
    audio = (task.get("task_result") or {}).get("audios", [{}])[0]
    info = task.get("task_info") or {}
    return str(audio.get("voice") or info.get("voice") or info.get("engine") or "")


def engine_in_process(voice_id: str, language: str) -> str:
    """The engine voice's name from this process's TTS engine (``Speech.voice`` without the id)."""
    from kinema.engines.tts import synthesize

    name = synthesize(PROBE[language], language, voice_id).voice  # type: ignore[arg-type]
    return name.split(" (as ")[0]


def group_voices(tts: Tts, pairs: list[tuple[str, str]]) -> list[Group]:
    """Probe every id once; group ids with identical probe audio (the same engine voice)."""
    groups: dict[tuple[str, str], Group] = {}
    for vid, lang in pairs:
        samples, _, task = tts.speak(PROBE[lang], vid, lang)
        pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
        key = (lang, hashlib.sha256(pcm).hexdigest()[:10])
        if key not in groups:
            groups[key] = Group(lang, [], key[1], reply_engine(task))
        groups[key].ids.append(vid)
    for group in groups.values():
        group.engine = group.engine or engine_in_process(group.ids[0], group.language)
    return list(groups.values())


def measure(tts: Tts, model: Any, group: Group, texts: list[str]) -> None:
    voice = group.ids[0]
    for text in texts:
        samples, spent, _ = tts.speak(text, voice, group.language)
        start = time.perf_counter()
        heard = whisper.transcribe(model, samples, RATE, language=group.language, word_timestamps=False)
        asr_s = time.perf_counter() - start
        detected, _ = whisper.detect_language(model, samples, RATE)
        errors, length = error_counts(text, heard.text, group.language)
        group.clips.append(
            Clip(text, heard.text, detected, errors, length, len(samples) / RATE, *spent, asr_s, samples)
        )
        print(f"  {voice:28s} {errors}/{length} err  heard: {heard.text}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Figures:
    error_rate: float
    rtf: float
    rtf_worst: float
    cpu_rtf: float
    lufs: float
    peak_db: float
    audio_s: float
    heard_as: str
    asr_rtf: float


def figures(group: Group) -> Figures:
    clips = group.clips
    audio = np.concatenate([c.samples for c in clips])
    total_s = sum(c.audio_s for c in clips)
    languages = sorted({c.heard_language for c in clips}, key=[c.heard_language for c in clips].count)
    return Figures(
        error_rate=sum(c.errors for c in clips) / max(1, sum(c.length for c in clips)),
        rtf=sum(c.request_s for c in clips) / total_s,
        rtf_worst=max(c.request_s / c.audio_s for c in clips),
        cpu_rtf=sum(c.server_cpu_s for c in clips) / total_s,
        lufs=float(pyloudnorm.Meter(RATE).integrated_loudness(audio)),
        peak_db=float(20 * np.log10(max(1e-9, float(np.abs(audio).max())))),
        audio_s=total_s,
        heard_as="/".join(reversed(languages)),
        asr_rtf=sum(c.asr_s for c in clips) / total_s,
    )


def table(groups: list[Group]) -> list[str]:
    lines = [
        "| lang | engine voice | preset ids sharing it | clips | audio s | CER / WER "
        "| RTF over HTTP: mean / worst | server CPU s per audio s | LUFS | peak dBFS | Whisper heard as |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in groups:
        f = figures(g)
        kind = "CER" if g.language == "zh" else "WER"
        lines.append(
            f"| {g.language} | {g.engine} | {', '.join(g.ids)} | {len(g.clips)} | {f.audio_s:.1f} "
            f"| {kind} {100 * f.error_rate:.1f} % | {f.rtf:.3f} / {f.rtf_worst:.3f} | {f.cpu_rtf:.3f} "
            f"| {f.lufs:.1f} "
            f"| {f.peak_db:.1f} | {f.heard_as} |"
        )
    return lines


def summary(groups: list[Group]) -> list[str]:
    lines = []
    for lang in ("zh", "en"):
        mine = [(g, figures(g)) for g in groups if g.language == lang]
        if not mine:
            continue
        kind, target = ("CER" if lang == "zh" else "WER"), TARGETS[lang]
        passing = sum(f.error_rate <= target for _, f in mine)
        fast = sum(f.rtf <= TARGET_RTF for _, f in mine)
        worst_g, worst_f = max(mine, key=lambda gf: gf[1].error_rate)
        lines.append(
            f"- **{lang}**: {kind} ≤ {100 * target:.0f} % for {passing} of {len(mine)} engine voices "
            f"({'PASS' if passing == len(mine) else 'FAIL'}; worst {100 * worst_f.error_rate:.1f} %, "
            f"{worst_g.engine}); RTF ≤ {TARGET_RTF} for {fast} of {len(mine)} "
            f"({'PASS' if fast == len(mine) else 'FAIL'}; worst mean {max(f.rtf for _, f in mine):.3f}); "
            f"Whisper's own RTF {np.mean([f.asr_rtf for _, f in mine]):.2f}."
        )
    return lines


def examples(groups: list[Group]) -> list[str]:
    """Each voice's worst clip: what was said and what Whisper heard."""
    lines = []
    for g in groups:
        worst = max(g.clips, key=lambda c: c.errors / max(1, c.length))
        lines.append(f"- {g.engine} ({g.language}): “{worst.text}” → “{worst.heard}”")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lang", choices=["zh", "en"], help="one language only (default: both)")
    ap.add_argument("--voices", default="", help="comma-separated preset voice ids (default: every one)")
    ap.add_argument("--quick", action="store_true", help=f"{len(QUICK)} sentences per voice instead of 6")
    ap.add_argument("--out", help="also write the markdown report to this file")
    args = ap.parse_args()
    languages = [args.lang] if args.lang else ["zh", "en"]
    only = {v.strip() for v in args.voices.split(",") if v.strip()}
    model = whisper.load(whisper.ensure_model())
    with tempfile.TemporaryDirectory() as tmp:
        srv = start_server(Path(tmp) / "srv", api_only=True, KINEMA_RATE_LIMIT_PER_MINUTE="1000000")
        try:
            with srv.client(timeout=300) as client:
                tts = Tts(client, srv.proc.pid)
                groups = group_voices(tts, preset_ids(client, languages, only))
                print(f"{len(groups)} engine voices to measure", file=sys.stderr)
                for group in groups:
                    texts = TEXTS[group.language]
                    measure(tts, model, group, [texts[i] for i in QUICK] if args.quick else texts)
        finally:
            srv.stop()
    report = [*table(groups), "", *summary(groups), "", "Worst clip per voice:", "", *examples(groups)]
    print("\n".join(report))
    if args.out:
        Path(args.out).write_text("\n".join(report) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
