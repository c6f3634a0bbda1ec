"""Each dashboard figure against counts made by hand on the fixture (see conftest.py)."""

from decimal import Decimal

from taizhang.analysis import selectors
from taizhang.campaigns.selectors import linkage_figures

from .conftest import TODAY

D = Decimal


def values(figure, series: str = "") -> dict[str, object]:
    """{category: value} of one series (the first one by default)."""
    chosen = next(s for s in figure.series if s.key == series) if series else figure.series[0]
    return {c: p.value for c, p in zip(figure.categories, chosen.points, strict=True)}


def filters(figure, series: str = "") -> dict[str, dict]:
    chosen = next(s for s in figure.series if s.key == series) if series else figure.series[0]
    return {c: p.filters for c, p in zip(figure.categories, chosen.points, strict=True)}


def test_projects_by_type_area_status_count_the_subtree(world, analysis):
    user, campaign, org = world.admin_company_a, analysis.campaign, world.company_a
    # X9 is deleted: never counted.
    assert values(selectors.projects_by_type(user, campaign, org)) == {"创效": 4, "创新": 3}
    assert values(selectors.projects_by_area(user, campaign, org)) == {
        "资源整合": 3,
        "生产经营": 2,
        "贸易营销": 1,
        "提质增效": 1,
        "党建工作": 0,
        "安全环保": 0,
    }
    assert values(selectors.projects_by_status(user, campaign, org)) == {
        "草稿": 1,
        "已申报": 0,
        "已立项": 1,
        "实施中": 4,
        "已结项": 1,
        "已终止": 0,
    }


def test_a_branch_sees_only_its_own_projects(world, analysis):
    campaign = analysis.campaign
    user = world.admin_a1
    # Even asked for the whole company, the sibling branch's projects stay out.
    for org in (world.branch_a1, world.company_a):
        assert values(selectors.projects_by_type(user, campaign, org)) == {"创效": 2, "创新": 2}
    admin = world.admin_company_a
    assert values(selectors.projects_by_type(admin, campaign, world.branch_a2)) == {
        "创效": 1,
        "创新": 1,
    }


def test_drill_filters_name_the_ledger_filter_and_the_org(world, analysis):
    user, campaign, org = world.admin_company_a, analysis.campaign, world.company_a
    types = {t.short_name: t.pk for t in campaign.project_types.all()}
    assert filters(selectors.projects_by_type(user, campaign, org))["创效"] == {
        "org": str(org.pk),
        "type": str(types["创效"]),
    }
    area = campaign.focus_areas.get(name="贸易营销")
    assert filters(selectors.projects_by_area(user, campaign, org))["贸易营销"] == {
        "org": str(org.pk),
        "area": str(area.pk),
    }
    assert filters(selectors.projects_by_status(user, campaign, org))["实施中"] == {
        "org": str(org.pk),
        "status": "in_progress",
    }


def test_lights_per_period_honour_overrides(world, analysis):
    figure = selectors.lights_by_period(
        world.admin_company_a, analysis.campaign, world.company_a, analysis.q2
    )
    assert figure.categories == ("2020年第1季度", "2020年第2季度")  # up to the period asked
    # Q1: A1 green, B1 red overridden to green, A2 amber. Q2: A1 red, C0 amber (A2 is a
    # draft, B1 returned, X9 deleted: none counts).
    assert values(figure, "green") == {"2020年第1季度": 2, "2020年第2季度": 0}
    assert values(figure, "amber") == {"2020年第1季度": 1, "2020年第2季度": 1}
    assert values(figure, "red") == {"2020年第1季度": 0, "2020年第2季度": 1}
    # Each bar drills to the period board filtered to its light.
    assert filters(figure, "red")["2020年第2季度"] == {
        "org": str(world.company_a.pk),
        "period": str(analysis.q2.pk),
        "light": "red",
    }
    branch = selectors.lights_by_period(
        world.admin_a1, analysis.campaign, world.branch_a1, analysis.q2
    )
    assert values(branch, "green") == {"2020年第1季度": 1, "2020年第2季度": 0}


