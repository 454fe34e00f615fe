"""Speech recognition, offline and optional (the ``asr`` extra): Whisper base through faster-whisper.

Not used by any endpoint at run time. It measures how intelligible kinema's own TTS is (bench) and can read
uploaded speech (language, text, character timings). :mod:`kinema.engines.asr.whisper` is the face.
"""
