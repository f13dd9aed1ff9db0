"""Stored first answers to requests sent with an ``Idempotency-Key``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import IdempotencyRecord


@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    path: str
    status_code: int
    body: dict
    headers: dict


def request_hash(method: str, path: str, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (method.upper().encode(), b"\0", path.encode(), b"\0", body):
        h.update(part)
    return h.hexdigest()


def lookup(session: Session, scope: str, key: str) -> StoredResponse | None:
    row = session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    ).first()
    if row is None:
        return None
    return StoredResponse(
        row.request_hash,
        row.path,
        row.status_code,
        dict(row.response_body),
        dict(row.response_headers),
    )


def claim(
    session: Session, scope: str, key: str, method: str, path: str, req_hash: str
) -> IdempotencyRecord:
    """Insert the key's record (status 0 = in progress); IntegrityError if the key is taken."""
    row = IdempotencyRecord(
        scope=scope,
        key=key,
        method=method,
        path=path[:300],
        request_hash=req_hash,
        status_code=0,
        response_body={},
        response_headers={},
    )
    session.add(row)
    session.flush()
    return row


def complete(
    session: Session, row: IdempotencyRecord, status_code: int, body: dict, headers: dict
) -> None:
    row.status_code, row.response_body, row.response_headers = status_code, body, headers
    session.flush()
