"""The assessment API: schemes (read, copy, edit with a version), manual entries, publishing a
period and the results day, over the same services and rights as the web pages."""

from decimal import Decimal

import pytest

from taizhang.assessment import services
from taizhang.assessment.models import (
    Award,
    Criterion,
    CriterionKind,
    Dimension,
    ManualEntry,
    OrgWeight,
    RunKind,
    Scheme,
    ScoreRun,
)
from taizhang.assessment.tests.conftest import q3, running, submit_report  # noqa: F401
from taizhang.orgs.models import Role
from taizhang.orgs.tests.factories import MembershipFactory
from taizhang.users.tests.factories import UserFactory

from .conftest import ApiClient, error_of, make_token

D = Decimal


@pytest.fixture
def scheme(world, q3, running):  # noqa: F811
    """The default scheme on company a's campaign, one Q3 project in each branch."""
    scheme = services.scheme_create(
        actor=world.admin_company_a, campaign=world.campaign, spec=services.default_scheme_spec()
    )
    a1, (goal,) = running()
    submit_report(a1, q3, {goal: 100})
    a2, (goal,) = running(org=world.branch_a2, lead=world.lead_person_a2)
    submit_report(a2, q3, {goal: 40})
    scheme.a1, scheme.a2 = a1, a2
    return scheme


def _client(user, scope: str = "write") -> ApiClient:
    return ApiClient(make_token(user, scope))


def _dimensions(body: dict) -> list[dict]:
    """The scheme's dimensions as a PATCH body sends them back."""
    return [
        {
            "name": d["name"],
            "weight": d["weight"],
            "criteria": [
                {"name": c["name"], "kind": c["kind"], "points": c["points"], "params": c["params"]}
                for c in d["criteria"]
            ],
        }
        for d in body["dimensions"]
    ]


def _state(scheme) -> list:
    return sorted(
        Criterion.objects.filter(dimension__scheme__campaign=scheme.campaign).values_list(
            "dimension__scheme_id", "name", "points"
        )
    ) + sorted(Dimension.objects.values_list("scheme_id", "name", "weight"))


# --------------------------------------------------------------------------- schemes


def test_read_a_scheme_with_dimensions_criteria_and_bands(world, scheme):
    api = _client(world.admin_a1)  # a branch reads its campaign's scheme
    listed = api.get(f"/campaigns/{world.campaign.pk}/schemes").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == scheme.pk
    body = api.get(f"/schemes/{scheme.pk}").json()
    assert body["scheme_version"] == 1 and body["is_active"] is True
    assert sum(D(d["weight"]) for d in body["dimensions"]) == 100
    for dimension in body["dimensions"]:
        assert sum(D(c["points"]) for c in dimension["criteria"]) == D(dimension["weight"])
    assert [b["label"] for b in body["bands"]] == ["优秀", "达标", "不达标"]
    assert {d["kind"] for d in body["deductions"]} >= {"missing_report", "late_report"}
    assert body["version"] == Scheme.objects.get(pk=scheme.pk).lock_version


