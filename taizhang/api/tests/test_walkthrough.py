"""The issue's "done when", as docs/api.md tells it: a new project lead, with a token made on the
token page, files a project, submits a report and reads the branch's score, over HTTP only.

The org's own setup (the lead's account and grant, the campaign's periods and scoring scheme)
is done beforehand, as the admins do on the web pages.
"""

import re

import pytest
from django.test import Client

from taizhang.assessment import services as assessment
from taizhang.checkins import services as checkins
from taizhang.orgs.models import PoliticalStatus, Role
from taizhang.orgs.tests.factories import MembershipFactory, PersonFactory
from taizhang.users.tests.factories import UserFactory

from .conftest import ApiClient


@pytest.fixture
def setup(world):
    user = UserFactory(username="new_lead")
    MembershipFactory(user=user, org=world.branch_a1, role=Role.PROJECT_LEAD)
    PersonFactory(
        user=user, org=world.branch_a1, name="李新", political_status=PoliticalStatus.MEMBER
    )
    checkins.periods_generate(actor=world.admin_company_a, campaign=world.campaign)
    assessment.scheme_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        spec=assessment.default_scheme_spec(),
    )
    return user


def _token_from_the_page(user, scope: str) -> str:
    browser = Client()
    browser.force_login(user)
    page = browser.post("/account/api-tokens/", {"name": "curl", "scope": scope})
    assert page.status_code == 200
    return re.search(r'id="new-token"[^>]*>(tz_[\w-]+)<', page.content.decode()).group(1)


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_new_lead_files_a_project_submits_a_report_and_reads_the_score(world, setup):
    lead = ApiClient(_token_from_the_page(setup, "write"))
    admin = ApiClient(_token_from_the_page(world.admin_a1, "write"))
    committee = ApiClient(_token_from_the_page(world.admin_company_a, "write"))

    # 1. Who am I, which campaign, which types, areas and periods.
    me = _ok(lead.get("/me"))
    assert me["person"]["name"] == "李新"
    branch_id = me["person"]["org_id"]
    campaign_id = _ok(lead.get("/campaigns"))["items"][0]["id"]
    campaign = _ok(lead.get(f"/campaigns/{campaign_id}"))
    benefit_type = next(t for t in campaign["project_types"] if t["is_benefit"])
    area = next(a for a in campaign["focus_areas"] if a["name"] == "贸易营销")
    q1 = campaign["periods"][0]

    # 2. File the project (a retry with the same key would not file it twice).
    project = _ok(
        lead.post(
            "/projects",
            {
                "campaign_id": campaign_id,
                "org_id": branch_id,
                "code": "CX-2020-01",
                "title": "稀土贸易创效：独居石购销加工",
                "project_type_id": benefit_type["id"],
                "focus_area_id": area["id"],
                "lead_id": me["person"]["id"],
                "start_date": "2020-01-01",
                "end_date": "2020-12-31",
                "goals": [{"name": "目标利润", "unit": "万元", "baseline": 0, "target": 500}],
                "measures": [{"description": "与兄弟公司开展独居石购销加工贸易"}],
            },
            headers={"Idempotency-Key": "cx-2020-01"},
        ),
        201,
    )
    assert project["status"] == "draft" and project["actions"] == ["submit"]
    project = _ok(lead.post(f"/projects/{project['id']}/transitions", {"action": "submit"}))

    # The branch admin approves; the lead starts.
    project = _ok(admin.post(f"/projects/{project['id']}/transitions", {"action": "approve"}))
    project = _ok(lead.post(f"/projects/{project['id']}/transitions", {"action": "start"}))
    assert project["status"] == "in_progress"

    # 3. Report on the first quarter and submit it.
    report = _ok(lead.post(f"/projects/{project['id']}/reports", {"period_id": q1["id"]}), 201)
    report = _ok(
        lead.put(
            f"/reports/{report['id']}",
            {
                "version": report["version"],
                "progress": "完成独居石首批采购，实现利润 130 万元。",
                "problems": "运输受天气影响。",
                "next_steps": "二季度扩大加工量。",
                "actuals": [{"goal_id": project["goals"][0]["id"], "actual": 130}],
            },
        )
    )
    report = _ok(
        lead.post(
            f"/reports/{report['id']}/submit",
            {"version": report["version"]},
            headers={"Idempotency-Key": f"submit-{report['id']}"},
        )
    )
    assert report["status"] == "submitted" and report["light"] == "green"

    # 4. The committee publishes the quarter; the lead reads the branch's score.
    run = _ok(
        committee.post(f"/campaigns/{campaign_id}/scores/publish", {"period": str(q1["id"])}), 201
    )
    scores = _ok(lead.get(f"/campaigns/{campaign_id}/scores", {"period": q1["id"]}))
    assert scores["run"]["id"] == run["id"] and scores["run"]["kind"] == "published"
    assert scores["org"]["org_id"] == branch_id
    assert float(scores["org"]["score"]) > 0
    explained = _ok(lead.get(f"/score-runs/{run['id']}/projects/{project['id']}"))
    assert explained["breakdown"]["total_micro"] > 0
    # The sibling branch sees neither the project nor the score.
    sibling = ApiClient(_token_from_the_page(world.admin_a2, "read"))
    assert sibling.get(f"/projects/{project['id']}").status_code == 404
    assert sibling.get(f"/score-runs/{run['id']}/projects/{project['id']}").status_code == 404
