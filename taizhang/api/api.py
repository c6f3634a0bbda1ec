"""The REST API at /api/v1/: one NinjaAPI, its auth, its error handlers and its routers.

Handlers stay thin: they parse a schema, fetch through the same `access_*` /
`*_visible_to` functions as the HTML views, call the same service, and return a schema.
"""

from typing import Any

from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from .auth import SessionAuth, TokenAuth
from .errors import ErrorOut, register_error_handlers
from .routers import campaigns, checkins, exports, jobs, orgs, projects, records, scores

DESCRIPTION = """
The ledger (台账) over HTTP: the same data, rights and rules as the web pages.

**Authentication.** Create a personal token on the web page *API 令牌* (top right, next to
your name) and send it as `Authorization: Bearer <token>`. A *read-only* token may only
`GET` (and start an export, which only reads); anything else answers 403. A revoked token answers 401. In the browser this page
also works with your login session (unsafe methods then need the CSRF token, which this page
sends for you).

**Errors** always have one shape:
`{"error": {"code": "stale", "message": "…", "fields": {"title": ["…"]}, "details": {}}}`.
`message` is in the language of `Accept-Language` (zh-hans by default, or en). 400 malformed
JSON · 401 not authenticated · 403 not allowed · 404 not found *or not visible to you* ·
409 conflict (stale version, duplicate, wrong state) · 413 body too large · 422 invalid input.

**Versions.** Every editable record has a `version`. Send the version you read with every
change; if someone changed the record since, you get 409 with `details.current_version`
and `details.latest_change`, and nothing is changed.

**Retries.** `POST /projects` and `POST /reports/{id}/submit` accept an `Idempotency-Key`
header: a retry with the same key returns the first response and does nothing again.

**Lists** take `limit` (1–200, default 50) and `offset`, and answer
`{"count", "limit", "offset", "items"}`.

**Webhooks** (project approved, report submitted/returned, project turned red, results
published) are registered by an org admin on the web page *外发通知*.
"""


class UnicodeJSONRenderer(JSONRenderer):
    """JSON with Chinese text as is (readable in curl), not as \\uXXXX escapes."""

    json_dumps_params = {"ensure_ascii": False}


ERROR_STATUSES_READ = {
    "401": "Not authenticated (no, bad or revoked token)",
    "403": "Not allowed",
    "404": "Not found, or not visible to you",
    "422": "Invalid input (see `error.fields`)",
}
ERROR_STATUSES_WRITE = {
    "400": "Malformed request body (not JSON)",
    **ERROR_STATUSES_READ,
    "409": "Conflict: stale `version`, duplicate, or the record's state forbids it",
    "413": "Request body too large",
}


class TaizhangAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None):
        """Document the one error shape on every operation (the handlers are registered once
        for the whole API, so every operation can answer with it)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                statuses = ERROR_STATUSES_READ if method == "get" else ERROR_STATUSES_WRITE
                responses = operation.setdefault("responses", {})
                for status, description in statuses.items():
                    responses.setdefault(
                        status, {"description": description, "content": error_content}
                    )
        return schema


api = TaizhangAPI(
    title="Taizhang 台账 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    renderer=UnicodeJSONRenderer(),
    # Swagger UI from ninja's own static files (ninja is an installed app); no validator
    # badge, which would call validator.swagger.io from an intranet.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)
register_error_handlers(api)

api.add_router("", orgs.router)
api.add_router("", campaigns.router)
api.add_router("", projects.router)
api.add_router("", checkins.router)
api.add_router("", scores.router)
api.add_router("", exports.router)
api.add_router("", jobs.router)
api.add_router("", records.router)
