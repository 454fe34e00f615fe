"""The tables. Times are epoch milliseconds (ints): the API speaks them and SQLite has no tz-aware times.

The task row is the truth of a job (DESIGN.md): the queue only rings the doorbell.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kinema.contract.vocabulary import TaskStatus


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Account(Base):
    """Owner of keys, tasks and files. Nothing crosses accounts.

    The rest is the operator's policy for the account (``kinema keys budget``, docs/accounts.md): an
    optional unit budget (its "resource pack": total, start, optional end, what is spent), spent by the
    prices of its tasks created since the start (1102 when a create would overdraw it); ``arrears`` refuses
    creates (1101); ``allowed_ips`` (CIDRs) refuses calls from elsewhere (1304) when not empty.
    """

    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    budget_hundredths: Mapped[int | None] = mapped_column(BigInteger)  # None: no budget, nothing counted
    # prices of the pack's tasks that are unfinished or succeeded: kept by the create and failure
    # transactions, so a create never sums the account's history
    budget_spent_hundredths: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    budget_pack_id: Mapped[str | None] = mapped_column(String(32))
    budget_started_at: Mapped[int | None] = mapped_column(BigInteger)
    budget_expires_at: Mapped[int | None] = mapped_column(BigInteger)  # None: never
    arrears: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    allowed_ips: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))


class ApiKey(Base):
    """An opaque bearer key, stored as its SHA-256 (shown once at creation), or an AK/SK pair for HS256 JWTs.

    The secret key of an AK/SK pair must be kept in clear to verify signatures (as upstream does).
    """

    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "key" | "aksk"
    name: Mapped[str] = mapped_column(String(200), default="")
    key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), default="")
    access_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    secret_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class Task(Base):
    """One job. ``status`` is one of submitted/processing/succeed/failed."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("account_id", "external_task_id", name="uq_tasks_account_external"),
        Index("ix_tasks_account_kind_created", "account_id", "kind", "created_at"),
        Index("ix_tasks_status_lease", "status", "lease_expires_at"),
        # the per-account running-task limit is checked on every create
        Index("ix_tasks_account_status", "account_id", "status"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(32))  # a TaskKind value
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.SUBMITTED)  # a TaskStatus value
    status_msg: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    external_task_id: Mapped[str | None] = mapped_column(String(256))
    callback_url: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name -> blob key
    task_info: Mapped[dict[str, Any]] = mapped_column(default=dict)  # extra task_info, e.g. parent_video
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)  # task_result as stored (asset ids)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    lease_expires_at: Mapped[int | None] = mapped_column(BigInteger)
    worker: Mapped[str | None] = mapped_column(String(128))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)
    # the price (contract/prices.py) in hundredths of a unit, fixed at create; None on rows made before
    # prices existed (their deduction is in result["units"])
    units_hundredths: Mapped[int | None] = mapped_column(BigInteger)
    # which workers take it (a Lane): "gpu" = a generative pipeline runs it (kinema worker --gpu), else "cpu"
    lane: Mapped[str] = mapped_column(String(8), default="cpu", server_default="cpu")


class Asset(Base):
    """A stored file: an input or a result. Result assets are addressable as ``audio_id``/``video_id``."""

    __tablename__ = "assets"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16))  # video | audio_mp3 | audio_wav | audio | input
    blob_key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64), default="application/octet-stream")
    duration_s: Mapped[float | None] = mapped_column(Float)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)  # e.g. {"phones": blob key}
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int | None] = mapped_column(BigInteger, index=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class WebhookOutbox(Base):
    """A callback to deliver, written in the same transaction as the status change it reports."""

    __tablename__ = "webhook_outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(40), unique=True)
    task_id: Mapped[str] = mapped_column(String(32), index=True)
    account_id: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)  # exact JSON body sent (signed as is)
    state: Mapped[str] = mapped_column(String(12), default="pending")  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class WebhookAttempt(Base):
    """One delivery attempt of an outbox row (listed by the API)."""

    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("webhook_outbox.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(32), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[int] = mapped_column(BigInteger)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
