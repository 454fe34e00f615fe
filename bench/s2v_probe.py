"""Can Wan2.2-S2V (talking avatar) run through DiffSynth-Studio from local files, and be tested offline?

Run it in a scratch virtualenv, never in kinema's own (diffsynth pulls torchvision, modelscope, pandas, peft):

    python3.11 -m venv /tmp/s2v-venv
    /tmp/s2v-venv/bin/pip install torch==2.13.0 diffsynth==2.1.12
    /tmp/s2v-venv/bin/python bench/s2v_probe.py [--full-audio-encoder] [--keep DIR]

It prints one numbered finding per step: the import, how DiffSynth recognises a weight file, whether a
pipeline of tiny random components saved to a temp folder loads through DiffSynth's own loader
(``WanVideoPipeline.from_pretrained`` with ``ModelConfig(path=...)`` only, no model id, so nothing is
fetched) and whether a speech-to-video call runs end to end on the CPU. Nothing is downloaded; the machine
can be offline. ``docs/gpu.md`` ("Talking avatar (Wan2.2-S2V)") records what it found.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import sys
import tempfile
import time
import traceback
import types
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("DIFFSYNTH_SKIP_DOWNLOAD", "True")

WORDS = ["a", "woman", "talks", "to", "the", "camera", "smiling", "blurry", "low", "quality"]
TINY_DIT = {
    "dim": 48,
    "in_dim": 16,
    "ffn_dim": 64,
    "out_dim": 16,
    "text_dim": 32,
    "freq_dim": 256,
    "eps": 1e-6,
    "patch_size": (1, 2, 2),
    "num_heads": 2,
    "num_layers": 2,
    "cond_dim": 16,
    "audio_dim": 32,
    "num_audio_token": 4,
    "audio_inject_layers": [0, 1],
}
TINY_T5 = {
    "vocab": 64,
    "dim": 32,
    "dim_attn": 32,
    "dim_ffn": 64,
    "num_heads": 4,
    "num_layers": 2,
    "num_buckets": 8,
}
_step = 0


def finding(text: str) -> None:
    """Print one numbered finding (the probe's whole output is these lines)."""
    global _step
    _step += 1
    print(f"[{_step}] {text}", flush=True)


def import_diffsynth() -> Any:
    """Import the S2V pipeline; when torchvision is unusable, say so and go on with a stand-in module.

    ``diffsynth/core/data/operators.py`` imports torchvision at module level (for its training-data
    resize), so ``import diffsynth`` fails wherever torchvision does not import. The S2V inference path
    never calls torchvision, so the stand-in only lets the rest of the probe run; kinema cannot ship it.
    """
    import torch

    try:
        import torchvision  # noqa: F401
    except Exception as exc:
        finding(
            f"torchvision does not import next to torch {torch.__version__}: {type(exc).__name__}: {exc}. "
            "diffsynth imports it unconditionally (diffsynth/core/data/operators.py, line 2), so "
            "`import diffsynth` fails on this host."
        )
        finding(broken_transformers())
        finding(
            "Going on with an empty stand-in module for torchvision (the S2V inference path never calls "
            "it) and transformers told torchvision is absent."
        )
        for name in [k for k in sys.modules if k.startswith("torchvision")]:
            del sys.modules[name]
        # transformers asks importlib whether torchvision exists (and caches the answer); a None entry in
        # sys.modules makes that answer "no", so its processors do not import the broken package either.
        sys.modules["torchvision"] = None  # type: ignore[assignment]
        from transformers.utils import import_utils

        import_utils.is_torchvision_available()
        stand_in = types.ModuleType("torchvision")
        stand_in.transforms = types.ModuleType("torchvision.transforms")  # type: ignore[attr-defined]
        sys.modules["torchvision"] = stand_in
        sys.modules["torchvision.transforms"] = stand_in.transforms  # type: ignore[attr-defined]
    from diffsynth.pipelines import wan_video

    version = importlib.metadata.version("diffsynth")
    finding(f"diffsynth {version} imported; WanVideoPipeline from diffsynth.pipelines.wan_video")
    return wan_video


def millions(module: Any) -> float:
    """Parameter count in millions."""
    return float(sum(p.numel() for p in module.parameters())) / 1e6


def broken_transformers() -> str:
    """Which transformers imports fail once this torchvision is installed (each in a fresh interpreter)."""
    import subprocess

    failed = []
    for name in ("UMT5EncoderModel", "Wav2Vec2Processor", "AutoTokenizer"):
        code = f"from transformers import {name}"
        if subprocess.run([sys.executable, "-c", code], capture_output=True, check=False).returncode:
            failed.append(name)
    return (
        "with this torchvision installed, transformers sees it as available and these imports fail: "
        f"{', '.join(failed) or 'none'} (UMT5EncoderModel is what kinema's Wan engines load: installing "
        "diffsynth next to them on a CPU-wheel host breaks them)"
    )


def tiny_tokenizer(folder: Path) -> None:
    """A word-level tokenizer saved as a Hugging Face folder (the umT5 tokenizer's stand-in)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    )
    fast.save_pretrained(str(folder))


def tiny_audio_processor(folder: Path) -> None:
    """A ``Wav2Vec2Processor`` (feature extractor + CTC tokenizer) built and saved locally."""
    import json

    from transformers import Wav2Vec2CTCTokenizer, Wav2Vec2FeatureExtractor, Wav2Vec2Processor

    folder.mkdir(parents=True, exist_ok=True)
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, "A": 5, "B": 6}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = Wav2Vec2CTCTokenizer(str(folder / "vocab.json"))
    extractor = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, do_normalize=True)
    Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(str(folder))


def save_module(module: Any, path: Path, strip: str = "", rename: dict[str, str] | None = None) -> Path:
    """Save a module's random weights as safetensors, in the key layout of the published file."""
    from safetensors.torch import save_file

    rename = rename or {}
    state = {}
    for key, tensor in module.state_dict().items():
        name = key[len(strip) :] if strip and key.startswith(strip) else key
        state[rename.get(name, name)] = tensor.detach().contiguous().clone()
    save_file(state, str(path))
    return path


class TinyS2VAudioEncoder:
    """Placeholder; replaced by a real subclass once diffsynth is importable (see ``tiny_audio_class``)."""


def tiny_audio_class() -> type:
    """``WanS2VAudioEncoder`` with a 24-layer, 32-wide wav2vec2 (its own ``__init__`` takes no arguments).

    24 layers because the S2V DiT's ``CausalAudioEncoder`` weights all 25 hidden states (fixed
    ``num_layers=25``); the width is free as long as the DiT's ``audio_dim`` matches.
    """
    from diffsynth.models.wav2vec import WanS2VAudioEncoder
    from transformers import Wav2Vec2Config, Wav2Vec2ForCTC

    class _Tiny(WanS2VAudioEncoder):  # type: ignore[misc]
        def __init__(self) -> None:
            super(WanS2VAudioEncoder, self).__init__()
            config = Wav2Vec2Config(
                hidden_size=32,
                num_hidden_layers=24,
                num_attention_heads=2,
                intermediate_size=37,
                conv_dim=(32, 32, 32, 32, 32, 32, 32),
                num_conv_pos_embeddings=16,
                num_conv_pos_embedding_groups=2,
                do_stable_layer_norm=True,
                feat_extract_norm="layer",
                vocab_size=8,
            )
            self.model = Wav2Vec2ForCTC(config)
            self.video_rate = 30

    _Tiny.__name__ = _Tiny.__qualname__ = "TinyS2VAudioEncoder"
    _Tiny.__module__ = __name__
    return _Tiny


def register(
    path: Path, name: str, cls: str, extra: dict[str, Any] | None = None, conv: str | None = None
) -> str:
    """Add a MODEL_CONFIGS entry for a file whose key/shape hash DiffSynth does not know."""
    from diffsynth.configs import MODEL_CONFIGS
    from diffsynth.core.loader import hash_model_file

    model_hash = hash_model_file(str(path))
    entry: dict[str, Any] = {"model_hash": model_hash, "model_name": name, "model_class": cls}
    if extra is not None:
        entry["extra_kwargs"] = extra
    if conv is not None:
        entry["state_dict_converter"] = conv
    MODEL_CONFIGS.append(entry)
    return model_hash


def known(path: Path) -> str | None:
    """The ``model_name`` DiffSynth's shipped table gives this file, or None (it hashes keys and shapes)."""
    from diffsynth.configs import MODEL_CONFIGS
    from diffsynth.core.loader import hash_model_file

    model_hash = hash_model_file(str(path))
    names = [c["model_name"] for c in MODEL_CONFIGS if c["model_hash"] == model_hash]
    return names[0] if names else None


def tiny_vae_class() -> type:
    """``WanVideoVAE`` whose inner ``VideoVAE_`` is 8 wide with one res block (its own ``__init__`` takes only
    ``z_dim``; the published one is 96 wide). Same latent space (16 channels, 8x down, 4x in time)."""
    from diffsynth.models.wan_video_vae import VideoVAE_, WanVideoVAE

    class _Tiny(WanVideoVAE):  # type: ignore[misc]
        def __init__(self, z_dim: int = 16) -> None:
            super().__init__(z_dim=z_dim)
            self.model = VideoVAE_(dim=8, z_dim=z_dim, num_res_blocks=1).eval().requires_grad_(False)

    _Tiny.__name__ = _Tiny.__qualname__ = "TinyWanVideoVAE"
    _Tiny.__module__ = __name__
    return _Tiny


class TinyWanVideoVAE:
    """Placeholder; replaced by a real subclass once diffsynth is importable (see ``tiny_vae_class``)."""


def build_vae(folder: Path, full: bool) -> Path:
    """The Wan2.1 VAE: the published architecture (recognised by hash) or the tiny subclass (registered)."""
    from diffsynth.models.wan_video_vae import WanVideoVAE

    t0 = time.perf_counter()
    if not full:
        cls = tiny_vae_class()
        globals()["TinyWanVideoVAE"] = cls
        path = save_module(cls(), folder / "vae-tiny.safetensors", strip="model.")
        conv = "diffsynth.utils.state_dict_converters.wan_video_vae.WanVideoVAEStateDictConverter"
        register(path, "wan_video_vae", f"{__name__}.TinyWanVideoVAE", conv=conv)
        finding(
            "WanVideoVAE.__init__ takes only z_dim (96 wide, 127 M params, fixed), so the tiny VAE is a "
            "subclass 8 wide, registered under model_name 'wan_video_vae' (--full-vae: the real size)"
        )
        return path
    vae = WanVideoVAE(z_dim=16)
    path = save_module(vae, folder / "Wan2.1_VAE.safetensors", strip="model.")
    name = known(path)
    finding(
        f"Wan2.1 VAE at full size with random weights ({millions(vae):.0f} M params, "
        f"{time.perf_counter() - t0:.1f} s to build+save): "
        + (f"recognised by its shipped hash as {name!r}" if name else "NOT recognised by its shipped hash")
    )
    return path


def build_audio(folder: Path, full: bool) -> Path:
    """The wav2vec2 audio encoder: published size (recognised by hash) or the tiny subclass (registered)."""
    from diffsynth.models.wav2vec import WanS2VAudioEncoder

    t0 = time.perf_counter()
    if not full:
        cls = tiny_audio_class()
        globals()["TinyS2VAudioEncoder"] = cls
        path = save_module(cls(), folder / "wav2vec2-tiny.safetensors")
        register(path, "wans2v_audio_encoder", f"{__name__}.TinyS2VAudioEncoder")
        finding(
            "WanS2VAudioEncoder.__init__ takes no arguments (wav2vec2-large, 24 x 1024, fixed), so the tiny "
            "audio encoder is a subclass with a 24 x 32 wav2vec2, registered under model_name "
            "'wans2v_audio_encoder' (--full-audio-encoder: the real size)"
        )
        return path
    audio = WanS2VAudioEncoder()
    prefix = "wav2vec2.encoder.pos_conv_embed.conv."
    rename = {
        f"{prefix}parametrizations.weight.original0": f"{prefix}weight_g",
        f"{prefix}parametrizations.weight.original1": f"{prefix}weight_v",
    }
    path = save_module(audio, folder / "wav2vec2.safetensors", strip="model.", rename=rename)
    name = known(path)
    finding(
        f"wav2vec2-large audio encoder at full size ({millions(audio):.0f} M params, "
        f"{time.perf_counter() - t0:.1f} s): "
        + (f"recognised by its shipped hash as {name!r}" if name else "NOT recognised by its shipped hash")
    )
    if not name:
        register(
            path,
            "wans2v_audio_encoder",
            "diffsynth.models.wav2vec.WanS2VAudioEncoder",
            conv="diffsynth.utils.state_dict_converters.wans2v_audio_encoder.WanS2VAudioEncoderStateDictConverter",
        )
    TINY_DIT["audio_dim"] = 1024
    return path


def build_components(folder: Path, full_audio: bool, full_vae: bool) -> dict[str, Path]:
    """Save every S2V component with random weights; register those DiffSynth cannot recognise."""
    import torch
    from diffsynth.models.wan_video_dit_s2v import WanS2VModel
    from diffsynth.models.wan_video_text_encoder import WanTextEncoder

    torch.manual_seed(0)
    paths = {"tokenizer": folder / "tokenizer", "processor": folder / "wav2vec2-processor"}
    tiny_tokenizer(paths["tokenizer"])
    tiny_audio_processor(paths["processor"])
    paths["vae"] = build_vae(folder, full_vae)
    paths["audio"] = build_audio(folder, full_audio)
    text = WanTextEncoder(**TINY_T5)
    paths["text"] = save_module(text, folder / "umt5-tiny.safetensors")
    dit = WanS2VModel(**TINY_DIT)
    paths["dit"] = save_module(dit, folder / "s2v-dit-tiny.safetensors")
    for key, label in (("text", "umT5 text encoder"), ("dit", "S2V DiT")):
        if known(paths[key]) is None:
            model_name = "wan_video_text_encoder" if key == "text" else "wan_video_dit"
            cls_path = (
                "diffsynth.models.wan_video_text_encoder.WanTextEncoder"
                if key == "text"
                else "diffsynth.models.wan_video_dit_s2v.WanS2VModel"
            )
            digest = register(paths[key], model_name, cls_path, extra=TINY_T5 if key == "text" else TINY_DIT)
            finding(
                f"tiny {label}: its key/shape hash {digest} is in no shipped MODEL_CONFIGS entry, so "
                "ModelPool.auto_load_model would raise 'Cannot detect the model type'; registered an entry "
                f"(model_name {model_name!r}, the tiny constructor arguments) by appending to "
                "diffsynth.configs.MODEL_CONFIGS"
            )
    return paths


def load_pipeline(wan_video: Any, paths: dict[str, Path]) -> Any:
    """Load through DiffSynth's own loader, local paths only."""
    import torch

    config = wan_video.ModelConfig
    t0 = time.perf_counter()
    pipe = wan_video.WanVideoPipeline.from_pretrained(
        torch_dtype=torch.float32,
        device="cpu",
        model_configs=[config(path=str(paths[k])) for k in ("dit", "text", "vae", "audio")],
        tokenizer_config=config(path=str(paths["tokenizer"])),
        audio_processor_config=config(path=str(paths["processor"])),
    )
    missing = [
        n
        for n in ("dit", "text_encoder", "vae", "audio_encoder", "audio_processor")
        if getattr(pipe, n) is None
    ]
    finding(
        "WanVideoPipeline.from_pretrained(ModelConfig(path=...) x4, tokenizer and Wav2Vec2Processor "
        f"folders) loaded in {time.perf_counter() - t0:.1f} s with no network; "
        f"components missing: {missing or 'none'}; "
        f"dit is {type(pipe.dit).__name__}"
    )
    return pipe


def run_s2v(pipe: Any, frames: int, size: int, steps: int) -> None:
    """One speech-to-video call: a face picture and a 1 s tone in, frames out."""
    import numpy as np
    from PIL import Image

    yy, xx = np.mgrid[0:size, 0:size]
    face = np.stack([xx * 255 // size, yy * 255 // size, np.full_like(xx, 128)], axis=-1).astype(np.uint8)
    audio = (0.3 * np.sin(2 * np.pi * 220 * np.arange(16000) / 16000)).astype(np.float32)
    t0, cpu0 = time.perf_counter(), time.process_time()
    video = pipe(
        prompt="a woman talks to the camera smiling",
        negative_prompt="blurry low quality",
        input_image=Image.fromarray(face),
        input_audio=audio,
        audio_sample_rate=16000,
        num_frames=frames,
        height=size,
        width=size,
        num_inference_steps=steps,
        cfg_scale=4.5,
        seed=0,
        tiled=False,
    )
    shapes = {f"{im.size[0]}x{im.size[1]}" for im in video}
    spread = float(np.stack([np.asarray(im, dtype=np.float32) for im in video]).std())
    if len(video) != frames or shapes != {f"{size}x{size}"} or spread == 0.0:
        raise AssertionError(f"unexpected output: {len(video)} frames, sizes {shapes}, pixel std {spread}")
    finding(
        f"pipe(prompt, input_image, input_audio 1 s @16 kHz, num_frames={frames}, {size}x{size}, "
        f"{steps} steps) ran end to end on the CPU in {time.perf_counter() - t0:.1f} s "
        f"({time.process_time() - cpu0:.1f} s of CPU time): "
        f"{len(video)} frames of {', '.join(sorted(shapes))} (pixel std {spread:.1f})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--full-audio-encoder", action="store_true", help="real wav2vec2-large size (~1.3 GB)"
    )
    parser.add_argument("--full-vae", action="store_true", help="the Wan2.1 VAE at its real size (127 M)")
    parser.add_argument("--frames", type=int, default=5)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the components here instead of a temp folder")
    args = parser.parse_args()
    try:
        wan_video = import_diffsynth()
    except Exception:
        finding("diffsynth does not import:\n" + traceback.format_exc())
        return 1
    with tempfile.TemporaryDirectory(prefix="s2v-probe-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            paths = build_components(folder, args.full_audio_encoder, args.full_vae)
            pipe = load_pipeline(wan_video, paths)
            run_s2v(pipe, args.frames, args.size, args.steps)
        except Exception:
            finding("failed:\n" + traceback.format_exc())
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
