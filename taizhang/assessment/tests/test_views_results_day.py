"""Results day (成果发布) through the pages: create, add candidates, review, publish."""

import re

from django.urls import reverse

from taizhang.assessment.models import Award, Candidate, ResultsDay, ResultsDayStatus, Review
from taizhang.assessment.tests.views_support import html, scored_fixture  # noqa: F401 - fixture


def _create_day(client, world, **overrides):
    data = {
        "name": "2020年成果发布会",
        "date": "2020-12-20",
        "excellent_share_cap": "50",
        "excellent_min": "85",
        "criterion_0_name": "实效",
        "criterion_0_points": "50",
        "criterion_1_name": "创新",
        "criterion_1_points": "25",
        "criterion_2_name": "可操作",
        "criterion_2_points": "25",
        **overrides,
    }
    return client.post(reverse("assessment:results_day_list", args=[world.campaign.pk]), data)


def _review(client, candidate, 实效, 创新, 可操作, comment=""):
    return client.post(
        reverse("assessment:review", args=[candidate.pk]),
        {"score_0": 实效, "score_1": 创新, "score_2": 可操作, "comment": comment},
    )


def test_results_day_flow(client, world, scored):
    client.force_login(world.admin_company_a)
    page = html(client.get(reverse("assessment:results_day_list", args=[world.campaign.pk])))
    # The default criteria are offered, editable.
    assert 'value="实效"' in page and 'value="50"' in page and 'value="可操作"' in page
    response = _create_day(client, world)
    day = ResultsDay.objects.get()
    assert response["Location"] == reverse("assessment:results_day_detail", args=[day.pk])
    assert day.criteria == [
        {"name": "实效", "points": "50"},
        {"name": "创新", "points": "25"},
        {"name": "可操作", "points": "25"},
    ]
    add = reverse("assessment:candidate_add", args=[day.pk])
    for project in (scored.a1_top, scored.a1_half, scored.a2):
        assert client.post(add, {"code": project.code}).status_code == 302
    page = html(client.post(add, {"code": scored.a2.code}))
    assert "该项目已是候选项目。" in page
    page = html(client.post(add, {"code": "NOPE"}))
    assert "没有找到编号为“NOPE”的项目。" in page
    candidates = {c.project_id: c for c in Candidate.objects.all()}
    # Out-of-range score: the form says which criterion, nothing is saved.
    response = _review(client, candidates[scored.a1_top.pk], 60, 20, 20)
    assert "“实效”得分应在 0 到 50 之间。" in html(response)
    assert not Review.objects.exists()
    _review(client, candidates[scored.a1_top.pk], 48, 24, 24, comment="效益显著")  # 96
    _review(client, candidates[scored.a1_half.pk], 40, 20, 20)  # 80
    _review(client, candidates[scored.a2.pk], 45, 22, 22)  # 89
    # A second reviewer from the committee (read-only member of the group).
    client.force_login(world.viewer_group)
    _review(client, candidates[scored.a2.pk], 43, 21, 21)  # 85 → mean 87
    client.force_login(world.admin_company_a)
    page = html(client.get(reverse("assessment:results_day_detail", args=[day.pk])))
    assert "公布结果" in page
    response = client.post(reverse("assessment:results_day_publish", args=[day.pk]), follow=True)
    page = html(response)
    assert "成果发布结果已公布" in page
    day.refresh_from_db()
    assert day.status == ResultsDayStatus.PUBLISHED
    by_project = {c.project_id: c for c in Candidate.objects.all()}
    # 3 candidates, cap 50 % → one 优秀.
    assert [by_project[p.pk].award for p in (scored.a1_top, scored.a2, scored.a1_half)] == [
        Award.EXCELLENT,
        Award.SELECTED,
        Award.SELECTED,
    ]
    rows = re.findall(r'<tr data-candidate="\d+">(.*?)</tr>', page, re.S)
    assert "独居石贸易创效" in rows[0] and "96.00" in rows[0] and "优秀" in rows[0]
    assert "生态修复" in rows[1] and "87.00" in rows[1] and "入选" in rows[1]
    assert "80.00" in rows[2]
    # Published: no more scoring.
    response = _review(client, by_project[scored.a1_half.pk], 50, 25, 25)
    assert "您不能评审该项目" in html(response)
    assert Review.objects.count() == 4


def test_bad_criteria_are_refused(client, world, scored):
    client.force_login(world.admin_company_a)
    response = _create_day(client, world, criterion_0_points="60")
    assert "评审指标分值合计应为 100。" in html(response)
    assert not ResultsDay.objects.exists()


def test_only_the_committee_organises_and_the_lead_does_not_review_own_project(
    client, world, scored
):
    client.force_login(world.admin_a1)
    assert "组织成果发布" not in html(
        client.get(reverse("assessment:results_day_list", args=[world.campaign.pk]))
    )
    response = _create_day(client, world)
    assert "只有活动主办组织的管理员可以组织成果发布。" in html(response)
    client.force_login(world.admin_company_a)
    _create_day(client, world)
    day = ResultsDay.objects.get()
    client.post(reverse("assessment:candidate_add", args=[day.pk]), {"code": scored.a1_top.code})
    candidate = Candidate.objects.get()
    client.force_login(world.lead_a1)
    page = html(client.get(reverse("assessment:review", args=[candidate.pk])))
    assert "您不能评审该项目" in page
    _review(client, candidate, 50, 25, 25)
    assert not Review.objects.exists()
    # Publishing without reviews is refused with the reason.
    client.force_login(world.admin_company_a)
    response = client.post(reverse("assessment:results_day_publish", args=[day.pk]), follow=True)
    assert "以下项目尚无评审打分" in html(response)
