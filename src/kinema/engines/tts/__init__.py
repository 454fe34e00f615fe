"""Text to speech, offline: Piper (English, neural) and espeak-ng (Mandarin, formant), with phone timings.

``synthesize(text, language, voice_id, speed) -> Speech``; ``write_phones_json(speech, path)`` stores the
timings the avatar engine animates from.
"""

from kinema.engines.tts.engine import synthesize
from kinema.engines.tts.types import PhoneSpan, Speech, TtsInputError, write_phones_json

__all__ = ["PhoneSpan", "Speech", "TtsInputError", "synthesize", "write_phones_json"]
