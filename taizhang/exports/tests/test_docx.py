"""The Word paperwork: content, typography, downloads and scope, and LibreOffice's opinion."""

import os
import shutil
import subprocess
import time
from io import BytesIO
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn

from taizhang.analysis.tests.conftest import TODAY, analysis  # noqa: F401 - fixture
from taizhang.checkins.models import Inspection
from taizhang.core.exceptions import DomainError
from taizhang.exports import docx_charts
from taizhang.exports.docx_application import build_application
from taizhang.exports.docx_common import DOCX_CONTENT_TYPE
from taizhang.exports.docx_inspection import build_inspection_record
from taizhang.exports.docx_summary import build_summary

CJK_FONTS = {"仿宋", "黑体", "宋体", "楷体"}
SUMMARY_HEADINGS = [
    "一、总体情况",
    "二、项目推进情况",
    "三、工作亮点",
    "四、存在问题",
    "五、整改落实情况",
    "六、三级联动情况",
    "七、考核得分与排名",
    "八、下步工作",
]


def summary_doc(world, analysis, user=None, org=None, period=None):  # noqa: F811
    content = build_summary(
        user or world.admin_company_a,
        campaign=analysis.campaign,
        org=org or world.company_a,
        period=period or analysis.q2,
        today=TODAY,
    )
    return Document(BytesIO(content))


def headings(document, level: int = 1) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def table_with(document, first_header: str, header: str):
    for table in document.tables:
        cells = [cell.text for cell in table.rows[0].cells]
        if cells[0] == first_header and header in cells:
            return table
    raise AssertionError(f"no table headed {first_header} … {header}")


def rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows[1:]]


def east_asia(style) -> str | None:
    """The Chinese font a paragraph style gives, following its base styles."""
    while style is not None:
        rpr = style.element.rPr
        if rpr is not None and rpr.rFonts is not None:
            name = rpr.rFonts.get(qn("w:eastAsia"))
            if name:
                return name
        style = style.base_style
    return None


def assert_office_typography(document) -> None:
    section = document.sections[0]
    assert abs(section.page_width.cm - 21) < 0.01
    assert abs(section.page_height.cm - 29.7) < 0.01
    assert abs(section.top_margin.cm - 2.54) < 0.01
    assert abs(section.left_margin.cm - 3.17) < 0.01
    styles = document.styles
    assert east_asia(styles["Normal"]) == "仿宋"
    assert east_asia(styles["Heading 1"]) == "黑体"
    assert east_asia(styles["Heading 2"]) == "楷体"
    assert east_asia(styles["Title"]) == "宋体"
    assert styles["Normal"].font.size.pt == 16
    for name in ("Normal", "Heading 1", "Heading 2", "Title", "Table Text"):
        fonts = styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:ascii")), name  # a Latin font is named too
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name  # no theme font overrides it
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    # Every paragraph, in the body and in tables, resolves to a Chinese font.
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    assert {east_asia(p.style) for p in paragraphs} <= CJK_FONTS
    # Table text is set by style id (docx_common.set_cell): it must name the real style.
    cell_styles = {
        p.style.name
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
    }
    assert cell_styles <= {"Table Text"}, cell_styles
    footer = section.footer._element.xml
    assert "PAGE" in footer and 'w:fldCharType="begin"' in footer


def test_summary_sections_figures_and_typography(world, analysis):  # noqa: F811
    document = summary_doc(world, analysis)
    assert_office_typography(document)
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == "2020年两带两创分析总结"
    assert headings(document) == SUMMARY_HEADINGS
    assert "（一）按项目类型" in headings(document, 2)
    text = all_text(document)
    assert "共有项目7个" in text and "已核定180.00万元" in text

    by_type = table_with(document, "项目类型", "项目数")
    assert rows(by_type) == [["创效", "4"], ["创新", "3"]]
    best = table_with(document, "序号", "目标达成度")
    assert [row[1] for row in rows(best)] == ["C0 项目C0", "A1 项目A1"]
    assert rows(best)[1][3:] == ["10.0%", "100.00", "91.50"]
    scores = table_with(document, "组织", "排名")
    assert rows(scores) == [
        ["甲二支部", "95.00", "1", "优秀", "2"],
        ["甲一支部", "90.25", "2", "优秀", "2"],
    ]
    benefit = table_with(document, "组织", "已核定")
    assert [row[0] for row in rows(benefit)] == ["公司甲（本级）", "甲一支部", "甲二支部"]
    open_items = table_with(document, "序号", "整改事项")
    assert [row[1] for row in rows(open_items)] == ["补齐二季度台账", "补充 1+N 结对"]
    # Problems and next steps quote the reports.
    assert "【红灯】A1 项目A1" in text and "受疫情影响，独居石到货推迟。" in text
    assert "【黄灯】C0 项目C0" in text and "报告未填写存在问题。" in text
    assert "加快独居石采购，争取三季度完成加工贸易。" in text
    assert "已发布的考核结果（第 1 版）。" in text
    assert document.paragraphs[-1].text == "2021年3月1日"


