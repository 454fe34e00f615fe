"""Tiny random Wan pipelines built from configs in the test (nothing downloaded), saved as Diffusers folders.

The recipe follows diffusers' own Wan tests (a two-layer transformer, a 3-channel VAE) with the tokenizer and
T5 encoder built here instead of fetched from the Hub. The folders are opened by kinema's real loader
(``from_pretrained(..., local_files_only=True)``), so the user-supplied-weights path runs end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WORDS = [
    "a",
    "cat",
    "dances",
    "the",
    "camera",
    "pans",
    "left",
    "negative",
    "monkey",
    "runs",
    "forward",
    "blurry",
    "low",
    "quality",
]


def tiny_text() -> tuple[Any, Any]:
    """A word-level tokenizer and a 2-layer T5 encoder with ``d_model`` 32."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast, T5Config, T5EncoderModel

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    )
    config = T5Config(
        vocab_size=64,
        d_model=32,
        d_ff=37,
        d_kv=8,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
    )
    return tokenizer, T5EncoderModel(config).eval()


def _transformer(in_channels: int) -> Any:
    from diffusers import WanTransformer3DModel

    return WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=in_channels,
        out_channels=16,
        text_dim=32,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
    )


def _common(seed: int) -> dict[str, Any]:
    import torch
    from diffusers import AutoencoderKLWan, UniPCMultistepScheduler

    torch.manual_seed(seed)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    )
    scheduler = UniPCMultistepScheduler(
        prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0
    )
    tokenizer, text_encoder = tiny_text()
    return {"vae": vae, "scheduler": scheduler, "tokenizer": tokenizer, "text_encoder": text_encoder}


def save_i2v(folder: Path, seed: int = 0) -> Path:
    """A Wan2.2-A14B-shaped image-to-video pipeline (two experts, no CLIP encoder) saved to ``folder``."""
    from diffusers import WanImageToVideoPipeline

    parts = _common(seed)
    pipe = WanImageToVideoPipeline(
        transformer=_transformer(36),
        transformer_2=_transformer(36),
        image_encoder=None,
        image_processor=None,
        boundary_ratio=0.875,
        **parts,
    )
    pipe.save_pretrained(folder)
    return folder


def save_t2v(folder: Path, seed: int = 0) -> Path:
    """A Wan text-to-video pipeline (one transformer) saved to ``folder``."""
    from diffusers import WanPipeline

    pipe = WanPipeline(transformer=_transformer(16), **_common(seed))
    pipe.save_pretrained(folder)
    return folder


#: The tiny models' native clip: 13 frames (one call covers 5 s at 2 fps, 10 s is a chain of two), 32x32
#: area, 2 denoising steps. The same numbers feed the assertions.
TINY = {"steps": 2, "width": 32, "height": 32, "num_frames": 13, "fps": 2, "device": "cpu"}


def models_setting(i2v: Path, t2v: Path) -> dict[str, Any]:
    """``KINEMA_MODELS``: kling-v2-6 served by both tiny folders; kling-v1 (whose Kling capabilities include
    the motion brush and camera control) by the image-to-video one, as a plain path."""
    return {"kling-v2-6": [{"path": str(i2v), **TINY}, {"path": str(t2v), **TINY}], "kling-v1": str(i2v)}


def fake_folder(folder: Path, cls: str = "WanImageToVideoPipeline", **extra: object) -> Path:
    """A folder shaped like a saved pipeline (the weights file only needs a safetensors header here)."""
    index = {"_class_name": cls, "transformer": ["diffusers", "WanTransformer3DModel"], **extra}
    index.update(scheduler=["diffusers", "UniPCMultistepScheduler"], image_encoder=[None, None])
    folder.mkdir(parents=True)
    (folder / "model_index.json").write_text(json.dumps(index))
    (folder / "transformer").mkdir()
    (folder / "transformer" / "config.json").write_text("{}")
    header = json.dumps({"w": {"dtype": "BF16", "shape": [4, 8], "data_offsets": [0, 64]}}).encode()
    blob = len(header).to_bytes(8, "little") + header + bytes(64)
    (folder / "transformer" / "diffusion_pytorch_model.safetensors").write_bytes(blob)
    (folder / "scheduler").mkdir()
    (folder / "scheduler" / "scheduler_config.json").write_text("{}")
    return folder
