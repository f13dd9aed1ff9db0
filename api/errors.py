"""One error vocabulary for the API, rendered as RFC 9457 problem details.

Every error leaves the API as ``application/problem+json``::

    {"type": "urn:stockpilot:problem:validation", "title": "Request validation failed",
     "status": 422, "detail": "...", "instance": "/api/v1/...",
     "errors": [{"pointer": "/lines/0/quantity", "location": "json", "detail": "..."}]}

``errors`` carries one entry per broken rule: request validation gives a JSON pointer (RFC
6901) to the field and the request part it sits in (``json``, ``query``, ``headers``,
``files``); data-file validation (:class:`scenarios.errors.DataValidationError`) gives file,
row, column, value and rule — every issue, not the first. Services raise the :class:`ApiError`
subclasses below (or the project's domain errors); :func:`register_error_handlers` maps them
once. Bad input never answers 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from sqlalchemy.exc import DataError as DBDataError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from scenarios.errors import DataValidationError, NotFoundError, StockpilotError

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "urn:stockpilot:problem:"
log = logging.getLogger(__name__)


class ApiError(Exception):
    """Base of the API's errors: HTTP status, a stable problem slug, a human title."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(
        self, detail: str, *, errors: list[dict] | None = None, headers: dict | None = None, **extra
    ):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, **kw):
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="stockpilot"'}, **kw)


class Forbidden(ApiError):
    status, slug, title = 403, "forbidden", "Not allowed for this key"


class NotFound(ApiError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ApiError):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class IllegalTransition(Conflict):
    slug, title = "illegal-transition", "Illegal status transition"


class PreconditionFailed(ApiError):
    status, slug, title = 412, "precondition-failed", "The resource changed (stale If-Match)"


class PreconditionRequired(ApiError):
    status, slug, title = 428, "precondition-required", "A precondition header is required"


class PayloadTooLarge(ApiError):
    status, slug, title = 413, "payload-too-large", "Request too large"


class UnsupportedMediaType(ApiError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class Unprocessable(ApiError):
    status, slug, title = 422, "validation", "Request validation failed"


class TooManyRequests(ApiError):
    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, retry_after_s: int):
        super().__init__(detail, headers={"Retry-After": str(max(1, int(retry_after_s)))})


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    *,
    errors: list[dict] | None = None,
    headers: dict | None = None,
    **extra,
) -> Response:
    body = {"type": PROBLEM_TYPE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path if request else None
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _pointer(parts) -> str:
    return (
        "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts) if parts else ""
    )


def flatten_messages(messages, location: str | None = None, path=()) -> list[dict]:
    """webargs / marshmallow error messages (nested dicts of lists) → flat field errors."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if (
                location is None
                and path == ()
                and key
                in ("json", "query", "headers", "files", "form", "view_args", "cookies", "path")
            ):
                out.extend(flatten_messages(value, key, ()))
            elif key == "_schema":
                out.extend(flatten_messages(value, location, path))
            else:
                out.extend(flatten_messages(value, location, path + (key,)))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            for m in messages:
                out.append({"pointer": _pointer(path), "location": location or "json", "detail": m})
        else:
            for m in messages:
                out.extend(flatten_messages(m, location, path))
    else:
        out.append(
            {"pointer": _pointer(path), "location": location or "json", "detail": str(messages)}
        )
    return out


def data_issues(err: DataValidationError) -> list[dict]:
    def plain(v):
        if v is None or isinstance(v, (str, int, float, bool)):
            return v if not (isinstance(v, float) and v != v) else None
        return str(v)

    return [
        {
            "file": i.file,
            "row": i.row,
            "column": i.column,
            "value": plain(i.value),
            "rule": i.rule,
            "detail": str(i),
        }
        for i in err.issues
    ]


def register_error_handlers(app: Flask) -> None:
    """Map every error the API can meet to a problem response (registered once, in create_app)."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return problem_response(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail,
            errors=exc.errors,
            headers=exc.headers,
            **exc.extra,
        )

    @app.errorhandler(DataValidationError)
    def _data_error(exc: DataValidationError):
        return problem_response(
            422,
            "data-validation",
            "Data validation failed",
            f"{len(exc.issues)} problem(s) in the data",
            errors=data_issues(exc),
        )

    @app.errorhandler(NotFoundError)
    def _not_found(exc: NotFoundError):
        return problem_response(404, "not-found", "Not found", str(exc))

    @app.errorhandler(StockpilotError)
    def _domain_error(exc: StockpilotError):
        return problem_response(422, "domain", "The request cannot be carried out", str(exc))

    @app.errorhandler(DBDataError)
    def _db_data_error(
        exc: DBDataError,
    ):  # a value the database cannot store (NUL byte, too long, ...)
        return problem_response(
            422,
            "validation",
            "Request validation failed",
            f"a value cannot be stored: {str(exc.orig).splitlines()[0]}",
            errors=[],
        )

    @app.errorhandler(OperationalError)
    def _db_unavailable(exc: OperationalError):  # connection lost / server restarting
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc.orig)
        return problem_response(
            503,
            "unavailable",
            "Database unavailable",
            "retry shortly",
            headers={"Retry-After": "1"},
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        errors = None
        if "messages" in data:  # webargs validation errors
            errors = flatten_messages(data["messages"])
        elif "errors" in data:
            errors = flatten_messages(data["errors"])
        code = exc.code or 500
        if code == 422:
            return problem_response(
                422,
                "validation",
                "Request validation failed",
                f"{len(errors or [])} field(s) failed validation",
                errors=errors or [],
                headers=data.get("headers"),
            )
        if code == 304:
            return Response(status=304, headers=data.get("headers"))
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        headers.update(data.get("headers") or {})
        detail = data.get("message") or exc.description
        return problem_response(
            code,
            exc.name.lower().replace(" ", "-").replace("'", ""),
            exc.name,
            detail,
            errors=errors,
            headers=headers,
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # a bug, not bad input: logged with its traceback
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(
            500,
            "internal",
            "Internal server error",
            "an unexpected error occurred; it has been logged",
        )


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def reject_nul_bytes() -> None:
    """before_request: NUL characters are never valid in this API (and PostgreSQL cannot
    store them) — refuse them up front instead of failing deep in a query."""
    where = None
    if "\x00" in request.path:
        where = ("path", "")
    elif any(_has_nul(k) or _has_nul(v) for k, v in request.args.items(multi=True)):
        where = ("query", "")
    elif request.is_json and _has_nul(request.get_json(silent=True)):
        where = ("json", "")
    if where:
        raise Unprocessable(
            "NUL characters are not allowed",
            errors=[
                {"pointer": where[1], "location": where[0], "detail": "contains a NUL character"}
            ],
        )
