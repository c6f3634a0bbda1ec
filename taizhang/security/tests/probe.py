"""Requests the security tests send: plausible form and JSON bodies, and the text of any reply."""

import io
import json
import zipfile
from functools import cache
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from .routes import Case
from .world import SecWorld


def text_of(response: HttpResponse) -> str:
    """The reply as text; an .xlsx/.docx (zip) is read member by member."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as book:
            return "\n".join(
                book.read(n).decode("utf-8", "replace")
                for n in book.namelist()
                if n.endswith((".xml", ".rels"))
            )
    return raw.decode("utf-8", "replace")


def form_data(sw: SecWorld) -> dict[str, Any]:
    """A form post that names branch A's records in every field a view might read."""
    r = sw.records
    return {
        "title": "b-write",
        "name": "b-write",
        "description": "b-write",
        "comment": "b-write",
        "reason": "b-write",
        "note": "b-write",
        "progress": "b-write",
        "findings": "b-write",
        "action": "terminate",
        "decision": "verify",
        "version": r["project"].lock_version,
        "expected_version": r["project"].lock_version,
        "org": r["org"].pk,
        "org_id": r["org"].pk,
        "campaign": r["campaign"].pk,
        "project": r["project"].pk,
        "period": r["period"].pk,
        "person": r["person"].pk,
        "lead": r["person"].pk,
        "member": r["person"].pk,
        "colleague": r["person"].pk,
        "url": "https://example.com/b",
        "events": "project.approved",
        "kind": "wecom",
        "amount": "1",
        "target": "1",
        "value": "1",
        "unit": "万元",
        "date": "2020-06-01",
        "start_date": "2020-01-01",
        "end_date": "2020-12-31",
        "deadline": "2020-06-10",
        "light": "red",
        "ids": [r["project"].pk],
    }


@cache
def _openapi() -> dict[str, Any]:
    from taizhang.api.api import api

    return api.get_openapi_schema()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = _openapi()["components"]["schemas"][name]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _resolve(options[0])
    return schema


def example(schema: dict[str, Any], sw: SecWorld, name: str = "", version: int = 1) -> Any:
    """A value the schema accepts; ids point at branch A's records."""
    schema = _resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        # Required fields only (and the version): optional ones have rules of their own.
        wanted = set(schema.get("required", [])) | {"version"}
        return {
            key: example(sub, sw, key, version)
            for key, sub in schema.get("properties", {}).items()
            if key in wanted
        }
    if kind == "array":
        return [example(schema.get("items", {}), sw, name, version)]
    if kind == "integer":
        if name == "version":
            return version
        record = sw.records.get(name.removesuffix("_id").removesuffix("_ids"))
        return record.pk if record is not None else 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2020-06-01"
    if schema.get("format") == "date-time":
        return "2020-06-01T08:00:00+08:00"
    return "b-write"


# Operations whose published schema is not the one they validate with: two input schemas
# share the name ReviewIn, and the OpenAPI document shows only the results-day one.
BODIES = {
    "POST /api/v1/reports/{report_id}/accept": lambda sw, v: {"version": v, "comment": "b"},
    "POST /api/v1/reports/{report_id}/return": lambda sw, v: {"version": v, "comment": "b"},
}


def api_request(case: Case, sw: SecWorld) -> tuple[str, dict[str, Any]]:
    """(url, client kwargs) for an API operation, with a body its schema accepts."""
    url = case.build(sw.records)
    method = case.method.lower()
    if method in ("get", "delete"):
        return url, {}
    _m, path = case.route.split(" ", 1)
    operation = _openapi()["paths"][path][method]
    content = operation.get("requestBody", {}).get("content", {})
    keys = case.keys
    version = getattr(sw.records[keys[0]], "lock_version", 1) if keys else 1
    if "multipart/form-data" in content:
        upload = SimpleUploadedFile("b.pdf", b"%PDF-1.4 b", content_type="application/pdf")
        return url, {"data": {"file": upload}}
    if case.route in BODIES:
        body = BODIES[case.route](sw, version)
        return url, {"data": json.dumps(body), "content_type": "application/json"}
    if "application/json" in content:
        body = example(content["application/json"]["schema"], sw, version=version)
        return url, {"data": json.dumps(body), "content_type": "application/json"}
    return url, {"data": "{}", "content_type": "application/json"}
