"""Stored XSS: branch A1's records carry a payload in every user-editable text (world.py, via
the services where they exist); every page of the registry that can show them is read by the
users who may see them, and the payload must arrive escaped. Exports: the .xlsx cells stay
plain strings (a leading "=" never becomes a formula) and .docx text is XML-escaped."""

import io

import openpyxl
import pytest
from django.test import Client

from taizhang.security.tests.probe import text_of
from taizhang.security.tests.routes import CASES
from taizhang.security.tests.world import A_MARK, CO_MARK, XSS_ESCAPED

RAW = ("<script>alert(1)", "<img src=x onerror=alert(1)>")
# The users who see branch A1's records: the branch's admin and lead (owners of the jobs,
# imports, tokens and notifications) and the company's admin (the campaign owner).
READERS = ("admin_a1", "lead_a1", "admin_company_a")
PAGES = sorted(r for r, c in CASES.items() if not c.admin and (c.method or "GET") == "GET")


def _get(sw, who: str, route: str):
    client = Client()
    client.force_login(getattr(sw, who))
    return client.get(CASES[route].build(sw.records))


@pytest.mark.parametrize("route", PAGES)
def test_payload_is_escaped_on_every_page(sw, route):
    for who in READERS:
        response = _get(sw, who, route)
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or kind.startswith("application/json"):
            # JSON is data, not markup: the API returns texts as stored; its clients escape.
            continue
        body = text_of(response)
        for raw in RAW:
            assert raw not in body, (route, who, "unescaped payload")


# Pages that show the texts in full: the payload must be there, escaped (so the sweep above
# cannot pass by the page showing nothing).
SHOWN = [
    ("campaigns/", "lead_a1"),
    ("campaigns/projects/<int:project_id>/", "admin_a1"),
    ("campaigns/<int:campaign_id>/ledger/", "admin_company_a"),
    ("checkins/reports/<int:report_id>/", "admin_a1"),
    ("checkins/claims/<int:claim_id>/", "admin_a1"),
    ("checkins/inspections/<int:inspection_id>/", "admin_a1"),
    ("checkins/inbox/", "lead_a1"),
    ("jobs/", "admin_a1"),
]


@pytest.mark.parametrize(("route", "who"), SHOWN)
def test_payload_is_shown_escaped(sw, route, who):
    response = _get(sw, who, route)
    assert response.status_code == 200, (route, response.status_code)
    body = response.content.decode()
    assert (A_MARK in body or CO_MARK in body) and XSS_ESCAPED in body, route


def test_ledger_xlsx_cells_are_plain_strings(sw):
    """A title starting with "=" is a string cell in the export, never a formula."""
    from taizhang.campaigns.models import Project

    Project.objects.filter(pk=sw.records["project"].pk).update(title=f"=HYPERLINK(1){A_MARK}")
    client = Client()
    client.force_login(sw.admin_company_a)
    response = client.get(f"/exports/ledger/{sw.records['campaign'].pk}/")
    assert response.status_code == 200, response.status_code
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(raw))
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    marked = [c for c in cells if A_MARK in str(c.value)]
    assert marked, "the export lost branch A1's texts"
    assert all(c.data_type == "s" for c in marked), [(c.coordinate, c.data_type) for c in marked]
    assert not any(str(c.value).startswith("=") and c.data_type == "f" for c in cells)


def test_notification_emails_are_plain_text(sw, mailoutbox):
    """Inbox entries (with the payload in title and body) go out as text/plain only, so a mail
    client never renders the payload as markup."""
    from taizhang.checkins.reminders import send_pending_emails

    sw.lead_a1.email = "lead_a1@example.com"
    sw.lead_a1.save(update_fields=["email"])
    assert send_pending_emails() >= 1
    mine = [m for m in mailoutbox if m.to == ["lead_a1@example.com"]]
    assert mine and all(A_MARK in m.body for m in mine)
    for message in mine:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", [])
        assert "\n" not in message.subject
