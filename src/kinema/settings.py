"""All configuration in one object, read from ``KINEMA_*`` environment variables (and ``.env``).

Embedded defaults need no service: SQLite and a Huey SQLite queue in a local data folder, results on local
disk. Set ``KINEMA_DATABASE_URL`` (PostgreSQL), ``KINEMA_QUEUE_URL`` (Redis) and ``KINEMA_STORAGE=s3`` to
scale out; the same task code runs in both modes.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of kinema. Field docs are shown by ``kinema config``."""

    model_config = SettingsConfigDict(env_prefix="KINEMA_", env_file=".env", extra="ignore")

    # --- where things live
    data_dir: Path = Field(
        Path("kinema-data"), description="Local folder for the database, queue and results."
    )
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in data_dir.")
    queue_url: str | None = Field(
        None, description="redis://… for RedisHuey; default SqliteHuey in data_dir."
    )
    storage: Literal["local", "s3"] = "local"
    s3_bucket: str = "kinema"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_prefix: str = ""

    # --- HTTP
    host: str = "127.0.0.1"
    port: int = 8000
    api_workers: int = Field(1, description="API processes (uvicorn workers): >1 uses more cores.")
    public_base_url: str | None = Field(None, description="Base of result URLs; default: the request's base.")
    url_signing_secret: str | None = Field(
        None, description="HMAC key of result URLs; default: kept in data_dir."
    )
    result_url_ttl_s: int = Field(7 * 24 * 3600, description="How long a signed result URL stays valid.")
    retention_days: float = Field(30.0, description="Results and reusable ids expire after this many days.")
    sweep_interval_s: float = 3600.0

    # --- operations (docs/deployment.md)
    metrics_dir: Path | None = Field(
        None,
        description="Folder where every process of this deployment on this host writes its metric values "
        "(Prometheus multiprocess mode); default /dev/shm/kinema-metrics-<hash of data_dir> (RAM: a full "
        "data disk must not reach the memory-mapped value files), else data_dir/metrics. One per deployment.",
    )
    worker_metrics_port: int = Field(
        0, description="A worker serves /metrics of this host's folder on this port (0 = off; the API's "
        "/metrics already shows workers that share its host and folder)."
    )
    ready_max_queue_depth: int = Field(
        1000, ge=0, description="/readyz answers 503 (overloaded) when more CPU-lane tasks than this wait "
        "(0 = never overloaded)."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="text: human-readable lines; json: one JSON object per line with request_id "
        "and task_id."
    )
    log_level: str = Field("INFO", description="Level of kinema's log lines (DEBUG, INFO, WARNING…).")

    # --- the contract
    limits_profile: Literal["kling", "cometapi"] = Field(
        "kling", description="kling = official limits; cometapi = the gateway's narrower ones."
    )
    strict: bool = Field(False, description="Reject exactly what upstream rejects (e.g. data: URI prefixes).")
    limit_overrides: dict[str, float] = Field(
        default_factory=dict,
        description='JSON object overriding single limits, e.g. {"avatar_audio_max_s": 60}.',
    )

    # --- input fetching (server-side request forgery guard)
    allow_private_urls: bool = Field(
        False, description="Allow media and callback URLs on private addresses (trusted networks only)."
    )
    fetch_timeout_s: float = 30.0
    fetch_max_redirects: int = 3

    # --- accounts
    max_running_tasks: int = Field(20, description="Per-account tasks not yet terminal (code 1303 beyond).")
    rate_limit_per_minute: int = Field(
        6000, description="Per-account requests per minute (code 1302 beyond)."
    )
    jwt_max_lifetime_s: float = Field(
        24 * 3600,
        gt=0,
        description="Longest accepted AK/SK JWT: exp at most this many seconds ahead (1004 beyond); "
        "the official clients sign 1800 s tokens.",
    )

    # --- jobs
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, description="Worker processes.")
    warm_kinds: list[str] = Field(
        default_factory=lambda: ["avatar"],
        description="Task kinds whose models each worker process loads when it starts (in the background), "
        "so even its first task of that kind runs warm; [] loads them on first use instead.",
    )
    job_max_attempts: int = 3
    job_timeout_s: float = Field(
        3600.0, description="An attempt running longer fails with a message (0 = no limit); never a hang."
    )
    lease_s: float = 30.0
    heartbeat_s: float = 5.0
    reaper_interval_s: float = 5.0
    executors: dict[str, str] = Field(
        default_factory=dict,
        description='Plug-ins: task kind → "module:function" executor, e.g. a GPU engine for "avatar".',
    )
    models: dict[str, Any] = Field(
        default_factory=dict,
        description="Generative engines (kinema[gpu], docs/gpu.md): JSON object, Kling model_name → a local "
        'Diffusers folder, {"path", "device", "dtype", "offload", "vae_tiling", "steps", "width", "height", '
        '"num_frames", "fps"} or a list of these. Checked at start-up; weights are never downloaded.',
    )
    generative_unsupported: Literal["reject", "cpu"] = Field(
        "reject",
        description="A request for a generative model with a control its pipeline cannot honour (motion "
        "brush, camera_control, sound…): reject = 1201 naming the field; cpu = run it on the CPU engine.",
    )

    # --- music of video/text to audio (docs/video_to_audio.md)
    soundfont: str = Field(
        "auto",
        description="General MIDI SoundFont the music plays on: auto = Debian's MuseScore General Lite "
        "(musescore-general-soundfont-small, with fluidsynth) when installed, a path = that .sf2/.sf3, "
        "none = the oscillator synth. Without libfluidsynth or the file, the oscillator synth plays.",
    )

    # --- text to speech (docs/tts.md)
    tts_en_engine: Literal["kokoro", "piper"] = Field(
        "kokoro",
        description="English TTS engine: kokoro (neural, 28 voices) or piper (one voice, ~6x faster). "
        "Kokoro falls back to piper when its voices are not installed.",
    )
    tts_zh_engine: Literal["kokoro", "espeak-ng"] = Field(
        "kokoro",
        description="Mandarin TTS engine: kokoro (neural, 8 voices) or espeak-ng (formant, robotic). "
        "Kokoro falls back to espeak-ng when its voices or misaki[zh] are not installed.",
    )
    tts_data_dir: Path | None = Field(
        None,
        description="Kokoro's voices (voices/*.bin, put there by scripts/setup.sh) and joined model; "
        "default <python prefix>/share/kinema/tts.",
    )

    # --- watermarked copies (watermark_info.enabled; docs/watermark.md)
    watermark_text: str = Field(
        "kinema", description="Text of the mark (printable ASCII), used when no watermark_image is set."
    )
    watermark_image: Path | None = Field(
        None, description="PNG (alpha honoured) to use as the mark instead of the text."
    )
    watermark_corner: Literal["top-left", "top-right", "bottom-left", "bottom-right"] = Field(
        "bottom-right", description="Corner of the frame the mark sits in."
    )
    watermark_size: float = Field(
        0.06, gt=0, le=0.5, description="Height of the mark, as a share of the frame's short side."
    )
    watermark_opacity: float = Field(0.7, gt=0, le=1, description="Opacity of the mark, 0..1.")
    watermark_margin: float = Field(
        0.03, ge=0, le=0.25, description="Gap between the mark and the frame's edges (share of short side)."
    )

    # --- callbacks
    webhook_secret: str | None = Field(
        None, description="whsec_… secret: sign callbacks (Standard Webhooks)."
    )
    callback_extensions: bool = Field(
        False,
        description="Add kinema's task_progress, watermark_info and task_info.unsupported_fields to callback "
        "bodies; off: the official callback task object only.",
    )
    webhook_max_attempts: int = 6
    webhook_timeout_s: float = Field(
        10.0, gt=0, description="Whole-attempt deadline of one callback POST, DNS and connect included."
    )
    webhook_backoff_s: float = Field(2.0, description="First retry delay; doubles each attempt.")
    webhook_max_inflight: int = Field(
        32, ge=1, description="Callback deliveries in flight at once, per sender (kinema worker process)."
    )
    webhook_max_inflight_per_receiver: int = Field(
        4, ge=1, description="Of those, to one receiver (scheme, host, port): a slow one delays only itself."
    )
    webhook_max_inflight_per_account: int = Field(
        8, ge=1, description="Of those, for one account: one account's receivers cannot take every slot."
    )

    # --- gateway: run some tasks on real Kling (or CometAPI) and archive their results (docs/gateway.md)
    upstream_url: str | None = Field(
        None,
        description="Base URL of the upstream Kling API, e.g. https://api-singapore.klingai.com; unset: off.",
    )
    upstream_prefix: str = Field(
        "/v1", description="Path prefix upstream: /v1 for Kling, /kling/v1 for CometAPI."
    )
    upstream_access_key: str | None = Field(
        None, description="Upstream access key (HS256 JWT with the secret key)."
    )
    upstream_secret_key: str | None = Field(None, description="Upstream secret key of the access key.")
    upstream_api_key: str | None = Field(None, description="Upstream Bearer key (instead of an AK/SK pair).")
    upstream_routes: str = Field(
        "", description='What runs upstream: "all", or a comma list of task kinds and/or model_names.'
    )
    upstream_concurrency: int = Field(
        5, ge=1, description="Upstream tasks running at once (the account's cap); the rest wait submitted."
    )
    upstream_media: Literal["base64", "url"] = Field(
        "base64", description="How stored inputs are sent upstream: base64, or kinema signed URLs."
    )
    upstream_callback_base: str | None = Field(
        None,
        description="Base URL at which the upstream reaches this server for callbacks; unset: polling only.",
    )
    upstream_poll_s: float = Field(2.0, gt=0, description="First poll of an upstream task; doubles to 30 s.")
    upstream_retry_max_s: float = Field(
        30.0, gt=0, description="Longest wait between retries of a failed upstream call (backoff cap)."
    )
    upstream_timeout_s: float = Field(30.0, gt=0, description="Deadline of one upstream HTTP call.")
    upstream_sync_deadline_s: float = Field(
        60.0,
        gt=0,
        description="How long a create answered inside the request (TTS) retries a busy or unreachable "
        "upstream before answering 5001 (5002 when it timed out).",
    )
    upstream_dedupe_window_s: float = Field(
        0.0,
        ge=0,
        description="Reuse the result of an identical upstream request (same account, fields and file "
        "contents) that succeeded within this many seconds; 0 = off.",
    )
    upstream_result_max_mb: float = Field(
        500.0, gt=0, description="Largest upstream result file archived (a bigger one fails the task)."
    )

    @field_validator("watermark_text")
    @classmethod
    def _watermark_text(cls, value: str) -> str:
        """The built-in font draws printable ASCII only: other text is refused at start-up, not per task."""
        if not value.strip() or not all(" " <= ch <= "~" for ch in value):
            raise ValueError("must be non-empty printable ASCII (KINEMA_WATERMARK_IMAGE for other marks)")
        return value

    @field_validator("watermark_image")
    @classmethod
    def _watermark_image(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a file")
        return value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'kinema.db').resolve()}"

    def signing_key(self) -> bytes:
        """The result-URL HMAC key: configured, or created once and kept in the data folder."""
        if self.url_signing_secret:
            return self.url_signing_secret.encode()
        path = self.data_dir / "url-signing.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(secrets.token_hex(32))
            os.replace(tmp, path)
        return path.read_text().strip().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` and pass them explicitly)."""
    return Settings()
