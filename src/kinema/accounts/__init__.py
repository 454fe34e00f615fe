"""Accounts and their credentials: opaque API keys (stored as SHA-256) and AK/SK pairs for HS256 JWTs."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from kinema.db.engine import Database, now_ms
from kinema.db.ids import new_id
from kinema.db.models import Account, ApiKey

KEY_PREFIX = "sk-kinema-"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class NewCredential:
    """Shown once: the plain key, or the AK/SK pair."""

    account_id: str
    key_id: str
    api_key: str | None = None
    access_key: str | None = None
    secret_key: str | None = None


def ensure_account(db: Database, name: str) -> str:
    """The id of the account called ``name``, created when missing."""
    with db.write() as s:
        found = s.scalar(select(Account.id).where(Account.name == name))
        if found:
            return found
        account = Account(id=new_id(), name=name, created_at=now_ms())
        s.add(account)
        return account.id


def create_api_key(db: Database, account: str = "default", name: str = "") -> NewCredential:
    account_id = ensure_account(db, account)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        id=new_id(),
        account_id=account_id,
        kind="key",
        name=name,
        key_hash=hash_key(key),
        prefix=key[: len(KEY_PREFIX) + 4],
        created_at=now_ms(),
    )
    with db.write() as s:
        s.add(row)
    return NewCredential(account_id=account_id, key_id=row.id, api_key=key)


def create_aksk(db: Database, account: str = "default", name: str = "") -> NewCredential:
    account_id = ensure_account(db, account)
    ak = "AK" + secrets.token_hex(15)
    sk = secrets.token_urlsafe(32)
    row = ApiKey(
        id=new_id(),
        account_id=account_id,
        kind="aksk",
        name=name,
        access_key=ak,
        secret_key=sk,
        prefix=ak[:8],
        created_at=now_ms(),
    )
    with db.write() as s:
        s.add(row)
    return NewCredential(account_id=account_id, key_id=row.id, access_key=ak, secret_key=sk)


def list_keys(db: Database) -> list[tuple[ApiKey, str]]:
    """Every credential with its account name (secrets are never listed)."""
    with db.read() as s:
        rows = s.execute(select(ApiKey, Account.name).join(Account, Account.id == ApiKey.account_id)).all()
    return [(r[0], r[1]) for r in rows]


def revoke_key(db: Database, key_id: str) -> bool:
    with db.write() as s:
        res = s.execute(
            update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=now_ms())
        )
    return bool(getattr(res, "rowcount", 0))


def account_for_key(db: Database, key: str) -> str | None:
    with db.read() as s:
        return s.scalar(
            select(ApiKey.account_id).where(
                ApiKey.key_hash == hash_key(key), ApiKey.kind == "key", ApiKey.revoked_at.is_(None)
            )
        )


def secret_for_access_key(db: Database, access_key: str) -> tuple[str, str] | None:
    """(account_id, secret_key) of an active AK."""
    with db.read() as s:
        row = s.execute(
            select(ApiKey.account_id, ApiKey.secret_key).where(
                ApiKey.access_key == access_key, ApiKey.kind == "aksk", ApiKey.revoked_at.is_(None)
            )
        ).first()
    if row is None or row[1] is None:
        return None
    return row[0], row[1]
