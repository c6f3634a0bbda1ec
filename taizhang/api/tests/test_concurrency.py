"""Optimistic concurrency: a write naming a stale version answers 409 and changes nothing,
from the API and from the web forms (which show what the other person changed)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from taizhang.campaigns import services as campaigns
from taizhang.campaigns.models import GoalIndicator, Measure, Project
from taizhang.campaigns.services import GoalInput
from taizhang.checkins import services as checkins
from taizhang.checkins.models import ProgressReport

from .conftest import ApiClient, error_of, make_token

HTMX = {"HTTP_HX_REQUEST": "true"}


def _stale(response, *, current: int, expected: int) -> dict:
    assert response.status_code == 409, response.content
    error = error_of(response)
    assert error["code"] == "stale"
    assert "该记录已被他人修改" in error["message"]
    assert error["details"]["current_version"] == current
    assert error["details"]["expected_version"] == expected
    return error


def test_project_update_with_stale_version_is_409_and_changes_nothing(world, checkin):
    api = ApiClient(make_token(world.admin_a1))
    project = Project.objects.get(pk=checkin.project.pk)
    seen = project.lock_version
    # Someone else saves first.
    campaigns.project_update(
        actor=world.admin_company_a, project=project, title="公司改的", reason="统一名称"
    )
    response = api.patch(f"/projects/{project.pk}", {"version": seen, "title": "支部改的"})
    error = _stale(response, current=seen + 1, expected=seen)
    latest = error["details"]["latest_change"]
    assert latest["by"] == "admin_company_a" and latest["reason"] == "统一名称"
    title_change = next(c for c in latest["changes"] if c["field"] == "title")
    assert title_change["new"] == "公司改的"
    assert not any(c["field"] == "lock_version" for c in latest["changes"])
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.title, fresh.lock_version) == ("公司改的", seen + 1)
    # With the current version the same write goes through and bumps it.
    response = api.patch(f"/projects/{project.pk}", {"version": seen + 1, "title": "支部改的"})
    assert response.status_code == 200
    assert response.json()["version"] == seen + 2


def test_every_update_requires_a_version(world, checkin):
    api = ApiClient(make_token(world.admin_a1))
    for path in [f"/projects/{checkin.project.pk}", f"/goals/{checkin.profit.pk}"]:
        response = api.patch(path, {"title": "x"} if "projects" in path else {"name": "x"})
        assert response.status_code == 422
        assert "version" in error_of(response)["fields"]


@pytest.mark.parametrize(
    "kind,path,body",
    [
        ("goal", "/goals/{id}", {"name": "新名称"}),
        ("measure", "/measures/{id}", {"percent_complete": 40}),
        ("participant", "/participants/{id}", {"duty": "联络"}),
    ],
)
def test_child_updates_with_stale_version_are_409(world, checkin, kind, path, body):
    api = ApiClient(make_token(world.lead_a1))
    if kind == "goal":
        item = GoalIndicator.objects.get(pk=checkin.profit.pk)
        campaigns.goal_update(
            actor=world.admin_a1,
            goal=item,
            data=GoalInput(name="别人改的", target=item.target, baseline=item.baseline),
        )
    elif kind == "measure":
        item = Measure.objects.get(pk=checkin.measure.pk)
        campaigns.child_delete(actor=world.admin_a1, item=item)  # a delete is a change too
        campaigns.child_restore(actor=world.admin_a1, item=Measure.all_objects.get(pk=item.pk))
    else:
        item = campaigns.participant_add(
            actor=world.lead_a1, project=checkin.project, person=world.masses_a1
        )
        campaigns.participant_update(actor=world.admin_a1, participant=item, role="core")
    model = type(item)
    stale_version = model.all_objects.get(pk=item.pk).lock_version - 1
    before = model.all_objects.filter(pk=item.pk).values().get()
    response = api.patch(path.format(id=item.pk), {"version": stale_version, **body})
    _stale(response, current=stale_version + 1, expected=stale_version)
    assert model.all_objects.filter(pk=item.pk).values().get() == before


def test_report_save_and_submit_with_stale_version_are_409(world, checkin):
    api = ApiClient(make_token(world.lead_a1))
    period = checkin.periods[0]
    started = api.post(f"/projects/{checkin.project.pk}/reports", {"period_id": period.pk})
    assert started.status_code == 201
    report = started.json()
    saved = api.put(
        f"/reports/{report['id']}",
        {
            "version": report["version"],
            "progress": "第一版",
            "actuals": [
                {"goal_id": checkin.profit.pk, "actual": 120},
                {"goal_id": checkin.loss.pk, "actual": "90.5"},
            ],
        },
    )
    assert saved.status_code == 200, saved.content
    # A second writer works from the first read.
    response = api.put(f"/reports/{report['id']}", {"version": report["version"], "progress": "旧"})
    _stale(response, current=saved.json()["version"], expected=report["version"])
    response = api.post(f"/reports/{report['id']}/submit", {"version": report["version"]})
    _stale(response, current=saved.json()["version"], expected=report["version"])
    stored = ProgressReport.objects.get(pk=report["id"])
    assert (stored.progress, stored.status) == ("第一版", "draft")


def test_transition_with_stale_version_is_409(world, checkin):
    api = ApiClient(make_token(world.admin_a1))
    project = Project.objects.get(pk=checkin.project.pk)
    campaigns.project_update(actor=world.admin_a1, project=project, title="已改")
    response = api.post(
        f"/projects/{project.pk}/transitions",
        {"action": "terminate", "reason": "x", "version": project.lock_version - 1},
    )
    _stale(response, current=project.lock_version, expected=project.lock_version - 1)
    assert Project.objects.get(pk=project.pk).status == "in_progress"


# --------------------------------------------------------------------------- web forms


def _edit_data(project: Project, **overrides) -> dict:
    data = {
        "org": project.org_id,
        "code": project.code,
        "title": project.title,
        "project_type": project.project_type_id,
        "focus_area": project.focus_area_id,
        "lead": project.lead_id,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "rationale": project.rationale,
        "plan": project.plan,
        "reason": "",
        "version": project.lock_version,
    }
    data.update(overrides)
    return data


def test_web_project_form_refuses_a_stale_save_and_shows_the_other_change(world, checkin):
    client = Client()
    client.force_login(world.admin_a1)
    url = reverse("campaigns:project_edit", args=[checkin.project.pk])
    page = client.get(url).content.decode()
    project = Project.objects.get(pk=checkin.project.pk)
    assert re.search(rf'name="version" value="{project.lock_version}"', page)
    opened = _edit_data(project)
    # Meanwhile the company admin renames the project.
    campaigns.project_update(
        actor=world.admin_company_a, project=project, title="公司统一名称", reason="规范命名"
    )
    response = client.post(url, {**opened, "title": "支部的名称", "plan": "新方案"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "该记录已被他人修改" in html
    assert "admin_company_a" in html and "规范命名" in html
    assert "项目名称" in html and "公司统一名称" in html  # their change: the field and value
    stored = Project.objects.get(pk=project.pk)
    assert (stored.title, stored.plan) == ("公司统一名称", "")
    # The form now carries the current version, so saving again is a deliberate overwrite.
    assert re.search(rf'name="version" value="{stored.lock_version}"', html)
    again = client.post(
        url, {**opened, "title": "支部的名称", "plan": "新方案", "version": stored.lock_version}
    )
    assert again.status_code == 302
    assert Project.objects.get(pk=project.pk).title == "支部的名称"


def test_web_inline_goal_edit_refuses_a_stale_save(world, checkin):
    client = Client()
    client.force_login(world.lead_a1)
    project = checkin.project
    goal = GoalIndicator.objects.get(pk=checkin.profit.pk)
    edit = client.get(reverse("campaigns:goal_edit", args=[project.pk, goal.pk]), **HTMX)
    assert f'name="goals-{goal.pk}-version"' in edit.content.decode()
    seen = goal.lock_version
    campaigns.goal_update(
        actor=world.admin_a1,
        goal=goal,
        data=GoalInput(name="净利润", target=goal.target, baseline=goal.baseline, weight=3),
    )
    prefix = f"goals-{goal.pk}"
    response = client.post(
        reverse("campaigns:goal_update", args=[project.pk, goal.pk]),
        {
            f"{prefix}-version": seen,
            f"{prefix}-name": "目标利润（改）",
            f"{prefix}-unit": "万元",
            f"{prefix}-baseline": "0",
            f"{prefix}-target": "600",
            f"{prefix}-direction": "higher",
            f"{prefix}-weight": "3",
        },
        **HTMX,
    )
    html = response.content.decode()
    assert "该记录已被他人修改" in html
    assert "净利润" in html  # what the other person changed
    assert f'<tr id="goal-{goal.pk}" class="editing">' in html
    goal.refresh_from_db()
    assert (goal.name, goal.target) == ("净利润", 500)


def test_report_service_version_check_is_inside_the_lock(world, checkin):
    report = checkins.report_start(
        actor=world.lead_a1, project=checkin.project, period=checkin.periods[0]
    )
    checkins.report_save(actor=world.lead_a1, report=report, progress="a")
    from taizhang.core.exceptions import DomainError

    with pytest.raises(DomainError) as caught:
        checkins.report_save(actor=world.lead_a1, report=report, progress="b", expected_version=1)
    assert caught.value.code == "stale"
