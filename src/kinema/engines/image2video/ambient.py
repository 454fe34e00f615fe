"""Ambient motions a viewer expects from a still: sway, ripple, drifting clouds, snow, rain, flicker, breath.

Every displacement motion is written as a sum of *separable* terms ``field(x, y) * coef(t)``: a travelling
wave ``sin(w t + phase(x, y)) - sin(phase)`` expands into two fixed fields with scalar coefficients. So the
fields are computed once, and a frame costs one ``scaleAdd`` per term before the single remap. Every
coefficient is zero at ``t = 0``, so frame 0 is the photo itself. Regions (foliage, water, sky, light
sources) come from colour and texture cues at low resolution.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np

from kinema.engines.image2video.depth import sharpness

Target = Literal["plate", "person"]


@dataclass
class FieldTerm:
    """A backward-map offset ``coef(t_seconds) * (fx, fy)`` applied to one layer."""

    fx: np.ndarray
    fy: np.ndarray
    coef: Callable[[float], float]
    target: Target
    name: str


@dataclass
class Particles:
    """Falling snow or rain drawn per frame (a few hundred anti-aliased primitives)."""

    kind: Literal["snow", "rain"]
    x0: np.ndarray
    y0: np.ndarray
    size: np.ndarray
    speed: np.ndarray
    phase: np.ndarray
    opacity: float


@dataclass
class AmbientPlan:
    terms: list[FieldTerm] = field(default_factory=list)
    gain_map: np.ndarray | None = None
    gain_coef: Callable[[float], float] | None = None
    gain_roi: tuple[int, int, int, int] | None = None
    particles: list[Particles] = field(default_factory=list)
    active: dict[str, float] = field(default_factory=dict)
    sky_alpha: np.ndarray | None = None
    """Soft sky matte when clouds drift: the sky is a separate layer that slides *behind* the rest."""
    sky_speed: float = 0.0
    """Sky drift in pixels per second (positive = to the right)."""


def _up(small: np.ndarray, w: int, h: int) -> np.ndarray:
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def regions(rgb: np.ndarray) -> dict[str, np.ndarray]:
    """Low-resolution soft masks of foliage, water and light sources (float32 in [0, 1])."""
    h, w = rgb.shape[:2]
    s = 256 / max(h, w)
    small = cv2.resize(rgb, (max(8, round(w * s)), max(8, round(h * s))), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV_FULL).astype(np.float32)
    hue = hsv[..., 0] * 360.0 / 256.0
    sat, val = hsv[..., 1] / 255.0, hsv[..., 2] / 255.0
    tex = sharpness(small)
    sh = small.shape[0]
    rows = np.linspace(0.0, 1.0, sh, dtype=np.float32)[:, None]
    foliage = ((hue > 55) & (hue < 170) & (sat > 0.18) & (val > 0.12)).astype(np.float32) * (tex > 0.25)
    lower = np.clip((rows - 0.45) / 0.15, 0.0, 1.0)
    bluish = ((hue > 170) & (hue < 260) & (sat > 0.12)) | ((sat < 0.15) & (val > 0.45))
    water = bluish.astype(np.float32) * lower
    warm = ((hue < 60) | (hue > 330)) & (sat > 0.35) & (val > 0.7)
    light = warm | (val > 0.96)
    out = {
        "foliage": cv2.GaussianBlur(foliage.astype(np.float32), (0, 0), 2.0),
        "water": cv2.GaussianBlur(water.astype(np.float32), (0, 0), 2.0),
        "light": cv2.GaussianBlur(light.astype(np.float32), (0, 0), 2.5),
    }
    return {k: np.clip(_up(v, w, h), 0.0, 1.0) for k, v in out.items()}


def _wave_terms(
    weight_x: np.ndarray,
    weight_y: np.ndarray,
    phase: np.ndarray,
    omega: float,
    target: Target,
    name: str,
) -> list[FieldTerm]:
    """``w * (sin(omega t + phase) - sin(phase))`` as two separable terms."""
    c, s = np.cos(phase).astype(np.float32), np.sin(phase).astype(np.float32)
    return [
        FieldTerm(weight_x * c, weight_y * c, lambda t: math.sin(omega * t), target, name),
        FieldTerm(weight_x * s, weight_y * s, lambda t: math.cos(omega * t) - 1.0, target, name),
    ]


def plan_ambient(  # noqa: C901, PLR0915 -- one branch per ambient effect; to split per effect (review §4.5)
    rgb: np.ndarray,
    wanted: dict[str, float],
    sky: np.ndarray,
    person: np.ndarray | None,
    duration_s: float,
    seed: int,
    faces: tuple[tuple[float, float, float, float], ...] = (),
) -> AmbientPlan:
    """Build the fields, gain map and particles for the requested ambient motions (name -> strength)."""
    h, w = rgb.shape[:2]
    diag = math.hypot(w, h)
    plan = AmbientPlan()
    if not wanted:
        return plan
    rng = np.random.default_rng(seed + 17)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    reg = regions(rgb)
    not_person = 1.0 - person if person is not None else 1.0

    if "sway" in wanted:
        k = wanted["sway"]
        fol = reg["foliage"] * not_person
        if float(fol.mean()) > 0.01:
            amp = 0.0035 * diag * k
            phase = 2 * math.pi * (xx / (0.33 * w) + yy / (0.5 * h))
            plan.terms += _wave_terms(amp * fol, 0.3 * amp * fol, phase, 2 * math.pi * 0.35, "plate", "sway")
            plan.active["sway"] = k
        if person is not None:
            ys = np.where(person.max(axis=1) > 0.5)[0]
            if len(ys):
                top, bottom = float(ys[0]), float(ys[-1])
                # hair: strongest at the top of the head, fading to nothing by the middle of the face, and
                # never on the face itself (a waving face reads as a glitch, not as wind)
                low = max((f[1] + f[3]) / 2 for f in faces) if faces else top + 0.25 * (bottom - top)
                band = np.clip((low - yy) / max(low - top, 1.0), 0.0, 1.0)
                face_mask: np.ndarray = np.zeros((h, w), np.float32)
                for x0, y0, x1, y1 in faces:
                    centre = (round((x0 + x1) / 2), round((y0 + y1) / 2))
                    axes = (round(0.55 * (x1 - x0)), round(0.65 * (y1 - y0)))
                    cv2.ellipse(face_mask, centre, axes, 0, 0, 360, 1.0, -1)
                face_mask = cv2.GaussianBlur(face_mask, (0, 0), 0.01 * diag + 1)
                band = band * (1.0 - face_mask) * np.clip(cv2.dilate(person, np.ones((15, 15))) * 1.5, 0, 1)
                amp = 0.004 * diag * k
                phase = 2 * math.pi * (xx / (0.5 * w))
                plan.terms += _wave_terms(
                    amp * band, 0.2 * amp * band, phase, 2 * math.pi * 0.4, "person", "hair"
                )
                plan.active["sway"] = k

    if "ripple" in wanted:
        k = wanted["ripple"]
        wat = reg["water"] * not_person
        if float(wat.mean()) > 0.01:
            amp = 0.0016 * diag * k
            lam = 0.035 * h
            phase = 2 * math.pi * (yy / lam + xx / (0.4 * w))
            plan.terms += _wave_terms(
                0.4 * amp * wat, amp * wat, phase, -2 * math.pi * 0.7, "plate", "ripple"
            )
            plan.active["ripple"] = k

    if "clouds" in wanted and float(sky.mean()) > 0.02:
        k = wanted["clouds"]
        # A drift field that fades at the skyline would smear the skyline; instead the whole sky layer
        # translates rigidly behind a static foreground matte (see render.py).
        plan.sky_alpha = sky.astype(np.float32)
        plan.sky_speed = 0.007 * w * k
        plan.active["clouds"] = k

    if "breathing" in wanted and person is not None:
        k = wanted["breathing"]
        ys = np.where(person.max(axis=1) > 0.5)[0]
        if len(ys) > 4:
            top, bottom = float(ys[0]), float(ys[-1])
            amp = 0.006 * (bottom - top) * k
            # chest and shoulders rise; the head rides along rigidly instead of stretching
            ramp = np.clip((bottom - yy) / max(0.6 * (bottom - top), 1.0), 0.0, 1.0)
            period = 3.6
            plan.terms.append(
                FieldTerm(
                    np.zeros_like(ramp),
                    amp * ramp,
                    lambda t: 0.5 - 0.5 * math.cos(2 * math.pi * t / period),
                    "person",
                    "breathing",
                )
            )
            plan.active["breathing"] = k

    if "flicker" in wanted:
        k = wanted["flicker"]
        light = cv2.GaussianBlur(reg["light"], (0, 0), 0.01 * diag)
        light = np.clip(light * 1.5, 0.0, 1.0)
        if float(light.mean()) > 0.002:
            omegas = 2 * math.pi * np.array([1.3, 2.3, 3.7, 4.6])
            phases = rng.uniform(0, 2 * math.pi, len(omegas))
            depth = 0.16 * k

            def flicker(t: float) -> float:
                return float(depth * np.mean(np.sin(omegas * t + phases) - np.sin(phases)))

            ys, xs = np.where(light > 0.02)
            plan.gain_map = light.astype(np.float32)
            plan.gain_coef = flicker
            plan.gain_roi = (int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1)
            plan.active["flicker"] = k

    for kind in ("snow", "rain"):
        if kind in wanted:
            k = wanted[kind]
            n = int((0.0007 if kind == "snow" else 0.0004) * w * h * min(k, 2.0)) + 8
            scale = h / 720.0
            size = rng.uniform(1.0, 3.2, n) * scale if kind == "snow" else rng.uniform(0.015, 0.04, n) * h
            speed = (
                (rng.uniform(0.06, 0.16, n) * h * (size / max(scale, 1e-6)) / 2.0)
                if kind == "snow"
                else (rng.uniform(0.9, 1.4, n) * h)
            )
            plan.particles.append(
                Particles(
                    kind,
                    rng.uniform(0, w, n),
                    rng.uniform(0, h, n),
                    size,
                    speed,
                    rng.uniform(0, 2 * math.pi, n),
                    opacity=min(0.9, 0.6 + 0.2 * k) if kind == "snow" else min(0.5, 0.3 + 0.1 * k),
                )
            )
            plan.active[kind] = k
    return plan


SNOW_RGB = (242, 242, 248)
RAIN_RGB = (205, 210, 222)


class ParticleCanvas:
    """Reusable full-frame buffers for :func:`draw_particles` (one per renderer: frames render in order)."""

    def __init__(self, h: int, w: int) -> None:
        self.coverage = np.zeros((h, w), np.uint8)
        self.coverage3 = np.empty((h, w, 3), np.uint8)
        # preallocated: fresh 2.7 MB results per call cost more in page faults than the arithmetic
        self.diff = np.empty_like(self.coverage3)
        self.up = np.empty_like(self.coverage3)
        self.down = np.empty_like(self.coverage3)
        self.colours: dict[tuple[int, int, int], np.ndarray] = {}

    def colour(self, rgb: tuple[int, int, int]) -> np.ndarray:
        if rgb not in self.colours:
            self.colours[rgb] = np.empty_like(self.coverage3)
            self.colours[rgb][:] = rgb
        return self.colours[rgb]


def draw_particles(
    frame: np.ndarray, parts: Particles, t: float, fade: float, canvas: ParticleCanvas
) -> None:
    """Draw one particle system in place at time ``t`` (seconds) with overall opacity ``fade``.

    The anti-aliased shapes are drawn as coverage into a one-channel buffer, then the frame moves toward the
    particle colour by ``opacity * coverage`` with saturating uint8 operations (brighter and darker pixels
    separately, so rain still darkens a bright sky). Drawing into a copy of the whole frame and blending all
    of it in float cost ~4 ms a frame at 720p, more than the rest of the ambient work together.
    """
    if fade <= 0.0:
        return
    h, w = frame.shape[:2]
    cov = canvas.coverage
    cov[:] = 0
    y = np.mod(parts.y0 + parts.speed * t, h + 40) - 20
    circle, line, aa = cv2.circle, cv2.line, cv2.LINE_AA  # the loops below run ~500 times a frame
    if parts.kind == "snow":
        x = np.mod(parts.x0 + 0.02 * w * np.sin(0.9 * t + parts.phase), w)
        radii = np.maximum(1, (parts.size * 16).astype(int)).tolist()
        for xi, yi, r in zip(
            (x * 16).astype(int).tolist(), (y * 16).astype(int).tolist(), radii, strict=True
        ):
            circle(cov, (xi, yi), r, 255, -1, aa, 4)
        colour = canvas.colour(SNOW_RGB)
    else:
        x = np.mod(parts.x0 + 0.15 * parts.speed * t, w)
        ends = np.stack([x, y, x - 0.15 * parts.size, y - parts.size], axis=1)
        for a, b, c, d in (ends * 16).astype(int).tolist():
            line(cov, (a, b), (c, d), 255, 1, aa, 4)
        colour = canvas.colour(RAIN_RGB)
    cov3 = cv2.cvtColor(cov, cv2.COLOR_GRAY2RGB, dst=canvas.coverage3)
    scale = parts.opacity * fade / 255.0
    up = cv2.multiply(cv2.subtract(colour, frame, dst=canvas.diff), cov3, dst=canvas.up, scale=scale)
    down = cv2.multiply(cv2.subtract(frame, colour, dst=canvas.diff), cov3, dst=canvas.down, scale=scale)
    cv2.subtract(cv2.add(frame, up, dst=frame), down, dst=frame)
