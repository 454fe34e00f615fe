"""Load a configured Diffusers folder once per process and keep it warm between tasks.

Loading a 14B model takes minutes, so a worker process loads each folder the first time a task needs it and
keeps the pipeline for every later task. Only one heavy pipeline is resident at a time: asking for another
folder (another model, or the other kind's pipeline) drops the previous one first, so two 14B models never
sit on one GPU together.

Weights come from the folder only: ``local_files_only=True`` and the Hugging Face hub is switched off for
the process (``HF_HUB_OFFLINE=1``) before diffusers is imported, so a missing file is an error, never a
download.
"""

from __future__ import annotations

import gc
import os
import threading
from typing import Any

from kinema.engines.generative.catalog import ModelEntry

_lock = threading.Lock()
_loaded: dict[tuple[str, str, str, bool, bool], Any] = {}


def resolve_device(device: str) -> str:
    """``auto`` → ``cuda`` when torch sees a GPU, else ``cpu``."""
    import torch

    if device != "auto":
        return device
    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_dtype(dtype: str, device: str) -> Any:
    """``auto`` → bfloat16 on a GPU, float32 on the CPU (bf16 matmuls on a CPU are slow and inexact)."""
    import torch

    name = dtype if dtype != "auto" else ("float32" if device == "cpu" else "bfloat16")
    return getattr(torch, name)


def load(entry: ModelEntry) -> Any:
    """The pipeline for ``entry``, loaded on first use and cached (one resident pipeline per process)."""
    with _lock:
        pipe = _loaded.get(entry.key)
        if pipe is not None:
            return pipe
        _loaded.clear()
        gc.collect()
        pipe = _open(entry)
        _loaded[entry.key] = pipe
        return pipe


def _open(entry: ModelEntry) -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    from diffusers import DiffusionPipeline

    device = resolve_device(entry.device)
    dtype = resolve_dtype(entry.dtype, device)
    pipe = DiffusionPipeline.from_pretrained(str(entry.path), local_files_only=True, dtype=dtype)
    if entry.offload and device != "cpu":
        pipe.enable_model_cpu_offload(device=device)  # whole components move on and off the GPU per use
    else:
        pipe.to(device)
    if entry.vae_tiling and hasattr(pipe.vae, "enable_tiling"):
        pipe.vae.enable_tiling()
    pipe.set_progress_bar_config(disable=True)
    return pipe


def loaded_count() -> int:
    """How many pipelines this process holds (tests check the warm cache with it)."""
    return len(_loaded)
