"""Speed and memory of the Wan image-to-video engine on whatever device is present, with random weights.

Run: ``.venv/bin/python bench/generative_bench.py --preset tiny`` (this project's CPU machines), or on a GPU
host ``--preset wan2.2-a14b`` (the published Wan2.2-I2V-A14B architecture: two 14B experts, Wan2.1 VAE) or
``--folder /models/X-Diffusers`` (the transformer and VAE configs of a local folder). Nothing is downloaded:
the networks are built from their configs with random weights, directly on the device, so the timings are
those of the real architecture at the real sizes (the pictures are noise). The umT5 text encoder is left
out (random prompt embeddings of its shape are fed instead): it runs once per clip and is not the cost.

Prints seconds per denoising step and per 5 s clip (81 frames at 16 fps; the tiny preset: its own native
clip) at the std and pro sizes of docs/gpu.md, and the peak memory (GPU: torch's peak allocation; CPU:
peak RSS of the process).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

import torch
from diffusers import (
    AutoencoderKLWan,
    UniPCMultistepScheduler,
    WanImageToVideoPipeline,
    WanTransformer3DModel,
)
from diffusers.utils import logging as diffusers_logging
from PIL import Image

from kinema.engines.generative import mapping

diffusers_logging.set_verbosity_error()

#: The Wan 14B transformer (Wan2.1-I2V-14B / each Wan2.2-A14B expert), from the authors' published config.
WAN_14B: dict[str, Any] = {
    "patch_size": (1, 2, 2),
    "num_attention_heads": 40,
    "attention_head_dim": 128,
    "in_channels": 36,
    "out_channels": 16,
    "text_dim": 4096,
    "freq_dim": 256,
    "ffn_dim": 13824,
    "num_layers": 40,
    "cross_attn_norm": True,
    "qk_norm": "rms_norm_across_heads",
    "eps": 1e-6,
    "rope_max_seq_len": 1024,
}
#: The tests' tiny transformer (tests/engines/generative/tiny.py).
TINY: dict[str, Any] = {
    "patch_size": (1, 2, 2),
    "num_attention_heads": 2,
    "attention_head_dim": 12,
    "in_channels": 36,
    "out_channels": 16,
    "text_dim": 32,
    "freq_dim": 256,
    "ffn_dim": 32,
    "num_layers": 2,
    "cross_attn_norm": True,
    "qk_norm": "rms_norm_across_heads",
    "rope_max_seq_len": 32,
}
TINY_VAE: dict[str, Any] = {
    "base_dim": 3,
    "z_dim": 16,
    "dim_mult": [1, 1, 1, 1],
    "num_res_blocks": 1,
    "temperal_downsample": [False, True, True],
}
#: preset → (transformer config, VAE config ({} = diffusers' defaults = the Wan2.1 VAE), experts,
#: std width, std height, native frames, fps, steps)
PRESETS: dict[str, tuple[dict[str, Any], dict[str, Any], int, int, int, int, int, int]] = {
    "tiny": (TINY, TINY_VAE, 2, 32, 32, 13, 2, 2),
    "wan2.2-a14b": (WAN_14B, {}, 2, 832, 480, 81, 16, 40),
    "wan2.1-14b": (WAN_14B, {}, 1, 832, 480, 81, 16, 40),
}


def cast(model: Any, dtype: torch.dtype) -> Any:
    """``model`` in ``dtype``, except the modules diffusers keeps in float32 (norms, time embedding, RoPE)."""
    keep = set(getattr(model, "_keep_in_fp32_modules", None) or [])
    model.to(dtype)
    for name, module in model.named_modules():
        if keep & set(name.split(".")):
            module.to(torch.float32)
    return model


def build(preset: str, folder: Path | None, device: str, dtype: torch.dtype) -> tuple[Any, tuple]:
    tconf, vconf, experts, w, h, frames, fps, steps = PRESETS[preset]
    if folder is not None:
        tconf = json.loads((folder / "transformer" / "config.json").read_text())
        vconf = json.loads((folder / "vae" / "config.json").read_text())
        experts = 2 if (folder / "transformer_2").is_dir() else 1
    with torch.device(device):
        transformers = [cast(WanTransformer3DModel.from_config(tconf), dtype) for _ in range(experts)]
        vae = AutoencoderKLWan.from_config(vconf)  # float32: Wan decodes in float32
    pipe = WanImageToVideoPipeline(
        tokenizer=None,
        text_encoder=None,
        vae=vae,
        scheduler=UniPCMultistepScheduler(
            prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=5.0
        ),
        transformer=transformers[0],
        transformer_2=transformers[1] if experts == 2 else None,
        boundary_ratio=0.9 if experts == 2 else None,
        image_encoder=None,
        image_processor=None,
    )
    pipe.set_progress_bar_config(disable=True)
    return pipe, (int(transformers[0].config.text_dim), w, h, frames, fps, steps)


def clip(pipe: Any, text_dim: int, width: int, height: int, frames: int, steps: int, device: str) -> dict:
    """One clip; returns seconds per step (steady state: the first step is left out) and total seconds."""
    stamps: list[float] = []

    def on_step(_p: Any, _i: int, _t: Any, tensors: dict) -> dict:
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        stamps.append(time.perf_counter())
        return tensors

    dtype = pipe.transformer.dtype
    embeds = torch.randn(1, 512, text_dim, device=device, dtype=dtype)
    image = Image.new("RGB", (width, height), (120, 90, 60))
    start = time.perf_counter()
    pipe(
        image=image,
        prompt_embeds=embeds,
        negative_prompt_embeds=torch.randn_like(embeds),
        height=height,
        width=width,
        num_frames=frames,
        num_inference_steps=steps,
        guidance_scale=3.5,
        output_type="np",
        generator=torch.Generator("cpu").manual_seed(0),
        callback_on_step_end=on_step,
    )
    total = time.perf_counter() - start
    per_step = (stamps[-1] - stamps[0]) / max(1, len(stamps) - 1) if len(stamps) > 1 else total / steps
    return {"s_per_step": per_step, "s_per_clip": total}


def peak_memory(device: str) -> str:
    if device.startswith("cuda"):
        return f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB (GPU, peak allocated)"
    return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB (CPU, peak RSS)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--folder", type=Path, help="take the transformer and VAE configs of this folder")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--dtype", default="auto", choices=["auto", "bfloat16", "float16", "float32"])
    ap.add_argument("--steps", type=int, help="denoising steps of pro (std: 3/4); default: the preset's")
    args = ap.parse_args()
    dtype_name = args.dtype if args.dtype != "auto" else ("float32" if args.device == "cpu" else "bfloat16")
    t0 = time.perf_counter()
    pipe, (text_dim, w, h, frames, fps, steps) = build(
        args.preset, args.folder, args.device, getattr(torch, dtype_name)
    )
    steps = args.steps or steps
    print(
        f"{args.preset}{' ' + str(args.folder) if args.folder else ''} on {args.device} ({dtype_name}), "
        f"built in {time.perf_counter() - t0:.1f} s; {frames} frames at {fps} fps per clip"
    )
    print(f"{'mode':5} {'size':>10} {'steps':>5} {'s/step':>9} {'s per clip':>11}")
    for mode in ("std", "pro"):
        width, height = mapping.frame_size(w / h, mode, w, h)
        n = mapping.steps(mode, steps)
        r = clip(pipe, text_dim, width, height, frames, n, args.device)
        print(f"{mode:5} {width:>4}x{height:<5} {n:>5} {r['s_per_step']:>9.3f} {r['s_per_clip']:>11.2f}")
    print(f"peak memory: {peak_memory(args.device)}")


if __name__ == "__main__":
    main()
