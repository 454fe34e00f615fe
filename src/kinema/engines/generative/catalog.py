"""``KINEMA_MODELS``: which local Diffusers folder serves which Kling ``model_name``, checked without torch.

The setting maps a Kling model name to a folder path, an object ``{path, device, dtype, offload, vae_tiling,
steps, width, height, num_frames, fps}`` or a list of these (one per task kind, e.g. an image-to-video and a
text-to-video folder under the same name). The pipeline class written in each folder's ``model_index.json``
decides which task kinds the folder serves (:data:`PIPELINE_KINDS`), so a folder cannot be configured for a
kind its pipeline cannot run.

Weights are only ever read from these folders. Every problem a folder can have that would otherwise surface
as a download attempt or a crash in the middle of a task (missing folder, unreadable ``model_index.json``, a
pipeline class kinema cannot drive, a component folder without weights) is found here, at start-up, and
reported as one :class:`ModelConfigError` naming the model, the folder and what is wrong.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kinema.contract.model_names import MODELS_BY_ENDPOINT

#: Pipeline class (``model_index.json`` ``_class_name``) → the task kinds kinema runs with it.
PIPELINE_KINDS: dict[str, tuple[str, ...]] = {
    "WanImageToVideoPipeline": ("image2video",),
    "WanPipeline": ("text2video",),
}
#: ``dtype`` values (torch dtype names); ``auto`` = bfloat16 on a GPU, float32 on the CPU.
DTYPES: tuple[str, ...] = ("auto", "bfloat16", "float16", "float32")
#: Files that hold weights inside a component folder.
WEIGHT_SUFFIXES: tuple[str, ...] = (".safetensors", ".bin")


class ModelConfigError(ValueError):
    """``KINEMA_MODELS`` names something that cannot serve; the message says which model, folder and why."""


@dataclass(frozen=True)
class ModelEntry:
    """One configured folder. Sizes, steps and fps describe the model's native clip (Wan2.x defaults:
    832x480, 81 frames at 16 fps, 40 steps); ``mode`` and ``duration`` are mapped from them (mapping.py)."""

    model_name: str
    path: Path
    pipeline: str = ""
    kinds: tuple[str, ...] = ()
    device: str = "auto"
    dtype: str = "auto"
    offload: bool = False
    vae_tiling: bool = False
    steps: int = 40
    width: int = 832
    height: int = 480
    num_frames: int = 81
    fps: int = 16
    last_image: bool = True
    """The pipeline uses ``last_image`` (``image_tail``): false for expand-timestep models (Wan2.2-TI2V-5B),
    whose diffusers pipeline ignores it."""

    @property
    def key(self) -> tuple[str, str, str, bool, bool]:
        """What makes two entries the same loaded pipeline (the loader's cache key)."""
        return (str(self.path), self.device, self.dtype, self.offload, self.vae_tiling)


_OPTION_TYPES: dict[str, type] = {"device": str, "dtype": str, "offload": bool, "vae_tiling": bool}
_POSITIVE_INTS = ("steps", "width", "height", "num_frames", "fps")


@dataclass(frozen=True)
class Catalog:
    """Every configured folder, by model name and kind."""

    entries: tuple[ModelEntry, ...] = ()

    def find(self, model_name: str, kind: str) -> ModelEntry | None:
        """The folder serving ``model_name`` for ``kind``, or ``None`` (the CPU engine's business)."""
        for entry in self.entries:
            if entry.model_name == model_name and kind in entry.kinds:
                return entry
        return None

    def names_for(self, kind: str) -> list[str]:
        """The model names that have a folder for ``kind``."""
        return sorted({e.model_name for e in self.entries if kind in e.kinds})


def parse_models(raw: Mapping[str, Any]) -> Catalog:
    """Read and check the whole setting; raises :class:`ModelConfigError` at the first problem."""
    if raw:
        check_installed()
    entries: list[ModelEntry] = []
    for name, value in raw.items():
        items = value if isinstance(value, list) else [value]
        if not items:
            raise ModelConfigError(f"KINEMA_MODELS[{name!r}]: an empty list names no folder")
        for item in items:
            entry = check_folder(_entry(name, item))
            for kind in entry.kinds:
                if name not in MODELS_BY_ENDPOINT.get(kind, ()):
                    known = ", ".join(MODELS_BY_ENDPOINT.get(kind, ()))
                    raise ModelConfigError(
                        f"KINEMA_MODELS[{name!r}]: not a model name of {kind} ({known}); "
                        "requests could never select it"
                    )
                if any(e.model_name == name and kind in e.kinds for e in entries):
                    raise ModelConfigError(f"KINEMA_MODELS[{name!r}]: two folders serve {kind}")
            entries.append(entry)
    return Catalog(tuple(entries))


#: What the generative engines import when a task runs (the ``kinema[gpu]`` extra).
RUNTIME_PACKAGES: tuple[str, ...] = ("torch", "diffusers", "transformers", "ftfy")


def check_installed() -> None:
    """Models are configured: the extra must be installed, or every task would crash at its first import.
    Looks the packages up without importing them (start-up stays fast)."""
    missing = [name for name in RUNTIME_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise ModelConfigError(
            f"KINEMA_MODELS is set but {', '.join(missing)} is not installed: pip install 'kinema[gpu]'"
        )


def _entry(name: str, item: Any) -> ModelEntry:
    """One list item (a path or an object) → an unchecked entry."""
    where = f"KINEMA_MODELS[{name!r}]"
    if isinstance(item, str):
        return ModelEntry(model_name=name, path=Path(item).expanduser())
    if not isinstance(item, dict):
        raise ModelConfigError(f"{where}: expected a folder path or an object, got {type(item).__name__}")
    allowed = {f.name for f in fields(ModelEntry)} - {"model_name", "pipeline", "kinds", "last_image"}
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ModelConfigError(f"{where}: unknown keys {unknown}; allowed: {sorted(allowed)}")
    if not isinstance(item.get("path"), str) or not item["path"]:
        raise ModelConfigError(f"{where}: 'path' (the Diffusers folder) is required")
    options = _options(where, item)
    return ModelEntry(model_name=name, path=Path(item["path"]).expanduser(), **options)


def _options(where: str, item: dict[str, Any]) -> dict[str, Any]:
    """The typed options of one object entry."""
    options: dict[str, Any] = {}
    for key, kind in _OPTION_TYPES.items():
        if key in item:
            if not isinstance(item[key], kind):
                raise ModelConfigError(f"{where}.{key}: expected {kind.__name__}, got {item[key]!r}")
            options[key] = item[key]
    for key in _POSITIVE_INTS:
        if key in item:
            if isinstance(item[key], bool) or not isinstance(item[key], int) or item[key] < 1:
                raise ModelConfigError(f"{where}.{key}: expected a positive whole number, got {item[key]!r}")
            options[key] = item[key]
    if options.get("dtype", "auto") not in DTYPES:
        raise ModelConfigError(f"{where}.dtype: one of {', '.join(DTYPES)}, got {options['dtype']!r}")
    return options


def read_index(path: Path) -> dict[str, Any]:
    """The folder's ``model_index.json`` (raises :class:`ModelConfigError` when missing or unreadable)."""
    index = path / "model_index.json"
    if not path.is_dir():
        raise ModelConfigError(f"folder {path} does not exist (weights are never downloaded)")
    try:
        data = json.loads(index.read_text())
    except FileNotFoundError:
        raise ModelConfigError(f"{path} is not a Diffusers folder: no model_index.json") from None
    except (OSError, ValueError) as exc:
        raise ModelConfigError(f"{index} cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise ModelConfigError(f"{index} is not a JSON object")
    return data


def components(index: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Component name → (library, class) for every component the pipeline loads (``null`` ones skipped)."""
    out: dict[str, tuple[str, str]] = {}
    for key, value in index.items():
        if key.startswith("_") or not isinstance(value, list) or len(value) != 2 or None in value:
            continue
        out[key] = (str(value[0]), str(value[1]))
    return out


def missing_files(path: Path, index: Mapping[str, Any]) -> list[str]:
    """What a load would miss: component folders, their config, and weights of model components."""
    problems = []
    for name, (library, _cls) in components(index).items():
        folder = path / name
        if not folder.is_dir():
            problems.append(f"{name}/ is missing")
            continue
        files = [f for f in folder.iterdir() if f.is_file()]
        if not files:
            problems.append(f"{name}/ is empty")
        elif (
            (folder / "config.json").exists()
            and library in ("diffusers", "transformers")
            and not any(f.name.endswith(WEIGHT_SUFFIXES) for f in files)
        ):
            problems.append(f"{name}/ has no weights (*.safetensors)")
    return problems


def check_folder(entry: ModelEntry) -> ModelEntry:
    """Open the folder's index, find the kinds its pipeline serves, and check every component is there."""
    where = f"KINEMA_MODELS[{entry.model_name!r}]"
    try:
        index = read_index(entry.path)
    except ModelConfigError as exc:
        raise ModelConfigError(f"{where}: {exc}") from None
    pipeline = str(index.get("_class_name", ""))
    if pipeline not in PIPELINE_KINDS:
        supported = ", ".join(PIPELINE_KINDS)
        raise ModelConfigError(
            f"{where}: pipeline {pipeline!r} in {entry.path} is not supported ({supported})"
        )
    problems = missing_files(entry.path, index)
    if problems:
        raise ModelConfigError(f"{where}: {entry.path} is incomplete: {'; '.join(problems)}")
    return replace(
        entry,
        pipeline=pipeline,
        kinds=PIPELINE_KINDS[pipeline],
        last_image=not bool(index.get("expand_timesteps", False)),
    )


def served_kinds(entries: Iterable[ModelEntry]) -> set[str]:
    """The task kinds at least one entry serves."""
    return {kind for e in entries for kind in e.kinds}
