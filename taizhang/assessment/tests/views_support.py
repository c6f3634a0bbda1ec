"""Shared set-up for the assessment view tests (imported by the test_views_* modules)."""

from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from taizhang.assessment import services
from taizhang.assessment.tests.conftest import submit_report
from taizhang.campaigns.models import Project
from taizhang.checkins.models import Period


def html(response) -> str:
    return response.content.decode()


class _FormParser(HTMLParser):
    """The values a browser would submit from the first <form> whose class contains
    `css_class` (text inputs, hidden inputs, checked boxes, selected options, textareas)."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.inside = False
        self.done = False
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and self.css_class in (attrs.get("class") or ""):
            self.inside = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file"):
                return
            if kind == "checkbox":
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
                return
            self.data[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = attrs.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self.data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select" and self._select:
            self.data.setdefault(self._select, self._select_first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_data(page: str, css_class: str) -> dict[str, str]:
    parser = _FormParser(css_class)
    parser.feed(page)
    return parser.data


@dataclass
class Scored:
    scheme: object
    period: Period
    a1_top: Project  # branch a1, goal fully reached: 60.00 under the default scheme
    a1_half: Project  # branch a1, half way: 45.00
    a2: Project  # branch a2, 80 %: 54.00


@pytest.fixture(name="scored")
def scored_fixture(world, q3, running) -> Scored:
    """The default scheme on the company's campaign, three projects with Q3 reports."""
    scheme = services.scheme_create(
        actor=world.admin_company_a, campaign=world.campaign, spec=services.default_scheme_spec()
    )
    a1_top, (goal,) = running(title="独居石贸易创效")
    submit_report(a1_top, q3, {goal: 100})
    a1_half, (goal,) = running(title="银峰矿业低成本运行")
    submit_report(a1_half, q3, {goal: 50})
    a2, (goal,) = running(org=world.branch_a2, lead=world.lead_person_a2, title="生态修复")
    submit_report(a2, q3, {goal: 80})
    return Scored(scheme, q3, a1_top, a1_half, a2)
