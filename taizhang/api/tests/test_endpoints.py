"""Each resource through the API: lists with filters and pages, reads, and the writes, each
going through the same service as the web page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.assessment import services as assessment
from taizhang.campaigns.models import GoalIndicator, Measure, Pairing, Participant, Project
from taizhang.campaigns.tests.factories import ProjectFactory
from taizhang.checkins import services as checkins
from taizhang.checkins.models import Inspection, Period, ProgressReport
from taizhang.orgs.models import Membership, Person, Role

from .conftest import ApiClient, error_of, make_token


def ok(response, status: int = 200):
    assert response.status_code == status, response.content.decode()
    return response.json() if response.content else None


@pytest.fixture
def company(world):
    return ApiClient(make_token(world.admin_company_a))


@pytest.fixture
def branch_admin(world):
    return ApiClient(make_token(world.admin_a1))


@pytest.fixture
def lead(world):
    return ApiClient(make_token(world.lead_a1))


# --------------------------------------------------------------------------- orgs, people


def test_orgs_are_the_visible_subtree_in_tree_order(world, company, branch_admin):
    body = ok(company.get("/orgs"))
    assert [o["name"] for o in body["items"]] == ["公司甲", "甲一支部", "甲二支部"]
    assert body["items"][1]["parent_id"] == world.company_a.pk
    children = ok(company.get("/orgs", {"parent": world.company_a.pk}))
    assert children["count"] == 2
    assert ok(company.get("/orgs", {"q": "甲二"}))["items"][0]["id"] == world.branch_a2.pk
    assert ok(branch_admin.get("/orgs"))["count"] == 1
    assert branch_admin.get(f"/orgs/{world.branch_a2.pk}").status_code == 404
    assert ok(branch_admin.get(f"/orgs/{world.branch_a1.pk}"))["kind"] == "branch"


def test_people_list_search_create_and_update(world, branch_admin, lead):
    found = ok(branch_admin.get("/people", {"q": "qunzhongjia"}))  # pinyin, typed run together
    assert {p["name"] for p in found["items"]} == {"群众甲"}
    assert ok(branch_admin.get("/people", {"political_status": "masses"}))["count"] == 2
    created = ok(
        branch_admin.post(
            "/people",
            {
                "org_id": world.branch_a1.pk,
                "name": "王强",
                "staff_no": "ZX-0099",
                "political_status": "member",
            },
        ),
        201,
    )
    assert created["version"] == 1 and created["has_login"] is False
    duplicate = branch_admin.post(
        "/people", {"org_id": world.branch_a1.pk, "name": "重复", "staff_no": "ZX-0099"}
    )
    assert duplicate.status_code == 409
    updated = ok(branch_admin.patch(f"/people/{created['id']}", {"version": 1, "position": "经理"}))
    assert (updated["position"], updated["version"]) == ("经理", 2)
    refused = lead.post("/people", {"org_id": world.branch_a1.pk, "name": "x", "staff_no": "x1"})
    assert refused.status_code == 403
    assert Person.objects.filter(staff_no="x1").count() == 0


def test_memberships_grant_and_revoke(world, branch_admin, lead):
    listed = ok(branch_admin.get("/memberships", {"role": "project_lead"}))
    assert [m["username"] for m in listed["items"]] == ["lead_a1"]
    grant = ok(
        branch_admin.post(
            "/memberships",
            {"username": "participant_a1", "org_id": world.branch_a1.pk, "role": "verifier"},
        ),
        201,
    )
    assert Membership.objects.filter(user=world.participant_a1, role=Role.VERIFIER).exists()
    unknown = branch_admin.post(
        "/memberships", {"username": "nobody", "org_id": world.branch_a1.pk, "role": "viewer"}
    )
    assert unknown.status_code == 422
    assert list(error_of(unknown)["fields"]) == ["username"]
    assert lead.delete(f"/memberships/{grant['id']}").status_code == 403
    assert branch_admin.delete(f"/memberships/{grant['id']}").status_code == 204
    assert not Membership.objects.filter(pk=grant["id"]).exists()


# --------------------------------------------------------------------------- campaigns


def test_campaigns_create_update_and_read(world, company, lead):
    created = ok(
        company.post(
            "/campaigns",
            {
                "org_id": world.company_a.pk,
                "name": "2021年两带两创",
                "year": 2021,
                "start_date": "2021-01-01",
                "end_date": "2021-12-31",
                "cadence": "monthly",
            },
        ),
        201,
    )
    assert [t["short_name"] for t in created["project_types"]] == ["创效", "创新"]
    assert len(created["focus_areas"]) == 6
    assert ok(lead.get("/campaigns", {"year": 2021}))["count"] == 1  # a branch sees its company's
    changed = ok(
        company.patch(
            f"/campaigns/{created['id']}",
            {
                "version": created["version"],
                "name": "2021年“两带两创”",
                "focus_areas": ["生产经营"],
            },
        )
    )
    assert changed["name"] == "2021年“两带两创”" and [
        a["name"] for a in changed["focus_areas"]
    ] == ["生产经营"]
    assert lead.patch(f"/campaigns/{created['id']}", {"version": 2, "name": "x"}).status_code == 403
    generated = ok(company.post(f"/campaigns/{created['id']}/periods/generate"), 201)
    assert len(generated) == 12
    assert ok(company.post(f"/campaigns/{created['id']}/periods/generate"), 201) == []


# --------------------------------------------------------------------------- projects


def test_project_list_filters_sorts_and_pages(world, checkin, branch_admin, company):
    campaign = world.campaign
    innovate = campaign.project_types.get(short_name="创新")
    for n in range(3):
        ProjectFactory(
            campaign=campaign,
            org=world.branch_a1,
            lead=world.lead_person_a1,
            code=f"CX-{n}",
            title=f"创新项目{n}",
            project_type=innovate,
        )
    ProjectFactory(campaign=campaign, org=world.branch_a2, lead=world.lead_person_a2)
    everything = ok(company.get("/projects", {"campaign": campaign.pk}))
    assert everything["count"] == 5
    branch = ok(branch_admin.get("/projects"))
    assert branch["count"] == 4
    assert ok(branch_admin.get("/projects", {"type": innovate.pk}))["count"] == 3
    assert ok(branch_admin.get("/projects", {"status": "in_progress"}))["count"] == 1
    assert ok(branch_admin.get("/projects", {"q": "创新项目1"}))["count"] == 1
    assert ok(company.get("/projects", {"org": world.branch_a2.pk}))["count"] == 1
    assert ok(company.get("/projects", {"lead": world.lead_person_a1.pk}))["count"] == 4
    page = ok(branch_admin.get("/projects", {"sort": "-code", "limit": 2, "offset": 1}))
    assert (page["count"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [p["code"] for p in page["items"]] == ["CX-2", "CX-1"]  # after P0000
    assert branch_admin.get("/projects", {"org": world.branch_a2.pk}).status_code == 404


def test_goals_measures_participants_round_trip(world, checkin, lead):
    project_id = checkin.project.pk
    goal = ok(
        lead.post(
            f"/projects/{project_id}/goals",
            {
                "name": "成本",
                "unit": "万元",
                "baseline": "80",
                "target": "60",
                "direction": "lower",
            },
        ),
        201,
    )
    goal = ok(lead.patch(f"/goals/{goal['id']}", {"version": goal["version"], "target": 50}))
    assert Decimal(goal["target"]) == 50 and goal["direction"] == "lower"
    measure = ok(
        lead.post(
            f"/projects/{project_id}/measures",
            {"description": "复盘", "owner_id": world.member_a1.pk, "due_date": "2020-06-30"},
        ),
        201,
    )
    measure = ok(
        lead.patch(
            f"/measures/{measure['id']}",
            {"version": measure["version"], "percent_complete": 50, "owner_id": None},
        )
    )
    assert (measure["percent_complete"], measure["owner_id"], measure["due_date"]) == (
        50,
        None,
        "2020-06-30",
    )
    participant = ok(
        lead.post(
            f"/projects/{project_id}/participants",
            {"person_id": world.masses_a1.pk, "role": "core", "duty": "采购"},
        ),
        201,
    )
    participant = ok(
        lead.patch(f"/participants/{participant['id']}", {"version": 1, "duty": "运输"})
    )
    assert (participant["role"], participant["duty"]) == ("core", "运输")
    detail = ok(lead.get(f"/projects/{project_id}"))
    assert len(detail["goals"]) == 3 and len(detail["participants"]) == 1
    assert lead.delete(f"/goals/{goal['id']}?version={goal['version']}").status_code == 204
    assert lead.delete(f"/measures/{measure['id']}").status_code == 204
    assert lead.delete(f"/participants/{participant['id']}").status_code == 204
    assert GoalIndicator.all_objects.get(pk=goal["id"]).is_deleted
    assert Measure.all_objects.get(pk=measure["id"]).is_deleted
    assert Participant.all_objects.get(pk=participant["id"]).is_deleted
    # A sibling branch's person cannot be picked.
    refused = lead.post(
        f"/projects/{project_id}/participants", {"person_id": world.lead_person_a2.pk}
    )
    assert refused.status_code == 422
    assert list(error_of(refused)["fields"]) == ["person_id"]


def test_project_delete_is_recoverable(world, checkin, branch_admin):
    assert branch_admin.delete(f"/projects/{checkin.project.pk}?version=1").status_code == 204
    assert Project.all_objects.get(pk=checkin.project.pk).is_deleted
    assert branch_admin.get(f"/projects/{checkin.project.pk}").status_code == 404


def test_lead_cannot_approve_own_project(world, lead):
    project = ProjectFactory(
        campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1, status="submitted"
    )
    response = lead.post(f"/projects/{project.pk}/transitions", {"action": "approve"})
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).status == "submitted"
    unknown = lead.post(f"/projects/{project.pk}/transitions", {"action": "publish"})
    assert unknown.status_code == 422


# --------------------------------------------------------------------------- pairings, periods


def test_pairings(world, branch_admin, lead):
    pairing = ok(
        branch_admin.post(
            "/pairings",
            {
                "campaign_id": world.campaign.pk,
                "member_id": world.member_a1.pk,
                "colleague_id": world.masses_a1.pk,
            },
        ),
        201,
    )
    assert pairing["member_name"] == "党员甲"
    assert ok(lead.get("/pairings", {"campaign": world.campaign.pk}))["count"] == 1
    assert lead.delete(f"/pairings/{pairing['id']}").status_code == 403
    assert branch_admin.delete(f"/pairings/{pairing['id']}").status_code == 204
    assert Pairing.all_objects.get(pk=pairing["id"]).is_deleted


def test_periods(world, checkin, company, lead):
    listed = ok(lead.get("/periods", {"campaign": world.campaign.pk}))
    assert [p["name"] for p in listed["items"]][:1] == ["2020年第1季度"]
    assert ok(lead.get(f"/periods/{checkin.periods[0].pk}"))["deadline"] == "2020-04-10"
    assert (
        lead.post(
            "/periods",
            {
                "campaign_id": world.campaign.pk,
                "name": "专项",
                "start_date": "2020-01-01",
                "end_date": "2020-01-31",
                "deadline": "2020-02-10",
            },
        ).status_code
        == 403
    )
    overlap = company.post(
        "/periods",
        {
            "campaign_id": world.campaign.pk,
            "name": "专项",
            "start_date": "2020-01-01",
            "end_date": "2020-01-31",
            "deadline": "2020-02-10",
        },
    )
    assert overlap.status_code == 422 and error_of(overlap)["code"] == "overlap"
    assert Period.objects.filter(name="专项").count() == 0


# --------------------------------------------------------------------------- reports, claims


def test_reports_review_and_evidence(world, checkin, lead, branch_admin):
    period = checkin.periods[0]
    report = ok(lead.post(f"/projects/{checkin.project.pk}/reports", {"period_id": period.pk}), 201)
    again = ok(lead.post(f"/projects/{checkin.project.pk}/reports", {"period_id": period.pk}))
    assert again["id"] == report["id"]
    upload = SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff evidence", content_type="image/jpeg")
    evidence = lead.client.post(
        f"/api/v1/reports/{report['id']}/evidence",
        {"file": upload},
        headers={"Authorization": f"Bearer {lead.token}"},
    )
    assert evidence.status_code == 201, evidence.content
    bad = lead.client.post(
        f"/api/v1/reports/{report['id']}/evidence",
        {"file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")},
        headers={"Authorization": f"Bearer {lead.token}"},
    )
    assert bad.status_code == 422 and error_of(bad)["code"] == "file_type"
    saved = ok(
        lead.put(
            f"/reports/{report['id']}",
            {
                "version": report["version"],
                "progress": "进展",
                "actuals": [
                    {"goal_id": checkin.profit.pk, "actual": 100},
                    {"goal_id": checkin.loss.pk, "actual": 100},
                ],
                "measures": [
                    {
                        "measure_id": checkin.measure.pk,
                        "status": "in_progress",
                        "percent_complete": 30,
                    }
                ],
            },
        )
    )
    assert len(saved["readings"]) == 2 and saved["measure_updates"][0]["percent_complete"] == 30
    assert len(saved["evidence"]) == 1
    submitted = ok(lead.post(f"/reports/{report['id']}/submit", {"version": saved["version"]}))
    assert submitted["is_late"] is True  # 2020's deadline has passed
    no_comment = branch_admin.post(
        f"/reports/{report['id']}/return", {"version": submitted["version"]}
    )
    assert no_comment.status_code == 422 and error_of(no_comment)["fields"] == {
        "comment": ["退回时请填写意见。"]
    }
    returned = ok(
        branch_admin.post(
            f"/reports/{report['id']}/return", {"version": submitted["version"], "comment": "补充"}
        )
    )
    assert returned["status"] == "returned"
    listed = ok(branch_admin.get("/reports", {"status": "returned", "period": period.pk}))
    assert [r["id"] for r in listed["items"]] == [report["id"]]
    again = ok(lead.post(f"/reports/{report['id']}/submit", {"version": returned["version"]}))
    accepted = ok(
        branch_admin.post(f"/reports/{report['id']}/accept", {"version": again["version"]})
    )
    assert accepted["status"] == "accepted"
    assert ProgressReport.objects.get(pk=report["id"]).revision == 2


def test_claims_declare_list_and_reject(world, checkin, lead):
    period = checkin.periods[0]
    claim = ok(
        lead.post(
            f"/projects/{checkin.project.pk}/claims",
            {"period_id": period.pk, "amount": "35.50", "source": "trade_profit"},
        ),
        201,
    )
    twice = lead.post(
        f"/projects/{checkin.project.pk}/claims",
        {"period_id": period.pk, "amount": "1", "source": "trade_profit"},
    )
    assert twice.status_code == 409 and error_of(twice)["code"] == "duplicate_claim"
    precision = lead.post(
        f"/projects/{checkin.project.pk}/claims",
        {"period_id": checkin.periods[1].pk, "amount": "1.234", "source": "other"},
    )
    assert precision.status_code == 422
    assert ok(lead.get("/claims", {"project": checkin.project.pk}))["count"] == 1
    verifier = ApiClient(make_token(checkin.verifier))
    rejected = ok(
        verifier.post(
            f"/claims/{claim['id']}/reject", {"version": claim["version"], "reason": "重复计算"}
        )
    )
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "重复计算"


# --------------------------------------------------------------------------- inspections


def test_inspections(world, checkin, company, branch_admin, lead):
    body = {
        "campaign_id": world.campaign.pk,
        "inspecting_org_id": world.company_a.pk,
        "project_id": checkin.project.pk,
        "date": "2020-06-15",
        "inspectors": "公司党委检查组",
        "methods": ["briefing", "documents"],
        "findings": "台账齐全，措施落实到位。",
        "rating": "good",
        "items": [
            {
                "description": "补充佐证材料",
                "owner_id": world.lead_person_a1.pk,
                "due_date": "2020-07-15",
            }
        ],
    }
    created = ok(company.post("/inspections", body), 201)
    assert [i["status"] for i in created["items"]] == ["open"]
    assert ok(lead.get("/inspections", {"project": checkin.project.pk}))["count"] == 1
    assert ok(lead.get(f"/inspections/{created['id']}"))["rating"] == "good"
    sideways = ApiClient(make_token(world.admin_a2)).post(
        "/inspections", {**body, "inspecting_org_id": world.branch_a2.pk}
    )
    assert sideways.status_code == 422  # project_id names nothing branch a2 can see
    both = company.post("/inspections", {**body, "target_org_id": world.branch_a1.pk})
    assert both.status_code == 422
    assert Inspection.objects.count() == 1


# --------------------------------------------------------------------------- scores


def test_scores_rankings_and_breakdowns(world, checkin, company, lead):
    ProjectFactory(
        campaign=world.campaign,
        org=world.branch_a2,
        lead=world.lead_person_a2,
        status="in_progress",
    )
    period = checkin.periods[1]
    report = checkins.report_start(actor=world.lead_a1, project=checkin.project, period=period)
    checkins.report_save(
        actor=world.lead_a1,
        report=report,
        progress="x",
        actuals={checkin.profit.pk: "400", checkin.loss.pk: "20"},
    )
    checkins.report_submit(
        actor=world.lead_a1, report=report, now=dt.datetime(2020, 7, 1, tzinfo=dt.UTC)
    )
    assert (
        lead.post(
            f"/campaigns/{world.campaign.pk}/scores/recompute", {"period": str(period.pk)}
        ).status_code
        == 403
    )
    no_scheme = company.post(
        f"/campaigns/{world.campaign.pk}/scores/recompute", {"period": str(period.pk)}
    )
    assert no_scheme.status_code == 422 and error_of(no_scheme)["code"] == "no_scheme"
    assessment.scheme_create(
        actor=world.admin_company_a, campaign=world.campaign, spec=assessment.default_scheme_spec()
    )
    draft = ok(
        company.post(f"/campaigns/{world.campaign.pk}/scores/recompute", {"period": str(period.pk)})
    )
    assert draft["kind"] == "draft"
    refused = lead.post(
        f"/campaigns/{world.campaign.pk}/scores/publish", {"period": str(period.pk)}
    )
    assert refused.status_code == 403
    run = ok(
        company.post(f"/campaigns/{world.campaign.pk}/scores/publish", {"period": str(period.pk)}),
        201,
    )
    assert (run["kind"], run["version"], run["period"]) == ("published", 1, period.name)
    runs = ok(company.get("/score-runs", {"campaign": world.campaign.pk, "kind": "published"}))
    assert [r["id"] for r in runs["items"]] == [run["id"]]
    ranking = ok(company.get(f"/score-runs/{run['id']}/orgs", {"parent": world.company_a.pk}))
    assert [o["rank"] for o in ranking["items"]] == [1, 2]
    assert ranking["items"][0]["org_id"] == world.branch_a1.pk
    projects = ok(company.get(f"/score-runs/{run['id']}/projects"))
    assert projects["count"] == 2
    assert Decimal(projects["items"][0]["total"]) >= Decimal(projects["items"][1]["total"])
    org = ok(company.get(f"/score-runs/{run['id']}/orgs/{world.company_a.pk}"))
    assert org["project_count"] == 2 and "breakdown" in org
    # The lead sees the branch, not the company or the sibling.
    own = ok(lead.get(f"/campaigns/{world.campaign.pk}/scores", {"period": period.pk}))
    assert own["org"]["org_id"] == world.branch_a1.pk and own["run"]["id"] == run["id"]
    assert ok(lead.get(f"/score-runs/{run['id']}/projects"))["count"] == 1
    assert lead.get(f"/score-runs/{run['id']}/orgs/{world.company_a.pk}").status_code == 404
    draft_view = ok(
        lead.get(f"/campaigns/{world.campaign.pk}/scores", {"period": period.pk, "run": "draft"})
    )
    assert draft_view["run"]["kind"] == "draft"
    assert lead.get(f"/campaigns/{world.campaign.pk}/scores", {"period": 999999}).status_code == 404
    year = ok(lead.get(f"/campaigns/{world.campaign.pk}/scores", {"period": "year"}))
    assert year["run"] is None and year["org"] is None


def test_exports_are_links(world, lead):
    links = ok(lead.get(f"/campaigns/{world.campaign.pk}/exports"))["items"]
    assert all(link["url"].startswith("http://testserver/") for link in links)
