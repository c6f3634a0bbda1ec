"""Browser tests: Playwright driving Debian's Chromium against Django's live test server.

Chromium comes from Debian (`/usr/bin/chromium`, installed by scripts/ensure-services.sh);
Playwright's own browser download cannot work on these machines. Screenshots of each journey
step go to test-artifacts/screenshots/ (named in the README).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("TAIZHANG_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_browser() -> None:
    """In CI a missing browser is a failure, never a silent skip."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (make install installs it)")
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            raise AssertionError(f"{CHROMIUM} is missing: scripts/ensure-services.sh installs it")
        pytest.skip(f"{CHROMIUM} is missing (scripts/ensure-services.sh chromium installs it)")


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous, so Django's async guard must stand aside.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, username: str, password: str = "pass-1234") -> None:  # noqa: S107 - test users
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit], main form input[type=submit]")
    page.wait_for_load_state("networkidle")


def logout(page) -> None:
    page.click("form.logout button")
    page.wait_for_load_state("networkidle")


from taizhang.checkins.tests.conftest import checkin  # noqa: E402,F401 - shared fixture
