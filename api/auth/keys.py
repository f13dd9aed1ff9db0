"""API keys: created once, stored hashed, checked in constant time.

A key reads ``sp_<prefix>_<secret>``: ``prefix`` (10 url-safe characters) is stored in clear so
that keys can be listed and told apart; ``secret`` is 32 random bytes (256 bits) from
:mod:`secrets`. Only ``sha256(key)`` is stored — a fast hash is right for a high-entropy random
secret (nothing to brute-force, unlike a password). The key is looked up by its prefix and its
hash compared with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.db.base import utcnow
from api.db.models import ApiKey, Supplier
from api.db.models.auth import ROLES

KEY_SCHEME = "sp"


class AuthError(Exception):
    """The request carries no valid key (401)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, role and (for suppliers) the supplier it is bound to."""

    key_id: int
    prefix: str
    name: str
    role: str
    supplier_id: str | None = None
    expires_at: datetime | None = None

    @property
    def actor(self) -> str:
        """How audit events name this caller."""
        who = f"supplier:{self.supplier_id}" if self.role == "supplier" else self.role
        return f"{who}/key:{self.prefix}"

    @property
    def scope(self) -> str:
        """Namespace of idempotency keys: one supplier shares it across its keys."""
        return f"supplier:{self.supplier_id}" if self.role == "supplier" else f"key:{self.key_id}"


@dataclass(frozen=True)
class KeyInfo:
    id: int
    prefix: str
    name: str
    role: str
    supplier_id: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and _aware(self.expires_at) <= utcnow():
            return "expired"
        return "active"


def _aware(dt: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        row.id,
        row.prefix,
        row.name,
        row.role,
        row.supplier_id,
        row.created_at,
        row.expires_at,
        row.revoked_at,
        row.last_used_at,
    )


def create_key(
    session: Session,
    role: str,
    supplier_id: str | None = None,
    name: str | None = None,
    expires_in_days: float | None = None,
) -> tuple[str, KeyInfo]:
    """Create a key in the caller's transaction; return ``(plaintext key, info)``. The plaintext
    is not stored anywhere: show it once."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)} (got {role!r})")
    if role == "supplier":
        if not supplier_id:
            raise ValueError("a supplier key must be bound to a supplier (--supplier)")
        if session.get(Supplier, supplier_id) is None:
            raise ValueError(f"supplier {supplier_id!r} does not exist")
    elif supplier_id:
        raise ValueError(f"only supplier keys are bound to a supplier (role {role!r})")
    if expires_in_days is not None and expires_in_days <= 0:
        raise ValueError("expires_in_days must be > 0")
    prefix = secrets.token_urlsafe(8)[:10].replace("_", "x").replace("-", "y")
    secret = secrets.token_urlsafe(32)
    key = f"{KEY_SCHEME}_{prefix}_{secret}"
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days is not None else None
    row = ApiKey(
        prefix=prefix,
        key_hash=hash_key(key),
        name=name or f"{role} key",
        role=role,
        supplier_id=supplier_id,
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    return key, _info(row)


def list_keys(session: Session) -> list[KeyInfo]:
    return [_info(r) for r in session.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_key(session: Session, prefix: str) -> KeyInfo:
    row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if row is None:
        raise ValueError(f"no API key with prefix {prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return _info(row)


def parse_key(key: str) -> str:
    """The prefix of a well-formed key, else :class:`AuthError`."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME or not parts[1] or not parts[2]:
        raise AuthError("malformed API key")
    return parts[1]


def verify_key(session: Session, key: str, touch: bool = False) -> Principal:
    """The principal of a valid key; :class:`AuthError` if unknown, revoked or expired."""
    prefix = parse_key(key)
    row = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    # compare even when the prefix is unknown, so timing does not tell the two cases apart
    expected = row.key_hash if row is not None else hash_key("sp_x_" + prefix)
    if not hmac.compare_digest(expected, hash_key(key)) or row is None:
        raise AuthError("unknown API key")
    if row.revoked_at is not None:
        raise AuthError("API key revoked")
    if row.expires_at is not None and _aware(row.expires_at) <= utcnow():
        raise AuthError("API key expired")
    if touch:
        session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=utcnow()))
    return Principal(
        row.id,
        row.prefix,
        row.name,
        row.role,
        row.supplier_id,
        _aware(row.expires_at) if row.expires_at is not None else None,
    )
