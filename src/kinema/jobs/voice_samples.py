"""The preset voices' trial samples: a fixed sentence in each voice, made by kinema's TTS and kept in storage.

A sample is made the first time someone fetches it (not when the list is read: a page of 30 voices would
otherwise cost 30 syntheses before the list could answer), then served from storage ever after. Its key
holds the voice's revision (:func:`kinema.engines.tts.voice_revision`), so when the TTS voices change
(a new backend, a new profile) the next fetch makes a new sample instead of serving the old voice; the old
blob is left for an operator to remove with the rest of ``voices/``. Samples belong to no account and no
task, so retention never sweeps them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from kinema.contract.voices import TRIAL_SENTENCES, VoiceLanguage
from kinema.engines.tts import TtsSetup
from kinema.runtime import Runtime

#: Storage folder of the samples: ``voices/trials/<revision>/<language>/<voice_id>.mp3``.
SAMPLE_PREFIX = "voices/trials"


def sample_name(voice_id: str, language: str) -> str:
    """What a trial URL signs: the voice, not one revision of it, so a URL handed out before the voices
    changed still plays (the new voice)."""
    return f"voice-trial/{language}/{voice_id}"


def sample_key(voice_id: str, language: VoiceLanguage, setup: TtsSetup | None = None) -> str:
    """The storage key of the current revision of the voice's sample (the voice must be a preset), as the
    engines of ``setup`` speak it (a Kokoro voice and its Piper fallback have different keys)."""
    from kinema.engines.tts import voice_revision

    return f"{SAMPLE_PREFIX}/{voice_revision(voice_id, language, setup)}/{language}/{voice_id}.mp3"


def make_sample(
    rt: Runtime, voice_id: str, language: VoiceLanguage, key: str, setup: TtsSetup | None = None
) -> float:
    """Synthesise the voice's trial sentence and store it as MP3 under ``key``; the sample's length in s.
    Blocking (~0.1–0.5 s of CPU): call it from a thread."""
    from kinema.engines.tts import synthesize
    from kinema.media.audio_io import write_mp3

    speech = synthesize(TRIAL_SENTENCES[language], language=language, voice_id=voice_id, setup=setup)
    with tempfile.TemporaryDirectory(prefix="kinema-trial-") as tmp:
        path = Path(tmp) / "trial.mp3"
        write_mp3(speech.samples, speech.sample_rate, path)
        rt.storage.put_file(key, path, "audio/mpeg")
    return speech.duration
