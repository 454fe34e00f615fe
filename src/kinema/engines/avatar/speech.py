"""Stage 2 — speech → a mouth timeline (viseme classes → openness/width/tongue curves at 100 Hz).

Sources of timing, best first:
1. exact phones from our TTS (``{"alphabet": "ipa", "phones": [...]}``);
2. for English uploads (the language given, or identified by Whisper when the ``asr`` extra is installed):
   forced alignment of a known transcript, else hama's phoneme recogniser, else pocketsphinx allphone
   (module ``recognize``);
   for Mandarin, hama's phones;
3. a language-independent acoustic method (band energies → open / spread / round / closed), used for
   other languages and when recognition looks weak.
Whatever the source, openness is blended with the loudness envelope (most of perceived sync comes from
talking vs pausing), p/b/m get a guaranteed closure, and silences rest the mouth.
"""

from __future__ import annotations

import math
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d, maximum_filter1d, minimum_filter1d, uniform_filter1d

from .language import detect_language, normalise
from .phones import Phone, load_phones_json
from .recognize import aligned_phones, allphone_phones, hama_phones

__all__ = ["RATE", "VISEMES", "MouthTrack", "Phone", "acoustic_targets", "build_track", "load_phones_json",
           "phone_viseme"]

RATE = 100  # timeline samples per second
SR = 16000  # analysis sample rate

# Rhubarb-style viseme classes → (open 0..1, width −1 round … +1 spread, tongue 0..1, lower lip tuck 0..1)
VISEMES: dict[str, tuple[float, float, float, float]] = {
    "A": (0.00, 0.00, 0.0, 0.0),  # closed: p b m
    "B": (0.16, 0.35, 0.0, 0.0),  # nearly closed, teeth together: most consonants, "ee"
    "C": (0.55, 0.20, 0.3, 0.0),  # open: eh, ae, ah
    "D": (0.95, 0.05, 0.5, 0.0),  # wide open: aa
    "E": (0.45, -0.35, 0.3, 0.0),  # slightly rounded: ao, er
    "F": (0.22, -0.90, 0.0, 0.0),  # puckered: uw, ow, w
    "G": (0.10, 0.05, 0.0, 1.0),  # f, v: lower lip under the upper teeth
    "H": (0.40, 0.05, 1.0, 0.0),  # l (tongue up), also th
    "X": (0.00, 0.00, 0.0, 0.0),  # rest
}
SPREAD_EE = 0.75  # "ee"/"i" get a wider B than other consonants

ARPA_TO_VISEME = {
    "P": "A", "B": "A", "M": "A",
    "AA": "D", "AE": "C", "AH": "C", "EH": "C", "AY": "D", "AW": "D", "EY": "C", "IH": "B", "IY": "B",
    "AO": "E", "ER": "E", "OY": "E", "UH": "E", "OW": "F", "UW": "F", "W": "F",
    "F": "G", "V": "G", "L": "H", "TH": "H", "DH": "H",
    "CH": "B", "JH": "B", "SH": "B", "ZH": "B", "S": "B", "Z": "B", "T": "B", "D": "B", "N": "B",
    "K": "B", "G": "B", "NG": "B", "HH": "C", "R": "E", "Y": "B",
}
SPREAD_PHONES = {"IY", "IH", "EY", "Y"}

# IPA (espeak-ng / piper symbols) → viseme. Stress and length marks are skipped.
IPA_TO_VISEME = {
    "p": "A", "b": "A", "m": "A", "ɱ": "A",
    "ɑ": "D", "a": "D", "ɐ": "C", "æ": "C", "ʌ": "C", "ə": "C", "ɚ": "E", "ɝ": "E", "ɜ": "E", "ɛ": "C",
    "e": "C",
    "ɪ": "B", "i": "B", "ᵻ": "B", "y": "F", "ɨ": "B",
    "ɔ": "E", "ɒ": "E", "o": "F", "ʊ": "F", "u": "F", "w": "F", "ɯ": "E", "ɵ": "E", "ø": "E", "œ": "E",
    "f": "G", "v": "G", "l": "H", "ɫ": "H", "θ": "H", "ð": "H",
    "s": "B", "z": "B", "ʃ": "B", "ʒ": "B", "t": "B", "d": "B", "n": "B", "k": "B", "ɡ": "B", "g": "B",
    "ŋ": "B", "ɾ": "B", "ʔ": "B", "j": "B", "ç": "B", "x": "B", "ʂ": "B", "ʐ": "B", "ɕ": "B", "ʑ": "B",
    "h": "C", "χ": "B", "ɹ": "E", "r": "E", "ʁ": "E", "ɣ": "B", "ʧ": "B", "ʤ": "B", "ɲ": "B", "ʎ": "H",
}
IPA_SPREAD = {"i", "ɪ", "e", "j", "ᵻ"}
IPA_SKIP = set("ˈˌːˑ̃͡‿")
CLOSURE = "A"


