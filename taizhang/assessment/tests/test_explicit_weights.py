"""The explicit-weights roll-up: each child org's weight in its parent's score, kept with the
scheme version, validated, edited in the scheme editor and explained on the org page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from taizhang.assessment import services
from taizhang.assessment.fixedpoint import to_points
from taizhang.assessment.models import CriterionKind, OrgWeight, RollupRule, Scheme
from taizhang.assessment.services import OrgWeightSpec
from taizhang.assessment.tests.conftest import single_criterion_spec, submit_report
from taizhang.assessment.tests.views_support import form_data, html, scored_fixture  # noqa: F401
from taizhang.campaigns.tests.factories import CampaignFactory
from taizhang.core.exceptions import DomainError
from taizhang.orgs.tests.factories import OrgFactory

D = Decimal
EXPLICIT = RollupRule.EXPLICIT_WEIGHTS


def _spec(weights: dict, rule: str = EXPLICIT):
    return single_criterion_spec(
        CriterionKind.GOAL_ATTAINMENT,
        rollup_rule=rule,
        org_weights=[OrgWeightSpec(org.pk, w) for org, w in weights.items()],
    )


@pytest.fixture
def four_levels(world, q3, running):
    """company a → branch a1 → team → subteam, plus branch a2, each with projects."""
    team = OrgFactory(name="第一党小组", parent=world.branch_a1)
    subteam = OrgFactory(name="第一小队", parent=team)
    scores = {subteam: [40], team: [60], world.branch_a1: [80], world.branch_a2: [90]}
    for org, values in scores.items():
        for value in values:
            project, (goal,) = running(org=org)
            submit_report(project, q3, {goal: value})
    return team, subteam


def test_weighted_rollup_across_four_levels(world, q3, four_levels):
    team, subteam = four_levels
    scheme = services.scheme_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        # branch a2 has no weight: it weighs 1, like the orgs' own projects.
        spec=_spec({world.branch_a1: "3", team: "2", subteam: "0.5"}),
    )
    run = services.draft_compute(scheme=scheme, period=q3)
    by_org = {s.org_id: s for s in run.org_scores.all()}
    # team = (0.5 × 40 + 1 × 60) ÷ 1.5 = 160/3; branch a1 = (2 × 160/3 + 1 × 80) ÷ 3 = 560/9;
    # company a = (3 × 560/9 + 1 × 90) ÷ 4 = 830/12 = 69.1666…
    assert by_org[subteam.pk].breakdown["score"] == "40.00"
    assert by_org[team.pk].breakdown["score"] == "53.33"
    assert by_org[world.branch_a1.pk].breakdown["score"] == "62.22"
    assert by_org[world.company_a.pk].breakdown["score"] == "69.17"
    assert to_points(by_org[world.company_a.pk].score_micro) == D("69.17")
    parts = {p["org_id"]: p for p in by_org[world.company_a.pk].breakdown["parts"]}
    assert (parts[world.branch_a1.pk]["weight"], parts[world.branch_a2.pk]["weight"]) == (
        "3",
        "1",
    )
    # Without weights the same tree under MEAN_CHILDREN gives a different company score.
    plain = services.scheme_update(
        actor=world.admin_company_a, scheme=scheme, spec=_spec({}, RollupRule.MEAN_CHILDREN)
    )
    run = services.draft_compute(scheme=plain, period=q3)
    company = run.org_scores.get(org=world.company_a)
    # team = 50; branch a1 = (50 + 80) ÷ 2 = 65; company = (65 + 90) ÷ 2 = 77.5.
    assert company.breakdown["score"] == "77.50" and company.breakdown["parts"] == []
    assert not OrgWeight.objects.filter(scheme=plain).exists()


def test_explain_page_shows_each_childs_weight_and_contribution(client, world, q3, four_levels):
    team, subteam = four_levels
    scheme = services.scheme_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        spec=_spec({world.branch_a1: "3", team: "2", subteam: "0.5"}),
    )
    run = services.draft_compute(scheme=scheme, period=q3)
    client.force_login(world.admin_company_a)
    page = html(client.get(reverse("assessment:org_breakdown", args=[run.pk, world.company_a.pk])))
    assert "下级组织按指定权重加权平均" in page and "Σ(权重 × 下级组织得分) ÷ Σ权重" in page
    assert "权重合计 4" in page
    # branch a1: 3 × 560/9 ÷ 4 = 46.666667 (75 %); branch a2: 1 × 90 ÷ 4 = 22.5 (25 %).
    assert "62.222222" in page and "46.666667" in page and "75%" in page
    assert "22.500000" in page and "25%" in page
    assert "69.166667" in page
    # The branch's own page shows its own projects as a part of weight 1.
    page = html(client.get(reverse("assessment:org_breakdown", args=[run.pk, world.branch_a1.pk])))
    assert "本组织直属项目（平均）" in page and "53.333333" in page and "80.000000" in page


@pytest.mark.parametrize(
    ("weights", "code", "message"),
    [
        (lambda w: {w.branch_a1: "0"}, "out_of_range", "组织权重应大于 0。"),
        (lambda w: {w.branch_a1: "-2"}, "out_of_range", "组织权重应在 0 到 1000 之间。"),
        (lambda w: {w.branch_a1: "1000.01"}, "out_of_range", "组织权重应在 0 到 1000 之间。"),
        (lambda w: {w.branch_a1: "1.005"}, "precision", "组织权重最多两位小数。"),
        (lambda w: {w.branch_a1: "abc"}, "not_a_number", "组织权重必须是数字"),
        (lambda w: {w.company_b: "2"}, "invalid_choice", "只能为活动主办组织的下级组织设置权重。"),
        (lambda w: {w.company_a: "2"}, "invalid_choice", "只能为活动主办组织的下级组织设置权重。"),
        (lambda w: {}, "required", "至少需要为一个下级组织设置权重"),
    ],
)
def test_bad_weights_are_refused_and_nothing_is_saved(world, weights, code, message):
    with pytest.raises(DomainError) as caught:
        services.scheme_create(
            actor=world.admin_company_a, campaign=world.campaign, spec=_spec(weights(world))
        )
    assert caught.value.code == code and message in caught.value.message
    assert caught.value.field == "org_weights"
    assert not Scheme.all_objects.exists() and not OrgWeight.objects.exists()


def test_same_org_twice_is_refused(world):
    spec = single_criterion_spec(
        CriterionKind.GOAL_ATTAINMENT,
        rollup_rule=EXPLICIT,
        org_weights=[
            OrgWeightSpec(world.branch_a1.pk, "1"),
            OrgWeightSpec(world.branch_a1.pk, "2"),
        ],
    )
    with pytest.raises(DomainError, match="同一个组织只能设置一个权重"):
        services.scheme_create(actor=world.admin_company_a, campaign=world.campaign, spec=spec)
    assert not Scheme.all_objects.exists()


def test_weights_are_versioned_and_copied_with_the_scheme(world, q3, running):
    first = services.scheme_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        spec=_spec({world.branch_a1: "3", world.branch_a2: "1.5"}),
    )
    project, (goal,) = running()
    submit_report(project, q3, {goal: 70})
    services.assessment_publish(actor=world.admin_company_a, scheme=first, period=q3)
    # Editing a published version makes a new one; the old keeps its weights.
    second = services.scheme_update(
        actor=world.admin_company_a, scheme=first, spec=_spec({world.branch_a1: "5"})
    )
    assert second.pk != first.pk
    assert list(first.org_weights.values_list("org_id", "weight")) == [
        (world.branch_a1.pk, D("3.00")),
        (world.branch_a2.pk, D("1.50")),
    ]
    assert list(second.org_weights.values_list("org_id", "weight")) == [
        (world.branch_a1.pk, D("5.00"))
    ]
    copy = services.scheme_copy(actor=world.admin_company_a, source=first, campaign=world.campaign)
    assert copy.rollup_rule == EXPLICIT
    assert sorted(copy.org_weights.values_list("weight", flat=True)) == [D("1.50"), D("3.00")]
    # Into another owner's campaign, weights of orgs outside it cannot come along.
    other = CampaignFactory(org=world.company_b, start_date=world.campaign.start_date)
    admin_b = world.sysadmin
    moved = services.scheme_copy(actor=admin_b, source=first, campaign=other)
    assert not moved.org_weights.exists() and moved.rollup_rule == RollupRule.MEAN_CHILDREN


def _edit(scheme) -> str:
    return reverse("assessment:scheme_edit", args=[scheme.pk])


def test_editor_sets_weights_and_refuses_a_bad_one(client, world, scored):
    client.force_login(world.admin_company_a)
    data = form_data(html(client.get(_edit(scored.scheme))), "scheme-editor")
    assert data["ow-TOTAL"] == "1" and data["ow-0-org"] == ""
    data.update(
        {
            "rollup_rule": EXPLICIT,
            "ow-0-org": str(world.branch_a1.pk),
            "ow-0-weight": "-1",
            "action": "save",
        }
    )
    response = client.post(_edit(scored.scheme), data)
    page = html(response)
    assert response.status_code == 200 and "组织权重应在 0 到 1000 之间。" in page
    scheme = Scheme.objects.get()
    assert scheme.rollup_rule == RollupRule.PROJECT_WEIGHTED and not OrgWeight.objects.exists()
    data["ow-0-weight"] = "3"
    response = client.post(_edit(scored.scheme), data)
    assert response.status_code == 302, html(response)
    scheme.refresh_from_db()
    assert scheme.rollup_rule == EXPLICIT
    assert list(scheme.org_weights.values_list("org_id", "weight")) == [
        (world.branch_a1.pk, D("3.00"))
    ]
    detail = html(client.get(reverse("assessment:scheme_detail", args=[world.campaign.pk])))
    assert "下级组织权重" in detail and "甲一支部" in detail
    # The editor shows the saved weight again, and a sibling company is not offered.
    page = html(client.get(_edit(scheme)))
    assert form_data(page, "scheme-editor")["ow-0-weight"] == "3"
    assert "公司乙" not in page
    run = services.draft_compute(scheme=scheme, period=scored.period)
    # branch a1 = (60 + 45) ÷ 2 = 52.5 at weight 3, branch a2 = 54 at weight 1 → 52.875.
    assert run.org_scores.get(org=world.company_a).breakdown["score"] == "52.88"
