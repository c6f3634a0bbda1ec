"""Manual entries through the pages: a reason is required, items come from the scheme,
nothing is accepted once the period is published."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.assessment import services
from taizhang.assessment.models import Bonus, Criterion, CriterionKind, EntryKind, ManualEntry
from taizhang.assessment.tests.views_support import html, scored_fixture  # noqa: F401 - fixture


def _entry_url(world, scored, **subject) -> str:
    url = reverse("assessment:entry_new", args=[world.campaign.pk])
    query = "&".join(f"{k}={v}" for k, v in {"period": scored.period.pk, **subject}.items())
    return f"{url}?{query}"


def _manual_criterion(scored) -> Criterion:
    return Criterion.objects.get(dimension__scheme=scored.scheme, kind=CriterionKind.MANUAL)


def test_entry_needs_a_reason_then_counts_in_the_draft(client, world, scored):
    client.force_login(world.admin_a1)
    url = _entry_url(world, scored, project=scored.a1_top.pk)
    page = html(client.get(url))
    assert "创新亮点（考核人评分）" in page and "理由" in page
    item = f"{EntryKind.CRITERION}:{_manual_criterion(scored).pk}"
    data = {"kind": EntryKind.CRITERION, "item": item, "value": "0.8", "note": "  "}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "请填写理由。" in html(response)
    assert not ManualEntry.objects.exists()
    response = client.post(url, {**data, "note": "独居石贸易模式有创新"})
    assert response.status_code == 302
    entry = ManualEntry.objects.get()
    assert (entry.project, entry.assessor, entry.note) == (
        scored.a1_top,
        world.admin_a1,
        "独居石贸易模式有创新",
    )
    page = html(client.get(response["Location"]))
    assert "独居石贸易模式有创新" in page and "admin_a1" in page
    # 0.8 of the 5-point manual criterion: 60 → 64 once the draft is recomputed.
    run = services.draft_compute(scheme=scored.scheme, period=scored.period)
    page = html(
        client.get(reverse("assessment:project_breakdown", args=[run.pk, scored.a1_top.pk]))
    )
    assert "64.00" in page and "独居石贸易模式有创新" in page
    listing = html(
        client.get(
            reverse("assessment:entry_list", args=[world.campaign.pk])
            + f"?period={scored.period.pk}"
        )
    )
    assert "独居石贸易模式有创新" in listing and scored.a1_top.title in listing


def test_item_must_match_the_kind(client, world, scored):
    client.force_login(world.admin_a1)
    url = _entry_url(world, scored, project=scored.a1_top.pk)
    bonus = Bonus.objects.get(scheme=scored.scheme)
    response = client.post(
        url, {"kind": EntryKind.CRITERION, "item": f"bonus:{bonus.pk}", "value": "1", "note": "x"}
    )
    assert "所选项目不属于所选类型。" in html(response)
    # Changing the kind (htmx) offers only that kind's items.
    page = html(client.get(url + "&kind=bonus", headers={"HX-Request": "true"}))
    assert (
        f'value="bonus:{bonus.pk}"' in page and "创新亮点" not in page.split('id="entry-item"')[1]
    )
    assert not ManualEntry.objects.exists()


def test_deduction_with_evidence_and_download(client, world, scored):
    client.force_login(world.admin_a1)
    url = _entry_url(world, scored, project=scored.a1_half.pk)
    deduction = scored.scheme.deductions.get(kind="manual")
    upload = SimpleUploadedFile("检查记录.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(
        url,
        {
            "kind": EntryKind.DEDUCTION,
            "item": f"deduction:{deduction.pk}",
            "value": "1.5",
            "note": "台账记录不全",
            "evidence": upload,
        },
    )
    assert response.status_code == 302
    entry = ManualEntry.objects.get()
    download = client.get(reverse("assessment:entry_evidence", args=[entry.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    # The sibling branch cannot fetch it.
    client.force_login(world.admin_a2)
    assert client.get(reverse("assessment:entry_evidence", args=[entry.pk])).status_code == 404


def test_org_entry(client, world, scored):
    client.force_login(world.admin_company_a)
    url = _entry_url(world, scored, org=world.branch_a1.pk)
    veto = scored.scheme.vetoes.get()
    response = client.post(
        url, {"kind": EntryKind.VETO, "item": f"veto:{veto.pk}", "value": "", "note": "发生事故"}
    )
    assert response.status_code == 302
    assert ManualEntry.objects.get().org == world.branch_a1


def test_find_project_by_code(client, world, scored):
    client.force_login(world.admin_a1)
    url = reverse("assessment:entry_new", args=[world.campaign.pk])
    page = html(client.get(f"{url}?period={scored.period.pk}&code={scored.a1_top.code}"))
    assert scored.a1_top.title in page
    # A project of the sibling branch is not found, exactly like a missing code.
    response = client.get(f"{url}?period={scored.period.pk}&code={scored.a2.code}", follow=True)
    assert "没有找到编号为" in html(response)


def test_reader_may_not_assess(client, world, scored):
    client.force_login(world.lead_a1)
    url = _entry_url(world, scored, project=scored.a1_top.pk)
    assert client.get(url).status_code == 403


def test_entries_refused_after_publication(client, world, scored):
    services.assessment_publish(
        actor=world.admin_company_a, scheme=scored.scheme, period=scored.period
    )
    client.force_login(world.admin_a1)
    url = _entry_url(world, scored, project=scored.a1_top.pk)
    page = html(client.get(url))
    assert "的考核结果已发布，不能再录入。" in page
    item = f"{EntryKind.CRITERION}:{_manual_criterion(scored).pk}"
    response = client.post(
        url, {"kind": EntryKind.CRITERION, "item": item, "value": "1", "note": "补录"}
    )
    assert response.status_code == 200
    assert "“2020年第3季度”的考核结果已发布，不能再录入。" in html(response)
    assert not ManualEntry.objects.exists()
    listing = html(
        client.get(
            reverse("assessment:entry_list", args=[world.campaign.pk])
            + f"?period={scored.period.pk}"
        )
    )
    assert "不能再录入" in listing and "为项目录入" not in listing
