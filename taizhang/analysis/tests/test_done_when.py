"""Issue 5's last "done when", through the pages a user clicks: on the demo, open the
dashboard for Q3, download the 分析总结 it links, and have LibreOffice convert it to PDF
(it opens cleanly). The converter itself is tested on hand-made data in
exports/tests/test_docx.py; this is the demo, end to end."""

import html
import re
import subprocess
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from taizhang.campaigns.models import Campaign
from taizhang.checkins.models import Period
from taizhang.exports.docx_common import DOCX_CONTENT_TYPE
from taizhang.exports.tests.test_docx import SUMMARY_HEADINGS, _soffice, headings
from taizhang.users.models import User

SUMMARY_LINK = re.compile(r'href="([^"]*/summary\.docx\?[^"]*)"')


@pytest.fixture
def demo(db):
    call_command("demo", stdout=StringIO())
    return Campaign.objects.get(name="2020年“两带两创”活动")


def _summary_from_the_dashboard(client, campaign, period) -> bytes:
    page = client.get(reverse("analysis:dashboard", args=[campaign.pk]), {"period": period.pk})
    assert page.status_code == 200
    links = SUMMARY_LINK.findall(page.content.decode())
    assert links, "the dashboard links the summary of what it shows"
    url = html.unescape(links[0])
    assert f"period={period.pk}" in url
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    return response.content


@pytest.mark.parametrize("username", ["sector", "secretary"])
def test_the_demo_q3_summary_downloads_and_converts_to_pdf(client, demo, username, tmp_path):
    soffice = _soffice()
    client.force_login(User.objects.get(username=username))
    q3 = Period.objects.get(campaign=demo, name="2020年第3季度")
    content = _summary_from_the_dashboard(client, demo, q3)
    document = Document(BytesIO(content))
    assert headings(document) == SUMMARY_HEADINGS
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2020年第3季度" in text
    source = tmp_path / "summary.docx"
    source.write_bytes(content)
    # A profile of its own: parallel test workers must not share LibreOffice's lock.
    profile = (tmp_path / "profile").as_uri()
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "summary.pdf"
    assert pdf.exists(), f"{result.stdout} {result.stderr}"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
