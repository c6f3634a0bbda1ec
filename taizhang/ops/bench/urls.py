"""The benchmark's urlconf: the production routes plus two baselines that exist only here.

Used only by `taizhang bench` (through override_settings), never by config.urls, so the
production URL space and the route-security registry do not see these routes.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI

from config.urls import urlpatterns as production_urlpatterns
from taizhang.api.api import UnicodeJSONRenderer
from taizhang.api.auth import SessionAuth, TokenAuth


def bare(request: HttpRequest) -> HttpResponse:
    """P1's baseline: nothing but the middleware stack the ledger also goes through."""
    return HttpResponse(b"ok", content_type="text/plain")


# Same authentication and renderer as the production API, so P2 compares the handler only.
bench_api = NinjaAPI(
    title="bench",
    version="bench",
    urls_namespace="bench-api",
    auth=[TokenAuth(), SessionAuth()],
    renderer=UnicodeJSONRenderer(),
    docs_url=None,
    openapi_url=None,
)


@bench_api.get("/constant")
def constant(request: HttpRequest) -> dict:
    """P2's baseline: a constant body through ninja's auth, routing and rendering."""
    return {"ok": True}


urlpatterns = [
    path("__bench__/bare/", bare),
    path("__bench__/api/", bench_api.urls),
    *production_urlpatterns,
]
