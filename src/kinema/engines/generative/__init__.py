"""Generative video engines: open diffusion models (Hugging Face diffusers) on the user's own GPU.

Only :mod:`.catalog`, :mod:`.report` and :mod:`.mapping` are importable without torch: the server reads the
configuration (``KINEMA_MODELS``) and checks the model folders at start-up with them. :mod:`.loader` and
:mod:`.wan` import torch and diffusers, and are imported only when a configured model runs a task, so a
server without the ``kinema[gpu]`` extra starts and serves the CPU engines as before (docs/gpu.md).
"""
