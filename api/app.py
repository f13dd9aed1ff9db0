"""The Flask application factory.

``create_app(config=None)`` builds a new app each call (no app at import time): configuration
from the defaults below, then ``STOCKPILOT_*`` environment variables, then ``config``;
extensions are bound with ``init_app``; one blueprint per resource under ``/api/v1``; the
OpenAPI 3 document at ``/api/v1/openapi.json`` with an interactive page at ``/api/v1/docs``;
``/healthz`` for liveness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # None: DATABASE_URL from the environment, else ./stockpilot.db
    "API_TITLE": "stockpilot API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    "RATE_LIMIT_PER_S": 20.0,  # per API key and process; 0 disables
    "RATE_LIMIT_BURST": 40,
    # a verified key is trusted this long per process (the revocation delay); 0: off
    "AUTH_CACHE_S": 2.0,
    "ACK_QTY_TOLERANCE": 0.05,  # supplier changes within ±5% quantity ...
    "ACK_DATE_TOLERANCE_DAYS": 2,  # ... and ±2 days are accepted without planner review
    "MAX_SYNC_UPLOAD_ROWS": 50_000,  # larger uploads go through POST /api/v1/imports (a job)
    "MAX_CONTENT_LENGTH": 256 * 1024 * 1024,
    "JOBS_WORKER": False,  # run a job worker thread inside this process (stockpilot serve does)
    "JOBS_POLL_S": 1.0,
    "JOBS_HEARTBEAT_S": 5.0,
    "JOBS_STALE_S": 30.0,  # a running job without heartbeat for this long is marked failed
    "PLAN_FUNCTION": None,  # callable(PlanInputs, progress) -> PlanOutput; None: scenarios.pipeline
}


@dataclass
class Extension:
    """What the app shares with its handlers: the session factory, limiter, worker."""

    url: str
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    rate_limiter: Any = None
    worker: Any = None
    feed_cache: Any = None  # rendered supplier feed pages by ETag
    auth_cache: Any = None  # verified keys by hash (AUTH_CACHE_S)


def _read_sessions(url: str, session_factory) -> sessionmaker[Session]:
    """Sessions for reads. On PostgreSQL: autocommit (each statement its own snapshot, no
    BEGIN / ROLLBACK round trips) and no pre-ping (a connection lost to a server restart fails
    one request with 503 and the pool is invalidated) — a poll costs a few round trips only."""
    if not url.startswith("postgresql"):
        return session_factory(url)
    from sqlalchemy import create_engine

    engine = _READ_ENGINES.get(url)
    if engine is None:
        engine = _READ_ENGINES[url] = create_engine(
            url,
            pool_size=10,
            max_overflow=10,
            pool_pre_ping=False,
            pool_recycle=1800,
            isolation_level="AUTOCOMMIT",
        )
    return sessionmaker(bind=engine, expire_on_commit=False)


_READ_ENGINES: dict[str, Any] = {}


def dispose_read_engines() -> None:
    """Close the read engines' pools (tests, forked workers)."""
    for engine in _READ_ENGINES.values():
        engine.dispose()
    _READ_ENGINES.clear()


def create_app(config: dict | None = None) -> Flask:
    from api.api_spec import StockpilotApi
    from api.auth.guard import authenticate, require_declared_roles
    from api.auth.ratelimit import RateLimiter
    from api.blueprints import close_request_sessions, register_blueprints
    from api.db.session import database_url, session_factory
    from api.errors import register_error_handlers, reject_nul_bytes
    from api.services.lru import LruCache

    app = Flask("stockpilot")
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("STOCKPILOT")
    app.config.update(config or {})
    app.json.sort_keys = False
    app.url_map.strict_slashes = False  # no redirects in the API: /x and /x/ are the same route

    url = database_url(app.config["DATABASE_URL"])
    rate = float(app.config["RATE_LIMIT_PER_S"] or 0)
    limiter = RateLimiter(rate, int(app.config["RATE_LIMIT_BURST"])) if rate > 0 else None
    app.extensions["stockpilot"] = Extension(
        url=url,
        sessions=session_factory(url),
        read_sessions=_read_sessions(url, session_factory),
        rate_limiter=limiter,
        feed_cache=LruCache(2048),
        auth_cache=LruCache(10_000),
    )

    api = StockpilotApi()
    api.init_app(app)
    register_blueprints(api)
    register_error_handlers(app)  # after api.init_app: replaces flask-smorest's JSON errors
    app.teardown_appcontext(close_request_sessions)
    app.before_request(authenticate)
    app.before_request(reject_nul_bytes)
    app.before_request(require_declared_roles)

    @app.get("/healthz")
    def healthz():
        """Liveness: the process answers and the database is reachable."""
        ext = app.extensions["stockpilot"]
        with ext.sessions() as session:
            session.execute(text("SELECT 1"))
        return jsonify(status="ok")

    if app.config["JOBS_WORKER"]:
        from api.jobs.worker import start_worker_thread

        app.extensions["stockpilot"].worker = start_worker_thread(app)
    return app
