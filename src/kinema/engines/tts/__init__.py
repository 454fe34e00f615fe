"""Text to speech, offline: Kokoro-82M (Mandarin and English, neural), with Piper (English) and espeak-ng
(Mandarin) selectable and as the fallback; exact phone timings.

``synthesize(text, language, voice_id, speed, setup) -> Speech``; ``write_phones_json(speech, path)``
stores the timings the avatar engine animates from; ``voice_revision(voice_id, language, setup)``
fingerprints how a voice sounds, for audio cached per voice.
"""

from kinema.engines.tts.engine import synthesize, voice_revision
from kinema.engines.tts.types import PhoneSpan, Speech, TtsInputError, TtsSetup, write_phones_json

__all__ = [
    "PhoneSpan",
    "Speech",
    "TtsInputError",
    "TtsSetup",
    "synthesize",
    "voice_revision",
    "write_phones_json",
]