def test_summary_embeds_the_charts(world, analysis):  # noqa: F811
    document = summary_doc(world, analysis)
    if docx_charts.cjk_font() is None:
        assert len(document.inline_shapes) == 0
        assert "部分图表从略" in all_text(document)
    else:
        # type, area, lights, attainment, timeliness, benefit, scores
        assert len(document.inline_shapes) == 7
        assert all(
            shape.width.cm == pytest.approx(15, abs=0.01) for shape in document.inline_shapes
        )


def test_summary_of_a_branch_leaves_the_sibling_out(world, analysis):  # noqa: F811
    document = summary_doc(world, analysis, user=world.admin_a1, org=world.branch_a1)
    text = all_text(document)
    assert "甲一支部" in text
    assert "甲二支部" not in text and "B1" not in text and "C0" not in text
    assert rows(table_with(document, "项目类型", "项目数")) == [["创效", "2"], ["创新", "2"]]


def test_empty_period_is_refused_with_a_message(world, analysis):  # noqa: F811
    with pytest.raises(DomainError) as caught:
        summary_doc(world, analysis, period=analysis.q3)
    assert caught.value.code == "empty_period"
    assert (
        "2020年第3季度" in caught.value.message and "没有已提交的进展报告" in caught.value.message
    )


def test_application_has_the_project_goals_measures_and_participants(world, analysis):  # noqa: F811
    project = analysis.projects["A1"]
    document = Document(BytesIO(build_application(project)))
    assert_office_typography(document)
    assert document.paragraphs[0].text == "项目立项申报书"
    assert headings(document) == ["一、预期目标", "二、具体措施", "三、参与人员", "四、审批意见"]
    form = document.tables[0]
    assert form.rows[0].cells[0].text == "项目名称" and form.rows[0].cells[1].text == "项目A1"
    assert [cell.text for cell in form.rows[1].cells] == [
        "项目编号",
        "A1",
        "项目类型",
        "党组织带党员创效",
    ]
    goals = table_with(document, "序号", "指标名称")
    assert rows(goals) == [["1", "目标利润", "万元", "0", "500", "越高越好", "1"]]
    participants = table_with(document, "序号", "政治面貌")
    assert [row[1] for row in rows(participants)] == ["群众甲", "群众乙", "党员甲"]
    assert "未填写具体措施。" in all_text(document)
    assert "党支部意见" in all_text(document) and "签字（盖章）：" in all_text(document)


def test_inspection_record_has_findings_and_items(world, analysis):  # noqa: F811
    inspection = Inspection.objects.get(project=analysis.projects["A1"])
    document = Document(BytesIO(build_inspection_record(inspection)))
    assert_office_typography(document)
    assert document.paragraphs[0].text == "检查记录"
    form_text = all_text(document)
    assert "A1 项目A1（甲一支部）" in form_text
    assert "听汇报、查资料" in form_text and "良好" in form_text
    assert "台账记录不完整。\n佐证材料缺失。" in form_text
    items = table_with(document, "序号", "整改事项")
    assert [row[1:5] for row in rows(items)] == [
        ["上传贸易合同", "lead_a1", "2020-07-15", "已销号"],
        ["补齐二季度台账", "lead_a1", "2020-07-31", "整改中"],
    ]
    assert "检查人员（签字）" in form_text


# --------------------------------------------------------------------------- downloads


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    return unquote(disposition.split("filename*=utf-8''")[-1])


