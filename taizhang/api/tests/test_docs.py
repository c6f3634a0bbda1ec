"""OpenAPI at /api/v1/openapi.json and interactive docs at /api/v1/docs that load nothing
from another host (intranets are cut off from the internet)."""

import re

from django.contrib.staticfiles import finders
from django.test import Client

ALLOWED_HOSTS_IN_HTML = {"www.w3.org"}  # XML namespaces, never fetched


def test_openapi_schema_is_served_and_documents_the_error_shape(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"].startswith("Taizhang")
    assert "/api/v1/projects" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    create = schema["paths"]["/api/v1/projects"]["post"]
    assert {"201", "400", "401", "403", "404", "409", "413", "422"} <= set(create["responses"])
    assert create["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert schema["components"]["schemas"]["ProjectCreateIn"]["additionalProperties"] is False
    assert "version" in schema["components"]["schemas"]["ProjectUpdateIn"]["required"]


def test_docs_page_loads_only_local_assets(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    hosts = set(re.findall(r"(?:https?:)?//([a-zA-Z0-9.-]+)", html))
    assert hosts <= ALLOWED_HOSTS_IN_HTML, hosts
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    # No validator badge (it would call validator.swagger.io).
    assert '"validatorUrl": null' in html


def test_swagger_init_script_calls_no_external_host(db):
    with open(finders.find("ninja/swagger-ui-init.js"), encoding="utf-8") as handle:
        script = handle.read()
    assert not re.search(r"https?://", script.replace("// ", ""))


def test_every_schema_class_has_a_name_of_its_own():
    """OpenAPI keys components by class name: two schemas called alike (there were two
    ReviewIn) leave one operation documented with the other's fields."""
    import importlib
    import pkgutil

    from ninja import Schema

    import taizhang.api.schemas as package

    owners: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                owners.setdefault(name, set()).add(module.__name__)
    assert owners  # the walk found the schemas
    assert {name: mods for name, mods in owners.items() if len(mods) > 1} == {}
