import datetime as dt

import pytest

from taizhang.assessment import results_day as rd
from taizhang.assessment.models import Award, ResultsDayStatus
from taizhang.campaigns.tests.factories import ProjectFactory
from taizhang.core.exceptions import DomainError


@pytest.fixture
def day(world):
    return rd.results_day_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        name="2020年成果发布会",
        date=dt.date(2020, 12, 20),
    )


def _review(world, candidate, 实效, 创新, 可操作, reviewer=None):
    return rd.review_submit(
        actor=reviewer or world.admin_company_a,
        candidate=candidate,
        scores={"实效": 实效, "创新": 创新, "可操作": 可操作},
    )


def test_criteria_must_sum_to_100(world):
    with pytest.raises(DomainError) as info:
        rd.results_day_create(
            actor=world.admin_company_a,
            campaign=world.campaign,
            name="x",
            date=dt.date(2020, 12, 1),
            criteria=[{"name": "实效", "points": 60}],
        )
    assert info.value.code == "weights_sum"


def test_publish_ranks_and_caps_excellent_share(world, day):
    projects = [ProjectFactory(campaign=world.campaign, org=world.branch_a1) for _ in range(5)]
    candidates = [
        rd.candidate_add(actor=world.admin_company_a, day=day, project=p) for p in projects
    ]
    for candidate, scores in zip(
        candidates,
        [(48, 24, 24), (46, 23, 23), (45, 22, 22), (40, 20, 20), (30, 10, 10)],
        strict=True,
    ):
        _review(world, candidate, *scores)
    _review(world, candidates[0], 40, 20, 20, reviewer=world.viewer_group)  # a second reviewer
    rd.results_day_publish(actor=world.admin_company_a, day=day)
    by_project = {c.project_id: c for c in day.candidates.all()}
    assert str(by_project[projects[0].pk].mean_score) == "88.00"  # mean of 96 and 80
    assert [by_project[p.pk].rank for p in projects] == [3, 1, 2, 4, 5]  # 88, 92, 89, 80, 50
    # 5 candidates, cap 50 % → at most 2 优秀, and only at 85 or more.
    awards = [by_project[p.pk].award for p in projects]
    assert awards == [
        Award.SELECTED,
        Award.EXCELLENT,
        Award.EXCELLENT,
        Award.SELECTED,
        Award.SELECTED,
    ]
    day.refresh_from_db()
    assert day.status == ResultsDayStatus.PUBLISHED
    with pytest.raises(DomainError) as info:
        _review(world, candidates[4], 50, 25, 25)
    assert info.value.code == "published"


def test_a_tie_at_the_cut_is_not_split(world, day):
    projects = [ProjectFactory(campaign=world.campaign, org=world.branch_a1) for _ in range(4)]
    candidates = [
        rd.candidate_add(actor=world.admin_company_a, day=day, project=p) for p in projects
    ]
    for candidate, scores in zip(
        candidates, [(50, 25, 25), (45, 22, 23), (45, 22, 23), (30, 10, 10)], strict=True
    ):
        _review(world, candidate, *scores)
    rd.results_day_publish(actor=world.admin_company_a, day=day)
    by_project = {c.project_id: c for c in day.candidates.all()}
    assert [by_project[p.pk].award for p in projects] == [
        Award.EXCELLENT,
        Award.SELECTED,
        Award.SELECTED,
        Award.SELECTED,
    ]
    assert [by_project[p.pk].rank for p in projects] == [1, 2, 2, 4]


def test_reviewer_rules(world, day):
    project = ProjectFactory(
        campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1
    )
    candidate = rd.candidate_add(actor=world.admin_company_a, day=day, project=project)
    with pytest.raises(DomainError):
        _review(world, candidate, 40, 20, 20, reviewer=world.lead_a1)  # the project's own lead
    with pytest.raises(DomainError):
        _review(world, candidate, 40, 20, 20, reviewer=world.admin_a2)  # not on the committee
    with pytest.raises(DomainError) as info:
        _review(world, candidate, 60, 20, 20)  # 实效 is worth 50
    assert info.value.code == "out_of_range"
    with pytest.raises(DomainError) as info:
        rd.results_day_publish(actor=world.admin_company_a, day=day)
    assert info.value.code == "unreviewed"