def test_summary_download(client, world, analysis):  # noqa: F811
    client.force_login(world.admin_company_a)
    url = reverse("documents:summary", args=[analysis.campaign.pk])
    response = client.get(url, {"org": world.company_a.pk, "period": analysis.q2.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert _filename(response) == "2020年两带两创-公司甲-2020年第2季度-分析总结.docx"
    assert headings(Document(BytesIO(response.content))) == SUMMARY_HEADINGS


def test_summary_of_an_empty_period_goes_back_with_the_reason(client, world, analysis):  # noqa: F811
    client.force_login(world.admin_company_a)
    url = reverse("documents:summary", args=[analysis.campaign.pk])
    response = client.get(url, {"org": world.company_a.pk, "period": analysis.q3.pk}, follow=True)
    dashboard = reverse("analysis:dashboard", args=[analysis.campaign.pk])
    assert response.redirect_chain[0][0].startswith(dashboard)
    assert response["Content-Type"].startswith("text/html")
    assert "没有已提交的进展报告，无法生成分析总结" in response.content.decode()


def test_downloads_out_of_scope_are_404(client, world, analysis):  # noqa: F811
    client.force_login(world.admin_a1)
    summary = reverse("documents:summary", args=[analysis.campaign.pk])
    assert client.get(summary, {"org": world.branch_a2.pk}).status_code == 404
    assert client.get(summary, {"org": world.branch_a1.pk, "period": 0}).status_code == 404
    sibling = analysis.projects["B1"]
    assert client.get(reverse("documents:application", args=[sibling.pk])).status_code == 404
    deleted = analysis.projects["X9"]
    assert client.get(reverse("documents:application", args=[deleted.pk])).status_code == 404
    unseen = Inspection.objects.get(target_org=world.branch_a2)
    record = reverse("documents:inspection_record", args=[unseen.pk])
    assert client.get(record).status_code == 404
    own = analysis.projects["A1"]
    assert client.get(reverse("documents:application", args=[own.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("documents:application", args=[own.pk])).status_code == 302


def test_pages_link_their_documents(client, world, analysis):  # noqa: F811
    client.force_login(world.admin_company_a)
    project = analysis.projects["A1"]
    html = client.get(reverse("campaigns:project_detail", args=[project.pk])).content.decode()
    assert reverse("documents:application", args=[project.pk]) in html
    inspection = Inspection.objects.get(project=project)
    html = client.get(reverse("checkins:inspection_detail", args=[inspection.pk])).content.decode()
    assert reverse("documents:inspection_record", args=[inspection.pk]) in html
    html = client.get(
        reverse("campaigns:campaign_detail", args=[analysis.campaign.pk])
    ).content.decode()
    assert reverse("analysis:dashboard", args=[analysis.campaign.pk]) in html
    assert reverse("documents:summary", args=[analysis.campaign.pk]) in html


# --------------------------------------------------------------------------- LibreOffice


def _soffice() -> str:
    """The LibreOffice binary. Missing on a developer's machine: skip; missing on CI: fail
    (scripts/ensure-services.sh installs libreoffice-writer-nogui there)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail("soffice is missing on CI: scripts/ensure-services.sh office installs it")
    pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")


def test_each_document_converts_to_pdf_with_libreoffice(world, analysis, tmp_path):  # noqa: F811
    soffice = _soffice()
    inspection = Inspection.objects.get(project=analysis.projects["A1"])
    documents = {
        "summary": build_summary(
            world.admin_company_a,
            campaign=analysis.campaign,
            org=world.company_a,
            period=analysis.q2,
            today=TODAY,
        ),
        "application": build_application(analysis.projects["A1"]),
        "inspection": build_inspection_record(inspection),
    }
    for name, content in documents.items():
        (tmp_path / f"{name}.docx").write_bytes(content)
    # A profile of its own: parallel test workers must not share LibreOffice's lock.
    profile = (tmp_path / "profile").as_uri()
    started = time.monotonic()
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
            *(str(tmp_path / f"{name}.docx") for name in documents),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    for name in documents:
        pdf = tmp_path / f"{name}.pdf"
        assert pdf.exists(), f"{name}: {result.stdout} {result.stderr}"
        assert pdf.stat().st_size > 1000, name
        assert pdf.read_bytes().startswith(b"%PDF")
    print(f"soffice converted {len(documents)} documents in {elapsed:.1f} s")


def test_summary_follows_the_active_language(world, analysis):  # noqa: F811
    with translation.override("en"):
        document = summary_doc(world, analysis)
    assert headings(document)[0] == "1. Overview"
    assert headings(document, 2)[0] == "(1) By project type"
    assert "[Red] A1 项目A1 (甲一支部, lead lead_a1)" in all_text(document)
