"""Login throttling, through the login view: 5 failures lock a username from an address."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from taizhang.core import login as login_module
from taizhang.users.tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    user = UserFactory(username="secretary")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, password: str, *, username: str = "secretary", ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_failures_lock_the_username_at_that_address_even_for_the_right_password(
    client, user, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    for _attempt in range(5):
        response = _login(client, "wrong")
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    text = response.content.decode()
    assert "登录失败次数过多" in text
    assert "15 分钟后再试" in text


def test_the_lock_is_per_username_and_address(client, user):
    other = UserFactory(username="member")
    other.set_password(PASSWORD)
    other.save()
    for _attempt in range(5):
        _login(client, "wrong")
    # The same person from another address, and another person from this one, still log in.
    assert _login(client, PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert _login(client, PASSWORD, username="member").status_code == 302


def test_fewer_failures_then_a_success_start_the_count_again(client, user):
    for _attempt in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        assert _login(client, "wrong").status_code == 200
    assert _login(client, PASSWORD).status_code == 302


def test_the_lock_ends_after_the_lockout(client, user, monkeypatch):
    start = login_module.now()
    for _attempt in range(5):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429
    monkeypatch.setattr(login_module, "now", lambda: start + 15 * 60 + 1)
    assert _login(client, PASSWORD).status_code == 302


def test_usernames_are_matched_without_case_and_the_message_is_translated(client, user):
    for _attempt in range(5):
        _login(client, "wrong", username="SECRETARY")
    with translation.override("en"):
        response = client.post(
            "/accounts/login/",
            {"username": "secretary", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.1",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 429
    assert "Too many failed" in response.content.decode()


def test_the_proxy_header_names_the_client_when_configured(client, user, settings):
    settings.TAIZHANG_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    for _attempt in range(5):
        client.post(
            reverse("login"),
            {"username": "secretary", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    locked = client.post(
        reverse("login"),
        {"username": "secretary", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.7",
    )
    assert locked.status_code == 429
    elsewhere = client.post(
        reverse("login"),
        {"username": "secretary", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert elsewhere.status_code == 302
