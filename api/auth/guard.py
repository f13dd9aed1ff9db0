"""Authentication and scoping of every request.

:func:`authenticate` runs before every request under ``/api/v1`` (except the OpenAPI document
and its docs page) and puts the caller's :class:`~api.auth.keys.Principal` on ``flask.g``;
:func:`roles` declares on each view who may call it. A view without a declaration is refused
(403) — nothing is open by accident; ``tests/api/test_api_auth.py`` checks every route.
"""

from __future__ import annotations

import time
from functools import wraps

from flask import current_app, g, request

from api.auth.keys import AuthError, Principal, hash_key, verify_key
from api.auth.ratelimit import retry_after_seconds
from api.db.base import utcnow
from api.errors import Forbidden, TooManyRequests, Unauthorized

PLANNER_READ = ("admin", "planner", "viewer")
PLANNER_WRITE = ("admin", "planner")
SUPPLIER = ("supplier",)
ADMIN = ("admin",)


def roles(*allowed: str):
    """Declare which roles may call a view (checked after authentication)."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal.role not in allowed:
                raise Forbidden(
                    f"role {principal.role!r} may not call this endpoint "
                    f"(allowed: {', '.join(allowed)})"
                )
            return func(*args, **kwargs)

        wrapper._roles = tuple(allowed)
        return wrapper

    return decorator


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:  # pragma: no cover - authenticate() runs first
        raise Unauthorized("no API key")
    return principal


def is_public(endpoint: str | None) -> bool:
    return endpoint is not None and (
        endpoint == "healthz" or endpoint.startswith("api-docs.") or endpoint == "static"
    )


def authenticate() -> None:
    """before_request hook: bearer key → principal; then the per-key rate limit."""
    if is_public(request.endpoint):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    from api.blueprints import sessions

    ext = current_app.extensions["stockpilot"]
    token = token.strip()
    principal = _cached(ext, token)
    if principal is None:
        try:
            principal = verify_key(sessions().shared_reader(), token)
        except AuthError as exc:
            raise Unauthorized(str(exc)) from None
        ttl = float(current_app.config["AUTH_CACHE_S"])
        if ttl > 0:
            ext.auth_cache.put(hash_key(token), (principal, time.monotonic() + ttl))
    g.principal = principal
    limiter = ext.rate_limiter
    if limiter is not None:
        wait = limiter.take(principal.key_id)
        if wait > 0:
            raise TooManyRequests(
                f"rate limit of {limiter.rate:g} requests/s per key exceeded",
                retry_after_seconds(wait),
            )


def _cached(ext, token: str) -> Principal | None:
    """A principal verified less than AUTH_CACHE_S seconds ago (expiry is still checked on
    every request; a revocation is seen once the entry runs out)."""
    if ext.auth_cache is None:
        return None
    entry = ext.auth_cache.get(hash_key(token))
    if entry is None:
        return None
    principal, valid_until = entry
    if time.monotonic() >= valid_until:
        return None
    if principal.expires_at is not None and principal.expires_at <= utcnow():
        raise Unauthorized("API key expired")
    return principal


def require_declared_roles() -> None:
    """before_request hook (after authenticate): refuse views that declare no roles."""
    if is_public(request.endpoint) or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    target = getattr(view, "view_class", None)
    if target is not None:
        method = getattr(target, request.method.lower(), None)
        declared = getattr(method, "_roles", None)
    else:
        declared = getattr(view, "_roles", None)
    if declared is None:
        raise Forbidden("this endpoint declares no roles")
