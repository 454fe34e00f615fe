"""kinema: a self-hosted server that speaks Kling's video/audio generation API and does the work on CPU."""

__version__ = "0.1.0"
