"""Stored XSS (issue 7, item 5): a payload in every text field, rendered escaped in every page,
email and export.

Data-driven: `saturate()` (world.py) writes the payload, behind a spreadsheet formula where the
column is long enough, into every user-editable CharField/TextField of every domain row of the
suite's world (history rows included), straight into the database as an import or a hostile
client might. Then:

- pages: every GET route of the registry is read by the users who see branch A1's records; no
  raw payload may arrive (and a few pages must show it, escaped, so the sweep cannot pass by
  showing nothing);
- files: every GET route answering with an .xlsx or .docx is collected; spreadsheet cells are
  strings, never formulas, and Word text carries the payload as literal, XML-escaped text;
- emails: the reminder run (inbox entries built from the loaded texts) mails text/plain only;
- webhooks: robot messages and outgoing webhook bodies carry the texts as JSON data, verbatim.
"""

import datetime as dt
import io
import json
import re
import zipfile

import docx
import openpyxl
import pytest
from django.test import Client

from taizhang.security.tests.probe import text_of
from taizhang.security.tests.routes import CASES
from taizhang.security.tests.world import (
    A_MARK,
    CO_MARK,
    FORMULA,
    XSS,
    XSS_ESCAPED,
    XSS_RAW,
    XSS_SHORT,
    saturate,
)

RAW = ("<script>alert(1)", "<img src=x onerror=alert(1)>", XSS_SHORT)
# The users who see branch A1's records: the branch's admin and lead (owners of the jobs,
# imports, tokens and notifications) and the company's admin (the campaign owner).
READERS = ("admin_a1", "lead_a1", "admin_company_a")
PAGES = sorted(r for r, c in CASES.items() if not c.admin and (c.method or "GET") == "GET")


@pytest.fixture(scope="module", autouse=True)
def loaded(sec, django_db_blocker) -> dict[str, list[str]]:
    """The payload in every text column, inside the module's rolled-back transaction."""
    with django_db_blocker.unblock():
        return saturate()


def test_payload_reaches_the_texts_users_write(db, loaded):
    """The control of the sweep: the columns the pages show are among the loaded ones."""
    for label, column in (
        ("campaigns.Project", "title"),
        ("campaigns.Measure", "description"),
        ("checkins.ProgressReport", "progress"),
        ("checkins.Inspection", "findings"),
        ("orgs.Person", "name"),
        ("orgs.Org", "name"),
        ("assessment.ManualEntry", "note"),
        ("campaigns.HistoricalProject", "history_change_reason"),
    ):
        assert column in loaded.get(label, []), (label, column)


# Query strings a route needs to show the loaded records: the assessment sheet and the
# summary default to the current period; the world's report and draft run are the first's.
QUERY = {
    "documents/campaigns/<int:campaign_id>/summary.docx": "?period={period}",
    "GET /api/v1/campaigns/{campaign_id}/exports/summary": "?period={period}",
    "exports/campaigns/<int:campaign_id>/assessment-sheet.xlsx": "?period={period}&run=draft",
    "GET /api/v1/campaigns/{campaign_id}/exports/assessment-sheet": "?period={period}&run=draft",
}


def _get(sw, who: str, route: str):
    client = Client()
    client.force_login(getattr(sw, who))
    query = QUERY.get(route, "").format(period=sw.records["period"].pk)
    return client.get(CASES[route].build(sw.records) + query)


