"""Mandarin speech from Debian's espeak-ng (formant synthesis: intelligible, clearly robotic).

espeak-ng's plain ``cmn`` voice in 1.51 reads its own pinyin output as English ("ni3" → "nee three"), so the
``cmn-latn-pinyin`` voice is used. espeak-ng prints phonemes but not their times, so timings are derived:

* the text is split into clauses at punctuation and each clause is synthesised alone, which makes clause
  boundaries (and the pauses between them) exact;
* inside a clause, Mandarin syllables are close to isochronous, so the voiced span of the clause (first to
  last sample above a silence threshold) is first shared equally between its syllables, then each inner
  edge moves to the quietest point within ±35 % of a syllable (onsets and stop closures are energy
  valleys); within a syllable the initial consonant takes 30 % and the final the rest. Expect phone edges
  within ~50–100 ms.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import wave

import numpy as np

from kinema.engines.tts.types import PhoneSpan, at_speech_peak

ESPEAK_VOICE = "cmn-latn-pinyin"
_CLAUSE = re.compile(r"[，。！？；：、,.!?;:\n]+")
_PAUSE_S = 0.18
# espeak-ng's cmn IPA spells some phones in ASCII; fix them up to standard IPA (longest first).
_IPA_FIX = (
    ("ts.h", "ʈʂʰ"),
    ("ts.", "ʈʂ"),
    ("s.", "ʂ"),
    ("z.", "ʐ"),
    ("tɕh", "tɕʰ"),
    ("tsh", "tsʰ"),
    ("kh", "kʰ"),
    ("th", "tʰ"),
    ("ph", "pʰ"),
    ("i.", "ɨ"),
    ("o-", "ɤ"),
)
_TONE = re.compile(r"[12345ɜˈˌ]")


def espeak_available() -> bool:
    """True when the ``espeak-ng`` binary is installed."""
    return shutil.which("espeak-ng") is not None


def _run(args: list[str], text: str) -> bytes:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed; Chinese TTS needs it (apt-get install espeak-ng)")
    proc = subprocess.run([exe, *args, "--", text], capture_output=True, check=True, timeout=120)
    return proc.stdout


def _clean_phone(raw: str) -> str:
    for src, dst in _IPA_FIX:
        raw = raw.replace(src, dst)
    return _TONE.sub("", raw)


def _syllables(text: str, voice: str) -> list[list[str]]:
    """IPA phones grouped by syllable (espeak separates syllables with spaces, phones with ``_``)."""
    out = _run(["-v", voice, "-q", "--ipa", "--sep=_"], text).decode("utf-8", "replace")
    sylls: list[list[str]] = []
    for token in out.split():
        phones = [_clean_phone(p) for p in token.split("_")]
        phones = [p for p in phones if p and not p.startswith("(")]
        if phones:
            sylls.append(phones)
    return sylls


def _wav(text: str, voice: str, wpm: int, pitch: int) -> tuple[np.ndarray, int]:
    data = _run(["-v", voice, "-s", str(wpm), "-p", str(pitch), "--stdout"], text)
    with wave.open(io.BytesIO(data)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0, rate


def _voiced_span(x: np.ndarray, rate: int) -> tuple[int, int]:
    hop = max(1, rate // 100)
    n = len(x) // hop
    if n == 0:
        return 0, len(x)
    rms = np.sqrt(np.mean(x[: n * hop].reshape(n, hop) ** 2, axis=1))
    active = np.flatnonzero(rms > max(1e-4, 0.05 * float(rms.max())))
    if active.size == 0:
        return 0, len(x)
    return int(active[0] * hop), int(min(len(x), (active[-1] + 1) * hop))


def _syllable_edges(x: np.ndarray, rate: int, start: int, end: int, count: int) -> list[float]:
    """Sample positions of ``count`` syllables in ``x[start:end]``: an even split, each inner edge moved
    to the quietest 5 ms frame within ±35 % of a syllable (onset consonants and closures are quieter than
    the vowels around them, so energy valleys mark syllable edges)."""
    step = (end - start) / count
    edges = [start + k * step for k in range(count + 1)]
    hop = max(1, rate // 200)
    frames = (end - start) // hop
    if count < 2 or frames < 4 * count:
        return edges
    env = np.sqrt(np.mean(x[start : start + frames * hop].reshape(frames, hop) ** 2, axis=1))
    env = np.convolve(env, np.ones(3) / 3, mode="same")
    lo_gap = 0.4 * step / hop  # keep every syllable at least 40 % of the average length
    for k in range(1, count):
        centre = (edges[k] - start) / hop
        lo = int(max((edges[k - 1] - start) / hop + lo_gap, centre - 0.35 * step / hop))
        hi = int(min(frames - 1, centre + 0.35 * step / hop))
        if hi > lo:
            edges[k] = start + (lo + int(np.argmin(env[lo : hi + 1])) + 0.5) * hop
    return edges


def synthesize_zh(
    text: str, variant: str, pitch: int, speed: float
) -> tuple[np.ndarray, int, list[PhoneSpan]]:
    """Speak Mandarin ``text``; return (float32 samples, rate, approximate phones)."""
    voice = f"{ESPEAK_VOICE}+{variant}"
    wpm = round(165 * speed)
    clauses = [c.strip() for c in _CLAUSE.split(text) if c.strip()]
    pieces: list[np.ndarray] = []
    phones: list[PhoneSpan] = []
    rate = 22050
    offset = 0
    for i, clause in enumerate(clauses):
        audio, rate = _wav(clause, voice, wpm, pitch)
        if i:
            gap = np.zeros(int(_PAUSE_S * rate / speed), np.float32)
            pieces.append(gap)
            offset += len(gap)
        start, end = _voiced_span(audio, rate)
        sylls = _syllables(clause, ESPEAK_VOICE)
        if sylls and end > start:
            edges = _syllable_edges(audio, rate, start, end, len(sylls))
            for k, syl in enumerate(sylls):
                s0, step = edges[k], edges[k + 1] - edges[k]
                bounds = [s0]
                if len(syl) == 1:
                    bounds.append(s0 + step)
                else:
                    init = 0.3 * step
                    rest = (step - init) / (len(syl) - 1)
                    bounds += [s0 + init + j * rest for j in range(len(syl))]
                for j, ph in enumerate(syl):
                    phones.append(PhoneSpan(ph, (offset + bounds[j]) / rate, (offset + bounds[j + 1]) / rate))
        pieces.append(audio)
        offset += len(audio)
    samples = at_speech_peak(np.concatenate(pieces) if pieces else np.zeros(0, np.float32))
    return samples, rate, phones