def test_attainment_distribution_in_ten_point_buckets(world, analysis):
    user, campaign, org = world.admin_company_a, analysis.campaign, world.company_a
    q1 = values(selectors.attainment_distribution(user, campaign, org, analysis.q1))
    assert q1["0–10%"] == 1  # A2 0.05
    assert q1["30–40%"] == 1  # A1 0.30: a bucket includes its lower bound
    assert q1["90–100%"] == 1  # B1 0.95
    assert sum(q1.values()) == 3
    q2 = values(selectors.attainment_distribution(user, campaign, org, analysis.q2))
    assert q2["10–20%"] == 1  # A1 0.10
    assert q2["90–100%"] == 1  # C0 1.00: the last bucket includes 100 %
    assert sum(q2.values()) == 2
    assert "无指标" not in q2
    # Each bar drills to the period board filtered to its range, in percent.
    drills = filters(selectors.attainment_distribution(user, campaign, org, analysis.q2))
    base = {"org": str(org.pk), "period": str(analysis.q2.pk)}
    assert drills["0–10%"] == {**base, "attainment": "0-10"}
    assert drills["30–40%"] == {**base, "attainment": "30-40"}
    assert drills["90–100%"] == {**base, "attainment": "90-"}


def test_timeliness_counts_as_the_board_does(world, analysis):
    figure = selectors.timeliness_by_period(
        world.admin_company_a, analysis.campaign, world.company_a, analysis.q2, today=TODAY
    )
    by_state = {s.key: [p.value for p in s.points] for s in figure.series}
    # Q1 owes A1, A2, B1, C0 (B2 starts in July); Q2 the same four.
    assert by_state == {
        "on_time": [2, 1],
        "late": [1, 1],
        "missing": [1, 1],
        "returned": [0, 1],
        "not_due": [0, 0],
    }
    assert figure.series[2].points[0].filters == {
        "org": str(world.company_a.pk),
        "period": str(analysis.q1.pk),
        "state": "missing",
    }
    before_deadline = selectors.timeliness_by_period(
        world.admin_company_a,
        analysis.campaign,
        world.company_a,
        analysis.q2,
        today=analysis.q2.deadline,
    )
    by_state = {s.key: [p.value for p in s.points] for s in before_deadline.series}
    assert by_state["missing"] == [1, 0]
    assert by_state["not_due"] == [0, 1]


def test_timeliness_matches_the_period_board(world, analysis, monkeypatch):
    from taizhang.checkins import selectors as checkin_selectors

    monkeypatch.setattr(checkin_selectors, "local_today", lambda: TODAY)
    user = world.admin_company_a
    figure = selectors.timeliness_by_period(
        user, analysis.campaign, world.company_a, analysis.q2, today=TODAY
    )
    for index, period in enumerate(analysis.periods[:2]):
        board = checkin_selectors.board_counts(
            checkin_selectors.period_board(user, period, world.company_a)
        )
        ours = {s.key: s.points[index].value for s in figure.series if s.points[index].value}
        assert ours == board


def test_benefit_against_target_per_branch(world, analysis):
    user, campaign, org = world.admin_company_a, analysis.campaign, world.company_a
    figure = selectors.benefit_by_branch(user, campaign, org, analysis.q2)
    # company_a's own project C0 is a row of its own; A3 is a draft (its 900 is no target).
    assert figure.categories == ("公司甲（本级）", "甲一支部", "甲二支部")
    assert values(figure, "target") == {
        "公司甲（本级）": D("100.00"),
        "甲一支部": D("500.00"),
        "甲二支部": D("200.00"),
    }
    assert values(figure, "verified") == {
        "公司甲（本级）": D("0.00"),
        "甲一支部": D("100.00"),
        "甲二支部": D("80.00"),
    }
    assert filters(figure, "verified")["甲二支部"] == {"org": str(world.branch_a2.pk)}
    # As of Q1, B1's Q2 claim is not yet counted.
    q1 = selectors.benefit_by_branch(user, campaign, org, analysis.q1)
    assert values(q1, "verified")["甲二支部"] == D("0.00")
    # A branch admin asking for the company sees its own branch only.
    mine = selectors.benefit_by_branch(world.admin_a1, campaign, org, analysis.q2)
    assert mine.categories == ("甲一支部",)