def _raw(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# --------------------------------------------------------------------------- pages


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
            assert raw not in body, (route, who, raw, "unescaped payload")


# Pages that show the texts in full: the payload must be there, escaped (so the sweep above
# cannot pass by the page showing nothing).
SHOWN = [
    ("campaigns/", "lead_a1"),
    ("campaigns/projects/<int:project_id>/", "admin_a1"),
    ("campaigns/projects/<int:project_id>/history/", "admin_a1"),
    ("campaigns/<int:campaign_id>/ledger/", "admin_company_a"),
    ("campaigns/<int:campaign_id>/trash/", "admin_a1"),
    ("checkins/reports/<int:report_id>/", "admin_a1"),
    ("checkins/claims/<int:claim_id>/", "admin_a1"),
    ("checkins/inspections/<int:inspection_id>/", "admin_a1"),
    ("checkins/inbox/", "lead_a1"),
    ("assessment/campaigns/<int:campaign_id>/entries/", "admin_company_a"),
    ("jobs/", "admin_a1"),
    ("webhooks/", "admin_a1"),
]


@pytest.mark.parametrize(("route", "who"), SHOWN)
def test_payload_is_shown_escaped(sw, route, who):
    response = _get(sw, who, route)
    assert response.status_code == 200, (route, response.status_code)
    body = response.content.decode()
    assert (A_MARK in body or CO_MARK in body) and XSS_ESCAPED in body, route


# --------------------------------------------------------------------------- files


def _file_kind(raw: bytes) -> str | None:
    if raw[:2] != b"PK":
        return None
    names = set(zipfile.ZipFile(io.BytesIO(raw)).namelist())
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return None


@pytest.fixture(scope="module")
def files(sec, loaded, django_db_blocker) -> dict[str, tuple[str, bytes]]:
    """route -> (kind, bytes) of every GET route that answers with a spreadsheet or a Word
    file, found by reading every route rather than by a list of exports."""
    out: dict[str, tuple[str, bytes]] = {}
    with django_db_blocker.unblock():
        for route in PAGES:
            for who in ("admin_company_a", "admin_a1"):
                response = _get(sec, who, route)
                if response.status_code != 200:
                    continue
                raw = _raw(response)
                kind = _file_kind(raw)
                if kind:
                    out[route] = (kind, raw)
                break
        out.update(_background_ledger(sec))
    return out


def _background_ledger(sw) -> dict[str, tuple[str, bytes]]:
    """The ledger exported as a job, as the API starts one, then fetched the two ways a job's
    file is downloaded (the records' job has no file, so the route walk above skips them)."""
    from taizhang.api.tests.conftest import make_token
    from taizhang.exports.ledger_tasks import ledger_export_task

    client = Client()
    campaign = sw.records["campaign"]
    started = client.post(
        f"/api/v1/campaigns/{campaign.pk}/exports/ledger",
        {"background": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {make_token(sw.admin_company_a)}"},
    )
    assert started.status_code == 202, started.content
    job_id = started.json()["id"]
    ledger_export_task.call(job_id)  # the worker's part, here rather than after a commit
    browser = Client()
    browser.force_login(sw.admin_company_a)
    out = {}
    for route, url in (
        ("GET /api/v1/jobs/{job_id}/file", f"/api/v1/jobs/{job_id}/file"),
        ("jobs/<int:job_id>/download/", f"/jobs/{job_id}/download/"),
    ):
        response = browser.get(url)
        assert response.status_code == 200, (route, response.status_code)
        out[route] = ("xlsx", _raw(response))
    return out


# The outputs that exist today: the search above must find at least these (a new export is
# picked up without being listed here).
XLSX = {
    "exports/ledger/<int:campaign_id>/",
    "exports/campaigns/<int:campaign_id>/assessment-sheet.xlsx",
    "GET /api/v1/campaigns/{campaign_id}/exports/assessment-sheet",
    "imports/campaigns/<int:campaign_id>/template.xlsx",
    # The background ledger export (_background_ledger).
    "GET /api/v1/jobs/{job_id}/file",
    "jobs/<int:job_id>/download/",
}
DOCX = {
    "documents/campaigns/<int:campaign_id>/summary.docx",
    "documents/inspections/<int:inspection_id>/record.docx",
    "documents/projects/<int:project_id>/application.docx",
    "GET /api/v1/campaigns/{campaign_id}/exports/summary",
    "GET /api/v1/inspections/{inspection_id}/exports/record",
    "GET /api/v1/projects/{project_id}/exports/application",
}
# Spreadsheets that list the loaded records (the template holds headings and choices only).
XLSX_WITH_RECORDS = XLSX - {"imports/campaigns/<int:campaign_id>/template.xlsx"}


def test_every_export_is_found(db, files):
    found = {kind: {r for r, (k, _raw) in files.items() if k == kind} for kind in ("xlsx", "docx")}
    assert found["xlsx"] >= XLSX, XLSX - found["xlsx"]
    assert found["docx"] >= DOCX, DOCX - found["docx"]


def test_xlsx_cells_are_plain_strings_never_formulas(db, files):
    """A text beginning with "=" is a string cell in every spreadsheet, never a formula, and
    no formula the export does write carries a loaded text."""
    books = {r: raw for r, (kind, raw) in files.items() if kind == "xlsx"}
    assert books
    for route, raw in books.items():
        book = openpyxl.load_workbook(io.BytesIO(raw))
        cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
        formulas = [c for c in cells if c.data_type == "f"]
        assert not [c.coordinate for c in formulas if "evil.example" in str(c.value)], route
        assert not [c.coordinate for c in formulas if "zqx" in str(c.value)], route
        if route in XLSX_WITH_RECORDS:
            loaded = [c for c in cells if str(c.value).startswith(FORMULA)]
            assert loaded, (route, "lost the loaded texts")
            assert all(c.data_type == "s" for c in loaded), route
            assert any(XSS in str(c.value) for c in cells), (route, "payload not verbatim")


def _docx_text(raw: bytes) -> str:
    document = docx.Document(io.BytesIO(raw))
    parts = [p.text for p in document.paragraphs]

    def cells(tables) -> None:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(document.tables)
    return "\n".join(parts)


def test_docx_shows_the_payload_as_literal_text(db, files):
    """Word files parse (a raw "<" would break their XML) and read the payload back as
    text: escaped in the XML, literal in the document."""
    documents = {r: raw for r, (kind, raw) in files.items() if kind == "docx"}
    assert documents
    for route, raw in documents.items():
        text = _docx_text(raw)
        assert XSS_RAW in text, (route, "the payload is not in the text")
        xml = zipfile.ZipFile(io.BytesIO(raw)).read("word/document.xml").decode()
        assert "<script>" not in xml and "&lt;script&gt;" in xml, route


# --------------------------------------------------------------------------- email, webhooks


@pytest.fixture
def reminded(sw, mailoutbox, monkeypatch):
    """One reminder run over the loaded data, every user with an address; robot messages are
    captured instead of posted. Returns (mails, robot payloads)."""
    from taizhang.checkins import reminders
    from taizhang.users.models import User

    for user in User.objects.all():
        User.objects.filter(pk=user.pk).update(email=f"user{user.pk}@example.com")
    posted: list[dict] = []

    def capture(url: str, payload: dict, timeout: float = 5.0) -> int:
        posted.append(json.loads(json.dumps(payload, ensure_ascii=False)))
        return 200

    monkeypatch.setattr(reminders, "post_json", capture)
    # Long after every deadline and rectification date of the world: everything is due.
    result = reminders.run(today=dt.date(2021, 6, 1))
    assert result.emails == len(mailoutbox)
    return mailoutbox, posted


def test_emails_are_plain_text_carrying_the_payload_verbatim(reminded):
    """Every mail the system sends (reminders and inbox entries) is text/plain only, so no
    mail client renders the payload as markup; the texts arrive as stored, not mangled."""
    mails, _posted = reminded
    assert mails
    for message in mails:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", [])
        assert not message.attachments
        assert "\n" not in message.subject and "\r" not in message.subject
    texts = [f"{m.subject}\n{m.body}" for m in mails]
    assert any(XSS in t and A_MARK in t for t in texts), "no mail carries a loaded text"
    assert not any("&lt;" in t for t in texts), "text mail HTML-escaped (double escaping)"


def test_robot_messages_carry_the_texts_as_literal_markdown(reminded):
    """Group-robot messages are JSON holding markdown: the loaded text arrives, but as
    literal text: no tag (WeCom renders some inline HTML), no link, no HTML entities."""
    _mails, posted = reminded
    assert posted
    contents = [json.dumps(p, ensure_ascii=False) for p in posted]
    assert any(A_MARK in c for c in contents)
    loaded = 0
    for payload in posted:
        text = payload["markdown"].get("content") or payload["markdown"]["text"]
        assert isinstance(text, str)
        assert "&lt;" not in text
        if A_MARK in text:
            loaded += 1
            # Outside backslash escapes, none of markdown's link, image, code or tag marks.
            unescaped = re.sub(r"\\.", "", text)
            assert not set("[]()<>`!") & set(unescaped), text
            if "script" in text:  # short columns hold only the formula (world.saturate)
                assert "＜script＞" in text, text
    assert loaded


def test_webhook_bodies_carry_the_texts_as_json_data(sw):
    """Outgoing webhook bodies are JSON built with json.dumps: a loaded title comes back
    from the body exactly as stored, as data."""
    from taizhang.checkins.models import ProgressReport
    from taizhang.checkins.services import report_event_data
    from taizhang.webhooks.models import Endpoint
    from taizhang.webhooks.services import queue

    Endpoint.objects.filter(pk=sw.records["endpoint"].pk).update(events=["report.submitted"])
    report = ProgressReport.objects.select_related("project__org", "period").get(
        pk=sw.records["report"].pk
    )
    assert XSS in report.project.title
    deliveries = queue("report.submitted", report_event_data(report), report.project.org)
    assert deliveries
    for delivery in deliveries:
        body = json.loads(delivery.body)
        assert body["data"]["project"]["title"] == report.project.title
        assert body["data"]["report"]["period"] == report.period.name
        assert body["org"]["name"] == report.project.org.name
