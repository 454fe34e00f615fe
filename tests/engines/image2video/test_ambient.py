"""Falling particles: covered pixels move toward the particle colour, the rest of the frame is untouched."""

from __future__ import annotations

import numpy as np

from kinema.engines.image2video.ambient import ParticleCanvas, Particles, draw_particles


def particles(kind: str, n: int, h: int, w: int) -> Particles:
    rng = np.random.default_rng(0)
    size = rng.uniform(2.0, 3.0, n) if kind == "snow" else rng.uniform(10, 20, n)
    return Particles(
        kind,  # type: ignore[arg-type]
        rng.uniform(0, w, n),
        rng.uniform(0, h, n),
        size,
        np.full(n, 50.0),
        rng.uniform(0, 6, n),
        opacity=0.8,
    )


def test_snow_brightens_only_where_it_falls() -> None:
    frame = np.full((120, 200, 3), 60, np.uint8)
    canvas = ParticleCanvas(120, 200)
    snow = particles("snow", 30, 120, 200)
    draw_particles(frame, snow, 0.5, 1.0, canvas)
    changed = np.any(frame != 60, axis=2)
    assert 0.01 < changed.mean() < 0.2  # small flakes, not a veil
    assert frame[changed].min() >= 60 and frame.max() > 180  # brighter, close to white at flake centres
    again = np.full((120, 200, 3), 60, np.uint8)
    draw_particles(again, snow, 0.5, 1.0, canvas)  # the reused buffers carry nothing over
    assert (again == frame).all()


def test_rain_darkens_a_bright_sky_and_fade_zero_draws_nothing() -> None:
    sky = np.full((120, 200, 3), 250, np.uint8)
    canvas = ParticleCanvas(120, 200)
    rain = particles("rain", 20, 120, 200)
    draw_particles(sky, rain, 0.3, 1.0, canvas)
    assert sky.min() < 240  # streaks show against a sky brighter than their colour
    untouched = np.full((120, 200, 3), 250, np.uint8)
    draw_particles(untouched, rain, 0.3, 0.0, canvas)
    assert (untouched == 250).all()
