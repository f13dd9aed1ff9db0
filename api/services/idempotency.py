"""Idempotent POSTs: the first answer to an ``Idempotency-Key`` is stored in the same
transaction as the change it reports, and replays get that answer back.

* same key, same request (method, path, body) → the stored answer, nothing applied again;
* same key, another request → 422 (the key is bound to its first request);
* two requests with the same key at once → one commits, the other hits the unique key
  (scope, key), rolls back and replays the winner's answer.
Only successful answers are stored: a request refused with 4xx changed nothing and may be
retried with its key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.errors import BadRequest, Conflict, Unprocessable
from api.repositories import idempotency as repo
from api.services.uow import read_only, unit_of_work

MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict
    headers: dict
    replayed: bool = False


def check_key(key: str | None, required: bool) -> str | None:
    if key is None or key.strip() == "":
        if required:
            raise BadRequest(
                "this request needs an Idempotency-Key header (a unique value per "
                "logical request, e.g. a UUID); retries send the same key",
                errors=[
                    {"pointer": "/Idempotency-Key", "location": "headers", "detail": "required"}
                ],
            )
        return None
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH:
        raise Unprocessable(
            f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters",
            errors=[
                {
                    "pointer": "/Idempotency-Key",
                    "location": "headers",
                    "detail": f"at most {MAX_KEY_LENGTH} characters",
                }
            ],
        )
    return key


def _replay(stored: repo.StoredResponse, req_hash: str, key: str) -> Answer:
    if stored.request_hash != req_hash:
        raise Unprocessable(
            f"Idempotency-Key {key!r} was already used for a different request; "
            "use a new key for a new request",
            errors=[
                {
                    "pointer": "/Idempotency-Key",
                    "location": "headers",
                    "detail": "reused with another request",
                }
            ],
        )
    return Answer(stored.status_code, stored.body, stored.headers, replayed=True)


class _KeyTaken(Exception):
    pass


def run_idempotent(
    sessions: sessionmaker[Session],
    scope: str,
    key: str | None,
    method: str,
    path: str,
    body: bytes,
    work: Callable[[Session], Answer],
) -> Answer:
    """Run ``work`` in one transaction, or replay the stored answer for ``key``.

    The key is claimed first (insert of its record, completed after ``work``), so a concurrent
    request with the same key waits on the unique index and then replays the winner's answer."""
    if key is None:
        with unit_of_work(sessions) as s:
            return work(s)
    req_hash = repo.request_hash(method, path, body)
    with read_only(sessions) as s:
        stored = repo.lookup(s, scope, key)
    if stored is not None:
        return _replay(stored, req_hash, key)
    try:
        with unit_of_work(sessions) as s:
            try:
                record = repo.claim(s, scope, key, method, path, req_hash)
            except IntegrityError:
                raise _KeyTaken() from None
            answer = work(s)
            repo.complete(s, record, answer.status_code, answer.body, answer.headers)
            return answer
    except _KeyTaken:
        with read_only(sessions) as s:
            stored = repo.lookup(s, scope, key)
        if stored is None or stored.status_code == 0:
            raise Conflict(
                f"a request with Idempotency-Key {key!r} is in progress; retry shortly"
            ) from None
        return _replay(stored, req_hash, key)
