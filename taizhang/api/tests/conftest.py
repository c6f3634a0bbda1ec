"""API test helpers: tokens for the `world` users and a client that speaks JSON with them."""

import json
from typing import Any

import pytest
from django.test import Client

from taizhang.api import services
from taizhang.checkins.tests.conftest import checkin  # noqa: F401 - shared fixture

API = "/api/v1"


class ApiClient:
    """The Django test client with `Authorization: Bearer <token>` and JSON bodies."""

    def __init__(self, token: str | None, client: Client | None = None) -> None:
        self.token = token
        self.client = client or Client()

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def _url(self, path: str) -> str:
        return path if path.startswith("/api/") else f"{API}{path}"

    def get(self, path: str, params: dict[str, Any] | None = None, **kw: Any):
        return self.client.get(
            self._url(path), params or {}, headers=self._headers(kw.get("headers"))
        )

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ):
        data = raw if raw is not None else ("" if body is None else json.dumps(body, default=str))
        return getattr(self.client, method)(
            self._url(path), data=data, content_type=content_type, headers=self._headers(headers)
        )

    def post(self, path: str, body: Any = None, **kw: Any):
        return self.send("post", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any):
        return self.send("put", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any):
        return self.send("patch", path, body, **kw)

    def delete(self, path: str, **kw: Any):
        return self.client.delete(self._url(path), headers=self._headers(kw.get("headers")))


def make_token(user, scope: str = "write") -> str:
    _token, raw = services.token_create(actor=user, name=f"{user.username}-{scope}", scope=scope)
    return raw


@pytest.fixture
def api():
    """api(user, scope="write") → an ApiClient acting as `user` through a fresh token."""

    def as_user(user, scope: str = "write") -> ApiClient:
        return ApiClient(make_token(user, scope))

    return as_user


def error_of(response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "fields", "details"} <= set(body["error"]), body
    return body["error"]
