"""Keep at most ``max_fps`` frames a second of a decoded stream, chosen by timestamp.

A video's cost to an engine should follow the frames the engine needs, not the frames the file has: a
16×16 clip at 10,000 fps used to run motion analysis on every one of its 40,000 frames (216 s, 819 MB),
while the analysis only ever needed a few dozen a second. Sampling by timestamp (not by index) also holds
for variable frame rates. A stream at or below ``max_fps`` keeps every frame, so normal clips are
processed exactly as before.
"""

from __future__ import annotations


class FrameSampler:
    """``keep(t)`` for each frame time in order; True for the frames to process."""

    def __init__(self, max_fps: float) -> None:
        self.step = 1.0 / max_fps
        self.next_t = float("-inf")

    def keep(self, t: float) -> bool:
        # A kept frame pushes the next one at least 3/4 of a step later: a stream at exactly max_fps
        # (jittery timestamps included) keeps every frame, a faster one about max_fps of them.
        if t + 1e-9 < self.next_t:
            return False
        self.next_t = max(self.next_t + self.step, t + 0.75 * self.step)
        return True
