"""What a configured folder holds, read without torch: files, weight dtypes, parameter counts, memory.

A ``.safetensors`` file starts with an 8-byte little-endian length and a JSON header giving every tensor's
dtype and shape, so counting parameters needs no framework and reads a few kilobytes per file. The estimate
is the weights alone at the dtype the model will run in; activations and the VAE decode come on top.
"""

from __future__ import annotations

import json
import math
import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kinema.engines.generative.catalog import ModelEntry, components

#: Bytes per element of the safetensors dtypes a diffusion model ships in.
DTYPE_BYTES: dict[str, int] = {
    "F64": 8,
    "F32": 4,
    "F16": 2,
    "BF16": 2,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "I64": 8,
    "I32": 4,
    "I16": 2,
    "I8": 1,
    "U8": 1,
    "BOOL": 1,
}
#: The run dtype of a setting (``auto``: bf16, as on a GPU).
RUN_BYTES: dict[str, int] = {"auto": 2, "bfloat16": 2, "float16": 2, "float32": 4}


@dataclass
class ComponentReport:
    name: str
    library: str
    cls: str
    files: int = 0
    bytes_on_disk: int = 0
    parameters: int = 0
    dtypes: Counter[str] = field(default_factory=Counter)


@dataclass
class FolderReport:
    entry: ModelEntry
    components: list[ComponentReport]

    @property
    def parameters(self) -> int:
        return sum(c.parameters for c in self.components)

    @property
    def estimated_bytes(self) -> int:
        """Weights resident at the run dtype."""
        return self.parameters * RUN_BYTES.get(self.entry.dtype, 2)


def safetensors_header(path: Path) -> dict[str, dict[str, object]]:
    """The tensor table of one ``.safetensors`` file (``__metadata__`` left out)."""
    with path.open("rb") as fh:
        (length,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(length))
    return {k: v for k, v in header.items() if k != "__metadata__"}


def inspect(entry: ModelEntry) -> FolderReport:
    """Read every component folder of a checked entry."""
    index = json.loads((entry.path / "model_index.json").read_text())
    out = []
    for name, (library, cls) in components(index).items():
        comp = ComponentReport(name=name, library=library, cls=cls)
        for f in sorted((entry.path / name).iterdir()):
            if not f.is_file():
                continue
            comp.files += 1
            comp.bytes_on_disk += f.stat().st_size
            if f.suffix == ".safetensors":
                for tensor in safetensors_header(f).values():
                    shape = tensor.get("shape", [])
                    count = math.prod(int(d) for d in shape) if isinstance(shape, list) else 0
                    comp.parameters += count
                    comp.dtypes[str(tensor.get("dtype"))] += count
        out.append(comp)
    return FolderReport(entry=entry, components=out)


def human(n: float, unit: str = "B") -> str:
    """1536 → '1.5 KB'; parameters use unit ''."""
    for prefix in ("", "K", "M", "G", "T"):
        if abs(n) < 1000 or prefix == "T":
            return f"{n:.1f} {prefix}{unit}".replace(".0 ", " ")
        n /= 1000
    return str(n)