def test_another_companys_admin_gets_404_everywhere(world, scheme):
    outsider = UserFactory(username="admin_company_b")
    MembershipFactory(user=outsider, org=world.company_b, role=Role.ORG_ADMIN)
    api = _client(outsider)
    assert api.get(f"/schemes/{scheme.pk}").status_code == 404
    assert api.get(f"/campaigns/{world.campaign.pk}/schemes").status_code == 404
    response = api.patch(f"/schemes/{scheme.pk}", {"version": 1, "name": "x"})
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_owner_edits_weights_with_the_version(world, scheme):
    api = _client(world.admin_company_a)
    body = api.get(f"/schemes/{scheme.pk}").json()
    dims = _dimensions(body)
    # 基础工作 50 → 40 and 工作创新 20 → 30, moving 10 points between criteria to match.
    dims[0]["weight"], dims[2]["weight"] = "40", "30"
    dims[0]["criteria"][0]["points"] = "20"
    dims[2]["criteria"][0]["points"] = "20"
    response = api.patch(
        f"/schemes/{scheme.pk}",
        {
            "version": body["version"],
            "dimensions": dims,
            "bands": [
                {"label": "优秀", "min_score": "95", "max_score": "100"},
                {"label": "达标", "min_score": "60", "max_score": "94.99"},
                {"label": "不达标", "min_score": "0", "max_score": "59.99"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    saved = response.json()
    assert saved["id"] == scheme.pk  # nothing published yet: edited in place
    assert [D(d["weight"]) for d in saved["dimensions"]] == [40, 30, 30]
    assert saved["bands"][0]["min_score"] == "95.00"
    assert saved["version"] > body["version"]
    # What was not sent stays.
    assert len(saved["deductions"]) == len(body["deductions"]) and saved["name"] == body["name"]
    # The old version number is now stale: 409, nothing changed.
    before = _state(scheme)
    response = api.patch(f"/schemes/{scheme.pk}", {"version": body["version"], "name": "旧"})
    error = error_of(response)
    assert response.status_code == 409 and error["code"] == "stale"
    assert error["details"]["current_version"] == saved["version"]
    assert _state(scheme) == before and Scheme.objects.get().name == body["name"]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            lambda dims: (dims[0].update(weight="40"), dims[0]["criteria"][0].update(points="20")),
            "weights_sum",
            "dimensions",
        ),
        (lambda dims: dims[0]["criteria"][0].update(points="25"), "criteria_sum", "dimensions"),
    ],
)
def test_bad_weights_are_422_with_the_error_shape_and_nothing_saved(
    world, scheme, change, code, field
):
    api = _client(world.admin_company_a)
    body = api.get(f"/schemes/{scheme.pk}").json()
    dims = _dimensions(body)
    change(dims)
    before = _state(scheme)
    response = api.patch(f"/schemes/{scheme.pk}", {"version": body["version"], "dimensions": dims})
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert error["code"] == code and error["message"] and field in error["fields"]
    assert _state(scheme) == before
    assert Scheme.objects.get().lock_version == body["version"]


def test_overlapping_bands_and_bad_types_are_refused(world, scheme):
    api = _client(world.admin_company_a)
    version = api.get(f"/schemes/{scheme.pk}").json()["version"]
    overlap = [
        {"label": "优秀", "min_score": "90", "max_score": "100"},
        {"label": "达标", "min_score": "60", "max_score": "95"},
    ]
    response = api.patch(f"/schemes/{scheme.pk}", {"version": version, "bands": overlap})
    assert response.status_code == 422 and error_of(response)["code"] == "bands_overlap"
    response = api.patch(f"/schemes/{scheme.pk}", {"version": version, "rollup_rule": "median"})
    assert response.status_code == 422 and "rollup_rule" in error_of(response)["fields"]
    response = api.patch(f"/schemes/{scheme.pk}", raw="{not json", content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"]
    assert Scheme.objects.get().bands.count() == 3


def test_explicit_org_weights_through_the_api(world, scheme, q3):  # noqa: F811
    api = _client(world.admin_company_a)
    version = api.get(f"/schemes/{scheme.pk}").json()["version"]
    response = api.patch(
        f"/schemes/{scheme.pk}",
        {
            "version": version,
            "rollup_rule": "explicit_weights",
            "org_weights": [{"org_id": world.branch_a1.pk, "weight": "0"}],
        },
    )
    assert response.status_code == 422 and error_of(response)["code"] == "out_of_range"
    assert not OrgWeight.objects.exists()
    response = api.patch(
        f"/schemes/{scheme.pk}",
        {
            "version": version,
            "rollup_rule": "explicit_weights",
            "org_weights": [{"org_id": world.branch_a1.pk, "weight": "3"}],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["org_weights"] == [
        {"org_id": world.branch_a1.pk, "org_name": "甲一支部", "weight": "3.00"}
    ]
    run = api.post(f"/campaigns/{world.campaign.pk}/scores/recompute", {"period": str(q3.pk)})
    assert run.status_code == 200
    company = api.get(f"/score-runs/{run.json()['id']}/orgs/{world.company_a.pk}").json()
    parts = {p["org_id"]: p["weight"] for p in company["breakdown"]["parts"]}
    assert parts == {world.branch_a1.pk: "3", world.branch_a2.pk: "1"}


def test_a_branch_admin_cannot_edit_or_copy_and_a_read_token_cannot_write(world, scheme):
    response = _client(world.admin_a1).patch(f"/schemes/{scheme.pk}", {"version": 1, "name": "x"})
    assert response.status_code == 404  # not the owner: as if it did not exist
    response = _client(world.admin_a1).post(
        f"/campaigns/{world.campaign.pk}/schemes/copy", {"source_id": scheme.pk}
    )
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    read = _client(world.admin_company_a, "read")
    response = read.post(f"/campaigns/{world.campaign.pk}/schemes/copy", {"source_id": scheme.pk})
    assert response.status_code == 403
    response = read.patch(f"/schemes/{scheme.pk}", {"version": 1, "name": "x"})
    assert response.status_code == 403
    assert Scheme.objects.count() == 1 and Scheme.objects.get().name == scheme.name


def test_copy_then_edit_a_published_scheme_makes_a_new_version(world, scheme, q3):  # noqa: F811
    api = _client(world.admin_company_a)
    response = api.post(f"/campaigns/{world.campaign.pk}/scores/publish", {"period": str(q3.pk)})
    assert response.status_code == 201
    copy = api.post(f"/campaigns/{world.campaign.pk}/schemes/copy", {"source_id": scheme.pk})
    assert copy.status_code == 201, copy.content
    body = copy.json()
    assert (body["scheme_version"], body["based_on_id"], body["is_active"]) == (2, scheme.pk, True)
    # The old version is no longer active: it cannot be edited (409), only copied.
    old = Scheme.objects.get(pk=scheme.pk)
    response = api.patch(f"/schemes/{scheme.pk}", {"version": old.lock_version, "name": "x"})
    assert response.status_code == 409 and error_of(response)["code"] == "inactive_scheme"
    # The published snapshot stays with v1.
    assert ScoreRun.objects.get(kind=RunKind.PUBLISHED).scheme_id == scheme.pk


# --------------------------------------------------------------------------- manual entries


def _manual_criterion(scheme) -> Criterion:
    return Criterion.objects.get(dimension__scheme=scheme, kind=CriterionKind.MANUAL)


def _entry_body(scheme, q3, project, **extra):  # noqa: F811
    return {
        "period_id": q3.pk,
        "kind": "criterion",
        "item_id": _manual_criterion(scheme).pk,
        "value": "0.8",
        "note": "创新做法可推广",
        "project_id": project.pk,
        **extra,
    }


def test_assessor_creates_lists_and_corrects_entries(world, scheme, q3):  # noqa: F811
    api = _client(world.admin_company_a)
    url = f"/campaigns/{world.campaign.pk}/entries"
    response = api.post(url, _entry_body(scheme, q3, scheme.a1))
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["value"] == "0.8000" and entry["assessor"] == "admin_company_a"
    listed = api.get(url, {"period": q3.pk}).json()
    assert [e["id"] for e in listed["items"]] == [entry["id"]]
    response = api.put(
        f"/entries/{entry['id']}", {"version": entry["version"], "value": "0.9", "note": "复核后"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["value"], response.json()["note"]) == ("0.9000", "复核后")
    # The first version is stale now.
    response = api.put(f"/entries/{entry['id']}", {"version": entry["version"], "note": "再改"})
    assert response.status_code == 409 and error_of(response)["code"] == "stale"
    assert ManualEntry.objects.get().note == "复核后"


def test_entries_are_scope_checked(world, scheme, q3):  # noqa: F811
    a1_entry = services.entry_add(
        actor=world.admin_company_a,
        scheme=scheme,
        period=q3,
        kind="criterion",
        item_id=_manual_criterion(scheme).pk,
        note="甲一",
        value="0.5",
        project=scheme.a1,
    )
    sibling = _client(world.admin_a2)
    # The sibling branch sees neither the entry nor the project it is about.
    assert sibling.get(f"/entries/{a1_entry.pk}").status_code == 404
    response = sibling.put(f"/entries/{a1_entry.pk}", {"version": 1, "note": "改"})
    assert response.status_code == 404
    listed = sibling.get(f"/campaigns/{world.campaign.pk}/entries").json()
    assert listed["count"] == 0
    response = sibling.post(
        f"/campaigns/{world.campaign.pk}/entries", _entry_body(scheme, q3, scheme.a1)
    )
    assert response.status_code == 422 and "project_id" in error_of(response)["fields"]
    # A project lead is no assessor, even of a project in sight.
    response = _client(world.lead_a1).post(
        f"/campaigns/{world.campaign.pk}/entries", _entry_body(scheme, q3, scheme.a1)
    )
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    # Bad input: no reason, a share above 1.
    api = _client(world.admin_company_a)
    response = api.post(
        f"/campaigns/{world.campaign.pk}/entries", _entry_body(scheme, q3, scheme.a1, note=" ")
    )
    assert response.status_code == 422 and error_of(response)["code"] == "reason_required"
    response = api.post(
        f"/campaigns/{world.campaign.pk}/entries", _entry_body(scheme, q3, scheme.a1, value="1.5")
    )
    assert response.status_code == 422 and error_of(response)["code"] == "out_of_range"
    assert ManualEntry.objects.count() == 1
    assert ManualEntry.objects.get().note == "甲一"


def test_publish_needs_a_write_token_and_then_entries_are_closed(world, scheme, q3):  # noqa: F811
    url = f"/campaigns/{world.campaign.pk}/scores/publish"
    response = _client(world.admin_company_a, "read").post(url, {"period": str(q3.pk)})
    assert response.status_code == 403
    assert not ScoreRun.objects.filter(kind=RunKind.PUBLISHED).exists()
    response = _client(world.admin_a1).post(url, {"period": str(q3.pk)})
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    api = _client(world.admin_company_a)
    response = api.post(url, {"period": str(q3.pk)})
    assert response.status_code == 201 and response.json()["version"] == 1
    response = api.post(
        f"/campaigns/{world.campaign.pk}/entries", _entry_body(scheme, q3, scheme.a1)
    )
    assert response.status_code == 409 and error_of(response)["code"] == "published"
    assert not ManualEntry.objects.exists()


# --------------------------------------------------------------------------- results day


def test_results_day_candidates_reviews_and_published_ranking(world, scheme):
    owner = _client(world.admin_company_a)
    response = owner.post(
        f"/campaigns/{world.campaign.pk}/results-days",
        {"name": "2020年成果发布", "date": "2020-12-20", "excellent_share_cap": "50"},
    )
    assert response.status_code == 201, response.content
    day = response.json()
    assert [c["name"] for c in day["criteria"]] == ["实效", "创新", "可操作"]
    candidates = []
    for project in (scheme.a1, scheme.a2):
        response = owner.post(f"/results-days/{day['id']}/candidates", {"project_id": project.pk})
        assert response.status_code == 201, response.content
        candidates.append(response.json())
    response = owner.post(f"/results-days/{day['id']}/publish")
    assert response.status_code == 422 and error_of(response)["code"] == "unreviewed"
    reviewer = _client(world.viewer_group)
    for candidate, scores in zip(
        candidates,
        [
            {"实效": "48", "创新": "23", "可操作": "24"},
            {"实效": "40", "创新": "20", "可操作": "20"},
        ],
        strict=True,
    ):
        response = reviewer.put(f"/candidates/{candidate['id']}/review", {"scores": scores})
        assert response.status_code == 200, response.content
    assert response.json()["total"] == "80.00"
    response = reviewer.put(
        f"/candidates/{candidates[0]['id']}/review", {"scores": {"实效": "60", "创新": "0"}}
    )
    assert response.status_code == 422 and error_of(response)["code"] == "out_of_range"
    # A branch neither publishes nor reviews another branch's candidate.
    sibling = _client(world.admin_a2)
    assert (
        sibling.put(
            f"/candidates/{candidates[0]['id']}/review", {"scores": {"实效": "1"}}
        ).status_code
        == 404
    )
    seen = sibling.get(f"/results-days/{day['id']}").json()
    assert [c["project_id"] for c in seen["candidates"]] == [scheme.a2.pk]
    response = sibling.post(f"/results-days/{day['id']}/publish")
    assert response.status_code == 403
    response = _client(world.admin_company_a, "read").post(f"/results-days/{day['id']}/publish")
    assert response.status_code == 403
    response = owner.post(f"/results-days/{day['id']}/publish")
    assert response.status_code == 200, response.content
    published = response.json()
    assert published["status"] == "published" and published["published_by"] == "admin_company_a"
    ranked = [(c["project_id"], c["rank"], c["award"]) for c in published["candidates"]]
    # 95 ≥ 85 and one of two fits the 50 % cap: 优秀; 80 is 入选.
    assert ranked == [(scheme.a1.pk, 1, Award.EXCELLENT), (scheme.a2.pk, 2, Award.SELECTED)]
    response = owner.post(f"/results-days/{day['id']}/candidates", {"project_id": scheme.a1.pk})
    assert response.status_code == 409 and error_of(response)["code"] == "published"
