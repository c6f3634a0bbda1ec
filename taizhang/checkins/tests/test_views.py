"""Check-in pages: writing, reviewing, returning and resubmitting a report in the browser,
bad input on the report form, the report page, and the scope rule on every route.

Scope rule tested throughout: an object of branch a1 answers 404 to a user of the sibling
branch a2, exactly like a missing one; a page the user may see but not act on is a 403.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.checkins import services
from taizhang.checkins.models import (
    Evidence,
    IndicatorReading,
    MeasureUpdate,
    Notification,
    ProgressReport,
    RectificationItem,
    ReportStatus,
)
from taizhang.checkins.services import RectificationInput
from taizhang.checkins.tests.test_services import _fill, at, pdf


def _edit_url(checkin, period) -> str:
    return reverse("checkins:report_edit", args=[checkin.project.pk, period.pk])


def _payload(checkin, action: str = "save", **overrides) -> dict:
    """What the browser posts from the report form."""
    measure_ids = list(checkin.project.measures.values_list("pk", flat=True))
    data = {
        "progress": "完成独居石首单采购",
        "problems": "运输受阻",
        "next_steps": "扩大采购",
        f"actual_{checkin.profit.pk}": "250",
        f"actual_{checkin.loss.pk}": "60",
        "action": action,
    }
    for measure_id in measure_ids:
        data[f"measure_{measure_id}_status"] = "in_progress"
        data[f"measure_{measure_id}_percent"] = "40"
        data[f"measure_{measure_id}_note"] = ""
    data.update(overrides)
    return data


def _html(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- the whole cycle


def test_submit_review_return_resubmit_through_the_pages(client, world, checkin):
    """lead writes → admin returns → lead fixes and resubmits → admin accepts."""
    q2 = checkin.periods[1]
    url = _edit_url(checkin, q2)

    # The lead opens the form: nothing is written by looking at it.
    client.force_login(world.lead_a1)
    response = client.get(url)
    assert response.status_code == 200
    html = _html(response)
    assert "目标利润" in html and "经营亏损" in html and "独居石贸易" in html
    assert "越低越好" in html  # the direction of each goal is shown
    assert not ProgressReport.objects.exists()

    # Save a draft with a file.
    response = client.post(url, {**_payload(checkin), "file": pdf("进展.pdf")})
    assert response.status_code == 302 and response["Location"] == url
    report = ProgressReport.objects.get(project=checkin.project, period=q2)
    assert report.status == ReportStatus.DRAFT
    assert report.progress == "完成独居石首单采购"
    assert IndicatorReading.objects.get(report=report, goal=checkin.profit).actual == 250
    assert MeasureUpdate.objects.get(report=report, measure=checkin.measure).percent_complete == 40
    assert report.evidence.get().name == "进展.pdf"
    html = _html(client.get(url))
    assert 'value="250"' in html and "进展.pdf" in html

    # Submit.
    response = client.post(url, _payload(checkin, "submit"))
    report.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("checkins:report_detail", args=[report.pk])
    assert (report.status, report.revision) == (ReportStatus.SUBMITTED, 1)
    assert report.computed_light and report.submitted_by == world.lead_a1
    checkin.measure.refresh_from_db()
    assert checkin.measure.percent_complete == 40
    # A submitted report is locked: the edit page sends the lead to the report.
    assert client.get(url)["Location"] == reverse("checkins:report_detail", args=[report.pk])
    # The lead cannot review their own report.
    review_url = reverse("checkins:report_review", args=[report.pk])
    response = client.post(review_url, {"action": "accept"})
    assert "您无权审核该报告。" in _html(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    # The branch admin sees the review box and returns it with a comment.
    client.force_login(world.admin_a1)
    detail_url = reverse("checkins:report_detail", args=[report.pk])
    html = _html(client.get(detail_url))
    assert "审核通过" in html and "退回修改" in html
    response = client.post(review_url, {"action": "return", "comment": ""})
    assert response.status_code == 200
    assert "退回时请填写意见。" in _html(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    response = client.post(review_url, {"action": "return", "comment": "请补充利润数据来源"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.review_comment) == (ReportStatus.RETURNED, "请补充利润数据来源")
    assert Notification.objects.filter(user=world.lead_a1, kind="report_returned").exists()

    # The lead sees the comment, fixes the report and resubmits.
    client.force_login(world.lead_a1)
    html = _html(client.get(url))
    assert "请补充利润数据来源" in html
    response = client.post(
        url,
        _payload(
            checkin, "submit", progress="补充了数据来源", **{f"actual_{checkin.profit.pk}": "260"}
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.revision) == (ReportStatus.SUBMITTED, 2)
    assert report.progress == "补充了数据来源"

    # The admin accepts with a comment.
    client.force_login(world.admin_a1)
    response = client.post(review_url, {"action": "accept", "comment": "同意"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.review_comment) == (
        ReportStatus.ACCEPTED,
        world.admin_a1,
        "同意",
    )

    # Every version stays visible on the report page, with who and what was said.
    html = _html(client.get(detail_url))
    assert html.count("第 1 次提交") >= 2 and "第 2 次提交" in html
    assert "请补充利润数据来源" in html and "同意" in html
    assert "完成独居石首单采购" in html  # the first submitted text, in the history
    assert "补充了数据来源" in html
    assert "审核通过" in html and "退回" in html


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", ["abc", "十二", "1e20"])
def test_non_numeric_actual_shows_error_and_saves_nothing(client, world, checkin, bad):
    url = _edit_url(checkin, checkin.periods[0])
    client.force_login(world.lead_a1)
    payload = _payload(checkin, **{f"actual_{checkin.loss.pk}": bad})
    response = client.post(url, {**payload, "file": pdf()})
    assert response.status_code == 200
    html = _html(response)
    assert "经营亏损" in html
    assert "不是数字" in html or "数值过大" in html
    assert f'value="{bad}"' in html  # what was typed stays in the form
    assert not ProgressReport.objects.exists()
    assert not IndicatorReading.objects.exists() and not Evidence.all_objects.exists()


def test_bad_percentage_is_refused(client, world, checkin):
    client.force_login(world.lead_a1)
    response = client.post(
        _edit_url(checkin, checkin.periods[0]),
        _payload(checkin, **{f"measure_{checkin.measure.pk}_percent": "150"}),
    )
    assert response.status_code == 200
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("virus.exe", b"MZ"), "不支持的文件类型"),
        (SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * 64), "文件过大"),
    ],
)
def test_disallowed_or_oversize_evidence_is_refused(
    client, world, checkin, settings, upload, message
):
    settings.TAIZHANG_ATTACHMENT_MAX_BYTES = 32
    url = _edit_url(checkin, checkin.periods[0])
    client.force_login(world.lead_a1)
    # A good file next to the bad one is not kept either.
    good = SimpleUploadedFile("ok.txt", b"ok")
    response = client.post(url, {**_payload(checkin), "file": [good, upload]})
    assert response.status_code == 200
    assert message in _html(response)
    assert not ProgressReport.objects.exists()
    assert not Evidence.all_objects.exists()


def test_report_for_closed_period_is_refused(client, world, checkin):
    q1 = services.period_update(
        actor=world.admin_company_a, period=checkin.periods[0], is_closed=True
    )
    url = _edit_url(checkin, q1)
    client.force_login(world.lead_a1)
    assert "已关闭，不能再填报" in _html(client.get(url))
    response = client.post(url, _payload(checkin, "submit"))
    assert response.status_code == 200
    assert "已关闭，不能再填报" in _html(response)
    assert not ProgressReport.objects.exists()


def test_submit_without_every_actual_keeps_nothing(client, world, checkin):
    client.force_login(world.lead_a1)
    payload = _payload(checkin, "submit", **{f"actual_{checkin.loss.pk}": ""})
    response = client.post(_edit_url(checkin, checkin.periods[0]), payload)
    assert response.status_code == 200
    assert "请填写以下指标的实际值：经营亏损" in _html(response)
    assert not ProgressReport.objects.exists()


def test_only_writers_get_the_report_form(client, world, checkin):
    url = _edit_url(checkin, checkin.periods[0])
    for user in (world.participant_a1, world.admin_a1, world.viewer_group):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, _payload(checkin)).status_code == 403
    assert not ProgressReport.objects.exists()


def test_period_of_another_campaign_is_404(client, world, checkin):
    from taizhang.campaigns.tests.factories import CampaignFactory

    other = CampaignFactory(org=world.company_a)
    period = services.periods_generate(actor=world.admin_company_a, campaign=other)[0]
    client.force_login(world.lead_a1)
    assert client.get(_edit_url(checkin, period)).status_code == 404


# --------------------------------------------------------------------------- report page


def test_report_page_shows_figures_light_override_and_evidence(client, world, checkin):
    report = _fill(world, checkin, checkin.periods[1], profit="50", loss="110")
    services.evidence_add(actor=world.lead_a1, upload=pdf("合同.pdf"), report=report)
    report = services.report_submit(actor=world.lead_a1, report=report, now=at(dt.date(2020, 7, 1)))
    assert report.light == "red"
    url = reverse("checkins:report_detail", args=[report.pk])
    client.force_login(world.lead_a1)
    html = _html(client.get(url))
    assert "按时提交" in html and "红灯" in html
    assert "合同.pdf" in html
    # attainment: profit 10 % (weight 3), loss 8 % (weight 1) → 10 %; elapsed ≈ 50 %.
    assert "10%" in html and "50%" in html

    light_url = reverse("checkins:report_light", args=[report.pk])
    response = client.post(light_url, {"light": "amber", "reason": ""})
    assert response.status_code == 200
    assert "调整灯号必须填写理由。" in _html(response)
    report.refresh_from_db()
    assert report.override_light == ""
    response = client.post(light_url, {"light": "amber", "reason": "合同已签，款项下季度到账"})
    assert response.status_code == 302
    html = _html(client.get(url))
    assert "黄灯" in html and "合同已签，款项下季度到账" in html and "计算灯号：红灯" in html

    # The file is served through the report's visibility check.
    evidence = report.evidence.get()
    download = client.get(reverse("checkins:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_viewer_reads_a_report_but_gets_no_forms(client, world, checkin):
    report = services.report_submit(
        actor=world.lead_a1,
        report=_fill(world, checkin, checkin.periods[1]),
        now=at(dt.date(2020, 7, 1)),
    )
    client.force_login(world.viewer_group)
    html = _html(client.get(reverse("checkins:report_detail", args=[report.pk])))
    assert "完成独居石首单采购" in html
    assert "审核通过" not in html and "保存灯号" not in html
    response = client.post(reverse("checkins:report_light", args=[report.pk]), {"light": "green"})
    assert response.status_code == 403


def test_project_panel_lists_periods_with_links(client, world, checkin):
    report = services.report_submit(
        actor=world.lead_a1,
        report=_fill(world, checkin, checkin.periods[1]),
        now=at(dt.date(2020, 7, 1)),
    )
    client.force_login(world.lead_a1)
    url = reverse("checkins:project_checkins", args=[checkin.project.pk])
    html = _html(client.get(url, HTTP_HX_REQUEST="true"))
    assert "<html" not in html  # the fragment only
    assert reverse("checkins:report_detail", args=[report.pk]) in html
    assert _edit_url(checkin, checkin.periods[0]) in html
    assert reverse("checkins:claim_new", args=[checkin.project.pk]) in html
    assert "<html" in _html(client.get(url))  # without htmx, a page of its own


# --------------------------------------------------------------------------- scope: 404


@pytest.fixture
def a1_objects(world, checkin):
    """One of everything, all belonging to branch a1."""
    report = services.report_submit(
        actor=world.lead_a1,
        report=_fill(world, checkin, checkin.periods[1], profit="10", loss="119"),
        now=at(dt.date(2020, 7, 1)),
    )
    claim = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[1],
        amount="10",
        source="trade_profit",
    )
    claim_file = services.evidence_add(actor=world.lead_a1, upload=pdf(), claim=claim)
    inspection = services.inspection_create(
        actor=world.admin_a1,
        campaign=world.campaign,
        inspecting_org=world.branch_a1,
        project=checkin.project,
        date=dt.date(2020, 9, 1),
        inspectors="张书记",
        methods=["briefing"],
        findings="台账记录不全",
        rating="good",
        items=[
            RectificationInput(
                description="补齐台账", owner=world.lead_person_a1, due_date=dt.date(2020, 10, 1)
            )
        ],
    )
    services.notify(user=world.lead_a1, key="k", kind="x", title="提醒")
    return type(
        "A1",
        (),
        {
            "report": report,
            "claim": claim,
            "claim_file": claim_file,
            "inspection": inspection,
            "item": inspection.items.get(),
            "notification": Notification.objects.get(user=world.lead_a1, key="k"),
        },
    )


def _a1_urls(world, checkin, objs) -> list[tuple[str, str, dict]]:
    project, period = checkin.project, checkin.periods[0]
    campaign = world.campaign.pk
    return [
        ("get", reverse("checkins:report_edit", args=[project.pk, period.pk]), {}),
        ("post", reverse("checkins:report_edit", args=[project.pk, period.pk]), {}),
        ("get", reverse("checkins:project_checkins", args=[project.pk]), {}),
        ("get", reverse("checkins:report_detail", args=[objs.report.pk]), {}),
        ("post", reverse("checkins:report_review", args=[objs.report.pk]), {"action": "accept"}),
        ("post", reverse("checkins:report_light", args=[objs.report.pk]), {"light": "green"}),
        ("get", reverse("checkins:claim_new", args=[project.pk]), {}),
        ("get", reverse("checkins:claim_detail", args=[objs.claim.pk]), {}),
        ("post", reverse("checkins:claim_decide", args=[objs.claim.pk]), {"action": "verify"}),
        ("post", reverse("checkins:claim_evidence", args=[objs.claim.pk]), {}),
        ("get", reverse("checkins:evidence_download", args=[objs.claim_file.pk]), {}),
        ("get", reverse("checkins:inspection_detail", args=[objs.inspection.pk]), {}),
        (
            "post",
            reverse("checkins:rectification_update", args=[objs.item.pk]),
            {"action": "close"},
        ),
        (
            "get",
            f"{reverse('checkins:inspection_new')}?campaign={campaign}&project={project.pk}",
            {},
        ),
        (
            "get",
            f"{reverse('checkins:inspection_new')}?campaign={campaign}&org={world.branch_a1.pk}",
            {},
        ),
        ("get", f"{reverse('checkins:board', args=[campaign])}?org={world.branch_a1.pk}", {}),
        ("get", f"{reverse('checkins:claim_list', args=[campaign])}?org={world.branch_a1.pk}", {}),
        ("get", reverse("checkins:robots", args=[world.branch_a1.pk]), {}),
        ("post", reverse("checkins:notification_read", args=[objs.notification.pk]), {}),
    ]


URL_COUNT = 19


@pytest.mark.parametrize("index", range(URL_COUNT))
@pytest.mark.parametrize("username", ["admin_a2", "lead_a2"])
def test_sibling_branch_gets_404_on_branch_a1_objects(
    client, world, checkin, a1_objects, index, username
):
    urls = _a1_urls(world, checkin, a1_objects)
    assert len(urls) == URL_COUNT
    method, url, data = urls[index]
    client.force_login(getattr(world, username))
    response = getattr(client, method)(url, data)
    assert response.status_code == 404, url
    # Nothing changed on the way.
    a1_objects.report.refresh_from_db()
    a1_objects.claim.refresh_from_db()
    assert a1_objects.report.status == ReportStatus.SUBMITTED
    assert a1_objects.claim.status == "declared"
    assert RectificationItem.objects.get().status == "open"
    assert Notification.objects.get(pk=a1_objects.notification.pk).read_at is None


def test_a1_users_reach_the_same_pages(client, world, checkin, a1_objects):
    """The 404s above are about scope, not broken URLs: branch a1's admin gets through."""
    client.force_login(world.admin_a1)
    for method, url, _data in _a1_urls(world, checkin, a1_objects):
        if method == "get" and "report/" not in url:
            assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_login(client, world, checkin):
    response = client.get(reverse("checkins:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
