"""API keys and idempotency records (the API's own bookkeeping).

An API key is shown to its owner once as ``sp_<prefix>_<secret>``; only the visible prefix and
the SHA-256 of the whole key are stored. ``role`` is one of :data:`ROLES`; a ``supplier`` key is
bound to exactly one supplier.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.db.base import Base, utcnow

ROLES = ("admin", "planner", "viewer", "supplier")


class ApiKey(Base):
    __tablename__ = "api_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the full key
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    supplier_id: Mapped[str | None] = mapped_column(ForeignKey("supplier.supplier_id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint("role IN ('admin','planner','viewer','supplier')", name="role_valid"),
        CheckConstraint("(role = 'supplier') = (supplier_id IS NOT NULL)", name="supplier_bound"),
    )


class IdempotencyRecord(Base):
    """The first answer to a request sent with an ``Idempotency-Key``; replays get it back."""

    __tablename__ = "idempotency_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(100))  # "supplier:S1" or "key:12"
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[dict] = mapped_column(JSON, default=dict)
    response_headers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    __table_args__ = (UniqueConstraint("scope", "key"),)
