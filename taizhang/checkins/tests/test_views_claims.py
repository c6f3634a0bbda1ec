"""Benefit claims (创效成果) and inspections (检查) through the pages."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.checkins import services
from taizhang.checkins.models import (
    BenefitClaim,
    ClaimStatus,
    Evidence,
    Inspection,
    RectificationItem,
    RectificationStatus,
)
from taizhang.checkins.services import RectificationInput
from taizhang.checkins.tests.test_services import pdf
from taizhang.orgs.tests.factories import PersonFactory


def _html(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- claims


def _declare(client, checkin, period, **overrides):
    data = {
        "period": period.pk,
        "amount": "120.5",
        "source": "trade_profit",
        "description": "独居石首单利润",
        "file": pdf("合同.pdf"),
    }
    data.update(overrides)
    return client.post(reverse("checkins:claim_new", args=[checkin.project.pk]), data)


def test_declare_then_claimant_cannot_verify_but_verifier_can(client, world, checkin):
    client.force_login(world.lead_a1)
    assert client.get(reverse("checkins:claim_new", args=[checkin.project.pk])).status_code == 200
    response = _declare(client, checkin, checkin.periods[1])
    claim = BenefitClaim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("checkins:claim_detail", args=[claim.pk])
    assert (claim.amount, claim.claimant, claim.evidence.get().name) == (
        Decimal("120.5"),
        world.lead_a1,
        "合同.pdf",
    )

    # The claimant is told they cannot verify, and a hand-made request is refused.
    detail_url = reverse("checkins:claim_detail", args=[claim.pk])
    decide_url = reverse("checkins:claim_decide", args=[claim.pk])
    assert "不能核定自己申报的成果" in _html(client.get(detail_url))
    response = client.post(decide_url, {"action": "verify"})
    assert response.status_code == 200
    assert "不能核定自己申报的成果。" in _html(response)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DECLARED and claim.verifier is None

    # An org admin without the verifier right is refused too.
    client.force_login(world.admin_a1)
    response = client.post(decide_url, {"action": "verify"})
    assert "您没有效益核定权限。" in _html(response)

    # The verifier (finance) verifies a lower amount.
    client.force_login(checkin.verifier)
    html = _html(client.get(detail_url))
    assert "核定金额" in html and "驳回" in html
    response = client.post(decide_url, {"action": "verify", "verified_amount": "999"})
    assert "核定金额必须大于 0 且不超过申报金额。" in _html(response)
    response = client.post(
        decide_url, {"action": "verify", "verified_amount": "100", "note": "按到账金额核定"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.verified_amount, claim.verifier) == (
        ClaimStatus.VERIFIED,
        Decimal("100"),
        checkin.verifier,
    )

    # Totals on the campaign's list: verified per campaign, org and project.
    client.force_login(world.admin_company_a)
    response = client.get(reverse("checkins:claim_list", args=[world.campaign.pk]))
    assert response.context["totals"].verified == Decimal("100")
    assert [(r.label, r.verified) for r in response.context["by_org"]] == [
        ("甲一支部", Decimal("100"))
    ]
    assert [r.verified for r in response.context["by_project"]] == [Decimal("100")]
    assert 'data-total="verified">100.00' in _html(response)
    # The sibling branch sees none of it.
    client.force_login(world.admin_a2)
    response = client.get(reverse("checkins:claim_list", args=[world.campaign.pk]))
    assert response.context["totals"].verified == 0 and not response.context["by_project"]


def test_reject_needs_a_reason(client, world, checkin):
    claim = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[0],
        amount="5",
        source="other",
    )
    client.force_login(checkin.verifier)
    decide_url = reverse("checkins:claim_decide", args=[claim.pk])
    response = client.post(decide_url, {"action": "reject", "reason": ""})
    assert "驳回时请填写理由。" in _html(response)
    # Verifying without evidence is refused as well.
    response = client.post(decide_url, {"action": "verify"})
    assert "核定前请先上传佐证材料。" in _html(response)
    client.post(decide_url, {"action": "reject", "reason": "无佐证"})
    claim.refresh_from_db()
    assert (claim.status, claim.decision_note) == (ClaimStatus.REJECTED, "无佐证")


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"amount": "abc"}, "金额必须是数字"),
        ({"amount": "-5"}, "金额必须大于 0。"),
        ({"amount": "1.005"}, "金额最多保留两位小数"),
        ({"file": SimpleUploadedFile("x.exe", b"MZ")}, "不支持的文件类型"),
    ],
)
def test_bad_claim_input_saves_nothing(client, world, checkin, overrides, message):
    client.force_login(world.lead_a1)
    response = _declare(client, checkin, checkin.periods[0], **overrides)
    assert response.status_code == 200
    assert message in _html(response)
    assert not BenefitClaim.all_objects.exists() and not Evidence.all_objects.exists()


def test_duplicate_and_closed_period_claims_are_refused(client, world, checkin):
    client.force_login(world.lead_a1)
    _declare(client, checkin, checkin.periods[0])
    response = _declare(client, checkin, checkin.periods[0], file=pdf("b.pdf"))
    assert "同一成果不能重复申报" in _html(response)
    services.period_update(actor=world.admin_company_a, period=checkin.periods[1], is_closed=True)
    response = _declare(client, checkin, checkin.periods[1])
    assert "已关闭" in _html(response)
    assert BenefitClaim.objects.count() == 1 and Evidence.objects.count() == 1


def test_innovation_project_has_no_claim_form(client, world, checkin):
    project = checkin.project
    project.project_type = world.campaign.project_types.get(short_name="创新")
    project.save()
    client.force_login(world.lead_a1)
    response = client.get(reverse("checkins:claim_new", args=[project.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:project_detail", args=[project.pk])


def test_claim_evidence_can_be_added_while_declared(client, world, checkin):
    claim = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[0],
        amount="5",
        source="other",
    )
    client.force_login(world.lead_a1)
    url = reverse("checkins:claim_evidence", args=[claim.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert "不支持的文件类型" in _html(response)
    client.post(url, {"file": pdf("发票.pdf")})
    assert claim.evidence.get().name == "发票.pdf"


# --------------------------------------------------------------------------- inspections


def _new_url(world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"campaign": world.campaign.pk, **params}.items())
    return f"{reverse('checkins:inspection_new')}?{query}"


def _inspection_payload(world, **overrides) -> dict:
    data = {
        "inspecting_org": world.company_a.pk,
        "date": "2020-09-20",
        "inspectors": "张书记、李委员",
        "methods": ["documents", "briefing"],
        "findings": "台账记录不全",
        "rating": "good",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-description": "补齐三季度台账",
        "items-0-owner": world.lead_person_a1.pk,
        "items-0-due_date": "2020-10-31",
        "items-1-description": "完善佐证材料",
        "items-1-owner": world.member_a1.pk,
        "items-1-due_date": "2020-11-30",
        "items-2-description": "",
    }
    data.update(overrides)
    return data


def test_record_an_inspection_of_a_project(client, world, checkin):
    url = _new_url(world, project=checkin.project.pk)
    client.force_login(world.admin_company_a)
    response = client.get(url)
    assert "听汇报" in _html(response) and "现场查看" in _html(response)
    # Both orgs the admin may inspect from are offered, the nearest first.
    offered = list(response.context["form"].fields["inspecting_org"].queryset)
    assert offered == [world.branch_a1, world.company_a]
    response = client.post(url, _inspection_payload(world))
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("checkins:inspection_detail", args=[inspection.pk])
    assert inspection.methods == ["briefing", "documents"]
    assert inspection.inspecting_org == world.company_a and inspection.project == checkin.project
    assert [i.description for i in inspection.items.all()] == ["补齐三季度台账", "完善佐证材料"]


def test_rectification_owner_must_be_on_the_inspected_side(client, world, checkin):
    client.force_login(world.admin_company_a)
    outsider = PersonFactory(org=world.branch_a2, name="外单位人员")
    response = client.post(
        _new_url(world, project=checkin.project.pk),
        _inspection_payload(world, **{"items-0-owner": outsider.pk}),
    )
    assert response.status_code == 200
    assert "整改责任人应属于被检查单位。" in _html(response)
    response = client.post(
        _new_url(world, project=checkin.project.pk),
        _inspection_payload(world, methods=[], **{"items-0-due_date": "2020-09-01"}),
    )
    assert "请选择检查方式。" in _html(response)
    assert not Inspection.all_objects.exists() and not RectificationItem.all_objects.exists()


def test_inspection_of_a_lower_org_and_who_may_start_one(client, world):
    client.force_login(world.admin_company_a)
    url = _new_url(world, org=world.branch_a2.pk)
    payload = _inspection_payload(world)
    for key in list(payload):
        if key.startswith("items-") and key[6].isdigit():
            del payload[key]
    payload["items-TOTAL_FORMS"] = "0"
    assert client.post(url, payload).status_code == 302
    assert Inspection.objects.get().target_org == world.branch_a2
    # A lead is no org admin anywhere: no inspection form for them.
    client.force_login(world.lead_a1)
    assert client.get(_new_url(world, org=world.branch_a1.pk)).status_code == 403
    # Without a subject there is nothing to inspect.
    assert client.get(_new_url(world)).status_code == 404


@pytest.fixture
def inspection(world, checkin):
    return services.inspection_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        inspecting_org=world.company_a,
        project=checkin.project,
        date=dt.date(2020, 9, 20),
        inspectors="张书记、李委员",
        methods=["briefing", "documents"],
        findings="台账记录不全",
        rating="good",
        items=[
            RectificationInput(
                description="补齐三季度台账",
                owner=world.lead_person_a1,
                due_date=dt.date(2020, 10, 31),
            )
        ],
    )


def test_printable_inspection_record(client, world, inspection):
    client.force_login(world.admin_a1)
    response = client.get(reverse("checkins:inspection_detail", args=[inspection.pk]))
    assert response.status_code == 200
    html = _html(response)
    assert "检查记录" in html and "听汇报、查资料" in html and "良好" in html
    assert "补齐三季度台账" in html and "整改中" in html
    assert "window.print()" in html and "record-sheet" in html
    assert "检查人员（签字）" in html
    # The stylesheet it links prints on A4 without the navigation.
    css = Path(finders.find("css/taizhang.css")).read_text(encoding="utf-8")
    checkins_css = css[css.index("/* --- check-ins --- */") :]
    assert "size: A4" in checkins_css and "@media print" in checkins_css


def test_rectification_close_needs_evidence(client, world, inspection):
    item = inspection.items.get()
    url = reverse("checkins:rectification_update", args=[item.pk])
    client.force_login(world.lead_a1)  # the item's owner
    response = client.post(url, {"action": "close", "closing_note": "已补齐"}, follow=True)
    assert "销号前请上传整改佐证材料。" in _html(response)
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN
    # A bad file with the closure keeps nothing.
    response = client.post(
        url,
        {"action": "close", "closing_note": "已补齐", "file": SimpleUploadedFile("a.exe", b"MZ")},
        follow=True,
    )
    assert "不支持的文件类型" in _html(response)
    assert not Evidence.all_objects.exists()
    # Upload first, then close.
    client.post(url, {"action": "upload", "file": pdf("台账.pdf")})
    assert item.evidence.get().name == "台账.pdf"
    response = client.post(url, {"action": "close", "closing_note": ""}, follow=True)
    assert "销号时请填写整改情况说明。" in _html(response)
    response = client.post(url, {"action": "close", "closing_note": "已补齐"}, follow=True)
    assert "整改事项已销号。" in _html(response)
    item.refresh_from_db()
    assert (item.status, item.closing_note, item.closed_by) == (
        RectificationStatus.CLOSED,
        "已补齐",
        world.lead_a1,
    )
    html = _html(client.get(reverse("checkins:inspection_detail", args=[inspection.pk])))
    assert "已销号" in html and "台账.pdf" in html


def test_evidence_and_close_in_one_post(client, world, inspection):
    item = inspection.items.get()
    client.force_login(world.admin_a1)  # the inspected branch's admin
    client.post(
        reverse("checkins:rectification_update", args=[item.pk]),
        {"action": "close", "closing_note": "已整改", "file": pdf()},
    )
    item.refresh_from_db()
    assert item.status == RectificationStatus.CLOSED


def test_someone_else_cannot_close(client, world, inspection):
    item = inspection.items.get()
    client.force_login(world.participant_a1)
    html = _html(client.get(reverse("checkins:inspection_detail", args=[inspection.pk])))
    assert "销号须有佐证材料" not in html
    response = client.post(
        reverse("checkins:rectification_update", args=[item.pk]),
        {"action": "upload", "file": pdf()},
        follow=True,
    )
    assert "您不能为该整改事项上传材料。" in _html(response)
    assert not Evidence.all_objects.exists()


def test_inspection_list(client, world, inspection):
    client.force_login(world.admin_company_a)
    response = client.get(reverse("checkins:inspection_list", args=[world.campaign.pk]))
    html = _html(response)
    assert reverse("checkins:inspection_detail", args=[inspection.pk]) in html
    row = response.context["page"][0]
    assert (row.item_count, row.open_count) == (1, 1)
    # The branch a2 admin sees neither the inspection nor its items.
    client.force_login(world.admin_a2)
    html = _html(client.get(reverse("checkins:inspection_list", args=[world.campaign.pk])))
    assert reverse("checkins:inspection_detail", args=[inspection.pk]) not in html
