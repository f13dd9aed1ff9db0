"""flask-smorest ``Api`` with the project's conventions applied to the OpenAPI document:
bearer-key security on every operation, error responses documented as
``application/problem+json`` with the :class:`ProblemSchema`, and 401 / 403 / 429 listed on
every authenticated operation."""

from __future__ import annotations

import copy

import marshmallow as ma
from flask import current_app, json
from flask_smorest import Api

PUBLIC_PATHS = ("/healthz",)


class FieldErrorSchema(ma.Schema):
    pointer = ma.fields.String(metadata={"description": "JSON pointer to the field (RFC 6901)"})
    location = ma.fields.String(metadata={"description": "json, query, headers, files or form"})
    file = ma.fields.String(allow_none=True)
    row = ma.fields.Integer(allow_none=True)
    column = ma.fields.String(allow_none=True)
    value = ma.fields.Raw(allow_none=True)
    rule = ma.fields.String()
    detail = ma.fields.String()


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    instance = ma.fields.String(allow_none=True)
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema))


class StockpilotApi(Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # every status an operation can answer is listed explicitly

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._spec_cache = None

    def init_app(self, app, *, spec_kwargs=None):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs.setdefault("security", [{"bearerAuth": []}])
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.spec.components.security_scheme(
            "bearerAuth",
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "sp_<prefix>_<secret>",
                "description": "API key (stockpilot keys create)",
            },
        )
        from apispec.exceptions import DuplicateComponentNameError

        try:
            self.spec.components.schema("Problem", schema=ProblemSchema)
        except DuplicateComponentNameError:  # already registered through ERROR_SCHEMA
            pass

    def _register_error_handlers(self):
        """Errors are handled by :func:`api.errors.register_error_handlers`."""

    def spec_dict(self) -> dict:
        if self._spec_cache is None:
            self._spec_cache = postprocess(self.spec.to_dict())
        return self._spec_cache

    def _openapi_json(self):
        return current_app.response_class(
            json.dumps(self.spec_dict(), indent=2, sort_keys=False), mimetype="application/json"
        )


def _problem(description: str, headers: dict | None = None) -> dict:
    resp = {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if headers:
        resp["headers"] = headers
    return resp


def postprocess(spec: dict) -> dict:
    spec = copy.deepcopy(spec)
    for resp in spec.get("components", {}).get("responses", {}).values():
        content = resp.get("content")
        if content and "application/json" in content:
            resp["content"] = {"application/problem+json": content["application/json"]}
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = op.setdefault("responses", {})
            for code, resp in list(responses.items()):
                if str(code).startswith(("4", "5")) and "$ref" not in resp:
                    schema = (
                        next(iter(resp["content"].values()))
                        if resp.get("content")
                        else {"schema": {"$ref": "#/components/schemas/Problem"}}
                    )
                    resp["content"] = {"application/problem+json": schema}
            if path in PUBLIC_PATHS:
                op["security"] = []
                continue
            responses.setdefault(
                "401",
                _problem(
                    "Missing, unknown, expired or revoked API key",
                    {"WWW-Authenticate": {"schema": {"type": "string"}}},
                ),
            )
            responses.setdefault("403", _problem("The key's role may not call this endpoint"))
            responses.setdefault(
                "429",
                _problem(
                    "Rate limit exceeded",
                    {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
                ),
            )
            responses.setdefault("400", _problem("Malformed request (e.g. body not parseable)"))
            responses.setdefault("422", _problem("Request validation failed (field errors)"))
            if "{" in path:
                responses.setdefault("404", _problem("Not found"))
            if "requestBody" in op:
                responses.setdefault("413", _problem("Request too large"))
                responses.setdefault("415", _problem("Unsupported media type"))
    return spec