def test_participation_is_the_linkage_figures(world, analysis):
    user, campaign, org = world.admin_company_a, analysis.campaign, world.company_a
    figure = selectors.participation(user, campaign, org)
    linkage = linkage_figures(user, campaign, org)
    people = values(figure)
    assert people == {
        "党员人数": linkage.members_in_scope,
        "牵头党员": linkage.members_leading,
        "参与人员": linkage.participants,
        "其中群众": linkage.non_member_participants,
        "结对党员": linkage.members_paired,
        "结对群众": linkage.colleagues_covered,
    }
    # By hand: leads who are members are lead_a1, member_a1, lead_a2 and the company's
    # member; 4 participants of whom 3 are not members; one member paired with two.
    assert (people["牵头党员"], people["参与人员"], people["其中群众"]) == (4, 4, 3)
    assert (people["结对党员"], people["结对群众"]) == (1, 2)
    assert values(figure, "share")["其中群众"] == "75.0%"
    assert values(figure, "share")["结对群众"] == "每名党员 2.0 人"


def test_branch_scores_prefer_the_published_run(world, analysis):
    user, campaign, org = world.admin_company_a, analysis.campaign, world.company_a
    figure = selectors.branch_scores(user, campaign, org, analysis.q2)
    assert figure.categories == ("甲二支部", "甲一支部")  # by rank
    assert values(figure, "score") == {"甲二支部": D("95.00"), "甲一支部": D("90.25")}
    assert values(figure, "rank") == {"甲二支部": 1, "甲一支部": 2}
    assert "第 1 版" in figure.note
    analysis.published_run.delete()
    draft = selectors.branch_scores(user, campaign, org, analysis.q2)
    assert values(draft, "score") == {"甲一支部": D("85.50"), "甲二支部": D("72.00")}
    assert "草稿" in draft.note
    # A branch compares itself: its own line, the sibling's is not visible.
    own = selectors.branch_scores(world.admin_a1, campaign, world.branch_a1, analysis.q2)
    assert own.categories == ("甲一支部",)
    none = selectors.branch_scores(user, campaign, org, analysis.q1)
    assert none.categories == () and none.is_empty


def test_overview_and_summary_lists(world, analysis):
    user, campaign, org = world.admin_company_a, analysis.campaign, world.company_a
    overview = selectors.overview(user, campaign, org, analysis.q2)
    assert (overview.projects, overview.committed, overview.completed) == (7, 6, 1)
    assert (overview.reports, overview.reports_late) == (2, 1)
    assert (overview.green, overview.amber, overview.red) == (0, 1, 1)
    assert (overview.declared, overview.verified) == (D("250.00"), D("180.00"))

    best = selectors.top_projects(user, campaign, org, analysis.q2)
    assert [line.code for line in best] == ["C0", "A1"]
    a1 = best[1]
    assert (a1.attainment, a1.verified, a1.score) == (D("0.1000"), D("100.00"), D("91.50"))

    problems, count = selectors.problem_projects(user, campaign, org, analysis.q2)
    assert [(line.code, line.light) for line in problems] == [("A1", "red"), ("C0", "amber")]
    assert count == 2
    assert problems[0].problems == "受疫情影响，独居石到货推迟。"

    steps, count = selectors.next_steps(user, campaign, org, analysis.q2)
    assert [line.code for line in steps] == ["A1", "C0"] and count == 2

    rectification = selectors.rectification_summary(user, campaign, org, analysis.q2, today=TODAY)
    assert (rectification.inspections, rectification.items) == (2, 3)
    assert (rectification.closed, rectification.open, rectification.overdue) == (1, 2, 1)
    assert [item.description for item in rectification.open_items] == [
        "补齐二季度台账",
        "补充 1+N 结对",
    ]
    mine = selectors.rectification_summary(
        world.admin_a1, campaign, world.branch_a1, analysis.q2, today=TODAY
    )
    assert (mine.items, mine.open) == (2, 1)


def test_empty_period_has_no_reports(world, analysis):
    user, campaign, org = world.admin_company_a, analysis.campaign, world.company_a
    assert selectors.has_reports(user, campaign, org, analysis.q2)
    assert not selectors.has_reports(user, campaign, org, analysis.q3)
    assert selectors.attainment_distribution(user, campaign, org, analysis.q3).is_empty


def test_default_org_is_the_highest_visible_one(world, analysis):
    assert selectors.default_org(world.admin_company_a, analysis.campaign) == world.company_a
    assert selectors.default_org(world.viewer_group, analysis.campaign) == world.company_a
    assert selectors.default_org(world.admin_a1, analysis.campaign) == world.branch_a1