@dataclass
class MouthTrack:
    """Per-sample (``RATE`` Hz) mouth targets. ``open`` already includes the loudness blend."""

    open: np.ndarray
    width: np.ndarray
    tongue: np.ndarray
    tuck: np.ndarray
    closure: np.ndarray  # 1 where lips must be sealed (p/b/m)
    loudness: np.ndarray  # 0..1 normalised log-RMS
    speaking: np.ndarray  # bool, inside speech
    source: str  # "phones" | "aligned" | "hama" | "pocketsphinx" | "acoustic"
    language: str = "auto"  # the language the source was picked for ("auto": unknown, English tried)

    def at(self, times: np.ndarray) -> dict[str, np.ndarray]:
        """Linear-interpolate every curve at ``times`` (seconds)."""
        t = np.arange(len(self.open)) / RATE
        out = {}
        for name in ("open", "width", "tongue", "tuck", "closure", "loudness"):
            out[name] = np.interp(times, t, getattr(self, name)).astype(np.float32)
        out["speaking"] = np.interp(times, t, self.speaking.astype(np.float32)).astype(np.float32)
        return out


# ----------------------------------------------------------------------------------------------- phones
def phone_viseme(p: str) -> tuple[str, bool]:
    """Label → (viseme class, is spread-vowel). Unknown/silence labels → rest."""
    if p.upper() in ARPA_TO_VISEME and p.isupper():
        return ARPA_TO_VISEME[p.upper()], p.upper() in SPREAD_PHONES
    sym = "".join(ch for ch in p if ch not in IPA_SKIP)
    if not sym:
        return "", False
    base = sym[0]
    if sym in ("ʧ", "tʃ", "ʤ", "dʒ"):
        return "B", False
    if base in IPA_TO_VISEME:
        return IPA_TO_VISEME[base], base in IPA_SPREAD
    return "X", False


