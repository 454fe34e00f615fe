"""Text to speech, offline: Piper (English, neural) and espeak-ng (Mandarin, formant), with phone timings.

``synthesize(text, language, voice_id, speed) -> Speech``; ``write_phones_json(speech, path)`` stores the
timings the avatar engine animates from; ``voice_revision(voice_id, language)`` fingerprints how a voice
sounds, for audio cached per voice.
"""

from kinema.engines.tts.engine import synthesize, voice_revision
from kinema.engines.tts.types import PhoneSpan, Speech, TtsInputError, write_phones_json

__all__ = ["PhoneSpan", "Speech", "TtsInputError", "synthesize", "voice_revision", "write_phones_json"]