# ----------------------------------------------------------------------------------------------- acoustics
def _frames_power(audio: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """STFT power (n × bins) at RATE Hz with 32 ms Hann windows centred on each sample time."""
    hop, win = SR // RATE, 512
    pad = np.pad(audio.astype(np.float32), (win // 2, win // 2 + hop * n))
    idx = np.arange(win)[None, :] + hop * np.arange(n)[:, None]
    spec = np.abs(np.fft.rfft(pad[idx] * np.hanning(win).astype(np.float32), axis=1)) ** 2
    freqs = np.fft.rfftfreq(win, 1 / SR)
    return spec.astype(np.float32), freqs


def loudness_envelope(audio: np.ndarray, n: int) -> np.ndarray:
    """0..1 log-RMS over 40 ms windows, floor 45 dB under the 99th percentile (like the evaluator)."""
    hop = SR // RATE
    sq = np.pad(audio.astype(np.float64) ** 2, (320, 320 + hop * n))
    cs = np.concatenate([[0.0], np.cumsum(sq)])
    centres = np.arange(n) * hop + hop // 2 + 320
    rms = np.sqrt(np.maximum((cs[centres + 320] - cs[centres - 320]) / 640, 0))
    db = 20 * np.log10(rms + 1e-7)
    # the reference level never drops below −45 dBFS, so digital silence or hiss stays "quiet"
    top = max(float(np.percentile(db, 99)) if n else 0.0, -45.0)
    return np.clip((db - (top - 45)) / 45, 0, 1).astype(np.float32)


def speech_mask(loud: np.ndarray) -> np.ndarray:
    """Inside-speech mask: loud frames, with gaps < 250 ms bridged and blips < 60 ms removed."""
    on = loud > 0.42
    on = maximum_filter1d(on.astype(np.uint8), 25).astype(bool)
    on = minimum_filter1d(on.astype(np.uint8), 25).astype(bool)
    on = minimum_filter1d(on.astype(np.uint8), 5).astype(bool)
    return maximum_filter1d(on.astype(np.uint8), 5).astype(bool)


def acoustic_targets(audio: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """Language-independent mouth shape from the spectrum: (open, width, closure) at RATE Hz.

    F1 rises with jaw opening (energy 500–1000 Hz vs 200–500 Hz); F2 is high for spread vowels (i, e) and
    low for rounded ones (u, o): the centroid of 800–3000 Hz against its per-utterance median gives the width.
    Short, deep energy dips inside speech (or murmur with only low-frequency energy) are lip closures.
    """
    spec, f = _frames_power(audio, n)
    eps = 1e-9
    b_low = spec[:, (f >= 150) & (f < 500)].sum(1) + eps
    b_f1 = spec[:, (f >= 500) & (f < 1100)].sum(1) + eps
    mid = (f >= 800) & (f < 3000)
    b_hi = spec[:, f >= 3500].sum(1) + eps
    total = spec[:, f >= 100].sum(1) + eps
    c2 = (spec[:, mid] * f[mid]).sum(1) / (spec[:, mid].sum(1) + eps)
    loud = loudness_envelope(audio, n)
    talk = speech_mask(loud)
    voiced = talk & (b_hi / total < 0.5)
    f1 = np.log(b_f1 / b_low)
    ref = f1[voiced] if voiced.any() else f1
    open_ = np.clip((f1 - np.percentile(ref, 10)) / (np.ptp(np.percentile(ref, [10, 90])) + eps), 0, 1)
    c2ref = c2[voiced] if voiced.any() else c2
    med = float(np.median(c2ref))
    spread = float(np.percentile(c2ref, 90) - np.percentile(c2ref, 10)) + eps
    # biased towards rounding: neutral vowels sit at the median, and (US) rounded vowels are often fronted
    width = np.clip((c2 - med) / (0.5 * spread) - 0.3, -1, 1)
    width = np.where(voiced, width, 0.3 * np.clip(width, 0, 1))
    fric = b_hi / total > 0.5
    open_ = np.where(fric, 0.15, open_)
    # closures: the bottom of each deep, short dip inside speech (≥ 14 dB under the surrounding 200 ms peak),
    # and nasal murmur (almost all energy under 500 Hz while clearly quieter than the neighbouring vowels);
    # one seal of ~40 ms per event, so the mouth does not stay shut through low vowels
    db = 20 * np.log10(np.sqrt(total))
    peak = maximum_filter1d(db, 21)
    is_min = db <= minimum_filter1d(db, 7) + 1e-6
    dip = is_min & (db < peak - 14)
    nasal = is_min & (b_low / total > 0.97) & (db < peak - 8) & (loud > 0.3)
    events = talk & (dip | nasal)
    closure = maximum_filter1d(events.astype(np.float32), 4)
    # the acoustic opening leans on loudness, the most reliable language-independent cue
    open_ = 0.45 * open_ + 0.55 * np.clip((loud - 0.4) / 0.5, 0, 1)
    return open_.astype(np.float32), width.astype(np.float32), closure


# ----------------------------------------------------------------------------------------------- timeline
def _targets_from_phones(phones: list[Phone], n: int,
                         loud: np.ndarray | None = None, rough: bool = False) -> tuple[np.ndarray, ...]:
    """Phones → viseme target curves.

    With ``loud``, each p/b/m closure is snapped to the quietest point near it: a stop is a silent closure
    followed by a burst, and phone alignments (Piper's as well as recognised ones) tend to mark the burst, so
    the lips would shut ~40 ms late. Recognised phones get a wider search window (their boundaries are rough).
    """
    open_ = np.zeros(n, np.float32)
    width = np.zeros(n, np.float32)
    tongue = np.zeros(n, np.float32)
    tuck = np.zeros(n, np.float32)
    closure = np.zeros(n, np.float32)
    labelled = np.zeros(n, bool)
    for ph in phones:
        vis, spread = phone_viseme(ph.p)
        if not vis:
            continue
        a = max(0, round(ph.start * RATE))
        b = min(n, max(a + 1, round(ph.end * RATE)))
        o, w, tg, tk = VISEMES[vis]
        open_[a:b], width[a:b] = o, (SPREAD_EE if spread else w)
        tongue[a:b], tuck[a:b] = tg, tk
        labelled[a:b] = vis != "X"
        if vis == CLOSURE:
            # Seal the middle of the phone at least 40 ms even for very short p/b/m.
            mid = (a + b) / 2
            half = max(2.0, (b - a) * 0.35)
            if loud is not None:
                before = (8 if ph.p.strip("ˈˌ").lower() in ("p", "b") else 4) + (4 if rough else 0)
                lo_i, hi_i = max(0, a - before), min(n, b + (6 if rough else 2))
                if hi_i > lo_i:
                    seg = loud[lo_i:hi_i]
                    quiet = np.nonzero(seg <= seg.min() + 0.05)[0]
                    mid = lo_i + float(quiet.mean()) + 0.5
                    half = max(half, 2.5)
            closure[max(0, int(mid - half)):min(n, math.ceil(mid + half))] = 1.0
    return open_, width, tongue, tuck, closure, labelled


def build_track(audio: np.ndarray, phones: list[Phone] | None = None, language: str = "auto",
                duration: float | None = None, transcript: str | None = None,
                source: str = "phones") -> MouthTrack:
    """The whole speech stage: 16 kHz mono audio (+ optional phones or transcript) → :class:`MouthTrack`.

    ``source`` names where given ``phones`` came from (recognised ones get a wider closure search).
    """
    dur = duration if duration is not None else len(audio) / SR
    n = max(1, math.ceil(dur * RATE) + 1)
    loud = loudness_envelope(audio, n)
    talk = speech_mask(loud)
    lang = normalise(language)
    if not phones and talk.any():
        phones, source, lang = recognised_phones(audio, talk, lang, transcript)
    if phones:
        open_, width, tongue, tuck, closure, _lab = _targets_from_phones(
            phones, n, loud, rough=source in ("pocketsphinx", "hama"))
    else:
        source = "acoustic"
        open_, width, closure = acoustic_targets(audio, n)
        tongue = np.clip(open_ - 0.5, 0, 1) * 0.8
        tuck = np.zeros(n, np.float32)
    # Coarticulation: each shape spreads ±40 ms; the mouth anticipates the sound by ~30 ms.
    sigma = 2.0
    lead = 3
    open_s = gaussian_filter1d(open_, sigma)
    width_s = gaussian_filter1d(width, sigma * 1.5)
    tongue_s = gaussian_filter1d(tongue, sigma)
    tuck_s = gaussian_filter1d(tuck, sigma)
    # (closures are not shifted: a stop's phone span already starts with the lips shut)
    open_s, width_s, tongue_s, tuck_s = (np.concatenate([x[lead:], np.repeat(x[-1:], lead)])
                                         for x in (open_s, width_s, tongue_s, tuck_s))
    closure_l = closure
    # Loudness blend: shapes set the target, loudness scales it (and carries most of the sync signal).
    loud_s = uniform_filter1d(loud, 3)
    open_b = open_s * (0.3 + 0.7 * loud_s) * talk + 0.55 * np.clip(loud_s - 0.45, 0, 1) * talk
    open_b = np.clip(open_b, 0, 1)
    # Guaranteed closure on p/b/m: lips sealed over the phone core, eased in/out over 20 ms.
    seal = np.clip(gaussian_filter1d(closure_l, 1.0) * 1.6, 0, 1)
    open_b = open_b * (1 - seal)
    # Rest in silences: mouth relaxes shut, shape returns to neutral.
    rest = gaussian_filter1d(talk.astype(np.float32), 4)
    width_s = width_s * rest
    tongue_s = tongue_s * rest
    return MouthTrack(open=open_b.astype(np.float32), width=width_s.astype(np.float32),
                      tongue=tongue_s.astype(np.float32), tuck=tuck_s.astype(np.float32),
                      closure=(seal > 0.5).astype(np.float32), loudness=loud, speaking=talk, source=source,
                      language=lang)


def recognised_phones(audio: np.ndarray, talk: np.ndarray, language: str,
                      transcript: str | None) -> tuple[list[Phone] | None, str, str]:
    """(phones or None, source, language) for speech without exact phones — the best measured source per
    language (docs/avatar.md, bench/avatar_speech.py).

    ``language`` "auto" asks Whisper (when installed); still unknown → English recognition is tried and
    :func:`_recognition_weak` rejects phones that cannot be English. English: a transcript's forced alignment,
    else hama, else pocketsphinx allphone. Mandarin: hama's phones (English-like labels, but bilabials and
    rounding land where they are, with far fewer false closures than the acoustic method). Any other
    language → the acoustic method.
    """
    early: Future[list[Phone] | None] | None = None
    if language == "auto":
        # hama is what English and Mandarin (most uploads) use: start it alongside Whisper's language ID
        # (two independent native jobs, ~1 s each on two cores) and drop its answer for other languages
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="avatar-hama") as pool:
            early = pool.submit(hama_phones, audio) if not (transcript and transcript.strip()) else None
            found = detect_language(audio)
        language = found[0] if found else "auto"
    if language not in ("en", "auto", "zh"):
        return None, "acoustic", language
    if transcript and transcript.strip() and language != "zh":
        aligned = aligned_phones(audio, transcript)
        if aligned and not _recognition_weak(aligned, talk):
            return aligned, "aligned", language
    recognised, source = (early.result() if early is not None else hama_phones(audio)), "hama"
    if recognised is None and language != "zh":
        recognised, source = allphone_phones(audio), "pocketsphinx"
    if recognised is None or _recognition_weak(recognised, talk):
        return None, "acoustic", language
    return recognised, source, language


def _recognition_weak(phones: list[Phone], talk: np.ndarray) -> bool:
    """Allphone output that leaves much of the speech unlabelled, or a phone rate no language has."""
    n = len(talk)
    covered = np.zeros(n, bool)
    count = 0
    for ph in phones:
        vis, _ = phone_viseme(ph.p)
        if vis and vis != "X":
            covered[int(ph.start * RATE):int(ph.end * RATE)] = True
            count += 1
    speech_s = talk.sum() / RATE
    if speech_s < 0.3:
        return True
    coverage = (covered & talk).sum() / max(1, talk.sum())
    rate = count / speech_s
    return bool(coverage < 0.6 or rate < 4 or rate > 25)
