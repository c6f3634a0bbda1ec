"""Project pages: create, detail with inline editing, lifecycle, history, delete/restore.

Scope rule tested throughout: a project outside the user's scope is a 404 on every route
(like a missing one); a project the user may see but not change is a 403 on edit routes;
a lifecycle move the user's role does not allow is an error message with nothing changed.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.campaigns import services
from taizhang.campaigns.models import (
    GoalIndicator,
    Measure,
    MeasureStatus,
    Participant,
    Project,
    ProjectAttachment,
    ProjectStatus,
    ProjectTransition,
)
from taizhang.campaigns.services import GoalInput, MeasureInput
from taizhang.orgs.tests.factories import PersonFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def _project(world, actor=None, **overrides) -> Project:
    kwargs = dict(
        actor=actor or world.lead_a1,
        campaign=world.campaign,
        org=world.branch_a1,
        code="CX-01",
        title="稀土贸易创效",
        project_type=world.campaign.project_types.first(),
        focus_area=world.campaign.focus_areas.first(),
        lead=world.lead_person_a1,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 12, 31),
        goals=[GoalInput(name="目标利润", unit="万元", baseline="0", target="500")],
        measures=[MeasureInput(description="拓展独居石贸易")],
    )
    kwargs.update(overrides)
    return services.project_create(**kwargs)


def _counts() -> tuple[int, int, int, int]:
    return (
        Project.all_objects.count(),
        GoalIndicator.all_objects.count(),
        Measure.all_objects.count(),
        ProjectAttachment.all_objects.count(),
    )


def _create_payload(world, **overrides) -> dict:
    """What the browser posts: 3 goal rows (2 filled, 1 left at its defaults) and
    4 measure rows (3 filled, 1 blank)."""
    campaign = world.campaign
    data = {
        "org": world.branch_a1.pk,
        "code": "CX-01",
        "title": "稀土贸易创效",
        "project_type": campaign.project_types.first().pk,
        "focus_area": campaign.focus_areas.first().pk,
        "lead": world.lead_person_a1.pk,
        "start_date": "2020-01-01",
        "end_date": "2020-12-31",
        "rationale": "完成年度目标利润",
        "plan": "开拓独居石采购加工贸易",
        "goals-TOTAL_FORMS": "3",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
        "goals-0-name": "目标利润",
        "goals-0-unit": "万元",
        "goals-0-baseline": "0",
        "goals-0-target": "500",
        "goals-0-direction": "higher",
        "goals-0-weight": "2",
        "goals-1-name": "经营亏损",
        "goals-1-unit": "万元",
        "goals-1-baseline": "120",
        "goals-1-target": "0",
        "goals-1-direction": "lower",
        "goals-1-weight": "1",
        "goals-2-name": "",
        "goals-2-unit": "",
        "goals-2-baseline": "0",
        "goals-2-target": "",
        "goals-2-direction": "higher",
        "goals-2-weight": "1",
        "measures-TOTAL_FORMS": "4",
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": "1000",
        "measures-0-description": "拓展独居石贸易",
        "measures-0-owner": world.member_a1.pk,
        "measures-0-start_date": "2020-02-01",
        "measures-0-due_date": "2020-06-30",
        "measures-1-description": "兄弟单位协同",
        "measures-2-description": "月度复盘",
        "measures-3-description": "",
    }
    data.update(overrides)
    return data


def _create_url(world) -> str:
    return reverse("campaigns:project_create", args=[world.campaign.pk])


# --------------------------------------------------------------------------- create


def test_create_form_renders_without_listing_people(client, world):
    client.force_login(world.lead_a1)
    response = client.get(_create_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="goals-TOTAL_FORMS" value="3"' in html
    assert reverse("orgs:person_search") in html
    # The lead picker renders the prefilled lead only; other people come from the search.
    assert "lead_a1（甲一支部，中共党员）" in html
    assert "党员甲" not in html
    # The only org lead_a1 may file for.
    assert "甲一支部" in html and "甲二支部" not in html


def test_create_project_with_two_goals_and_three_measures(client, world):
    client.force_login(world.lead_a1)
    plan = SimpleUploadedFile("实施方案.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = client.post(_create_url(world), _create_payload(world, plan_file=plan))
    project = Project.objects.get(code="CX-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:project_detail", args=[project.pk])
    assert project.status == ProjectStatus.DRAFT
    assert project.lead == world.lead_person_a1
    goals = list(project.goals.values_list("name", "direction", "weight"))
    assert [(name, direction) for name, direction, _w in goals] == [
        ("目标利润", "higher"),
        ("经营亏损", "lower"),
    ]
    assert [str(w.normalize()) for _n, _d, w in goals] == ["2", "1"]
    measures = list(project.measures.all())
    assert [m.description for m in measures] == ["拓展独居石贸易", "兄弟单位协同", "月度复盘"]
    assert measures[0].owner == world.member_a1
    assert measures[0].due_date == dt.date(2020, 6, 30)
    assert project.attachments.get().name == "实施方案.pdf"
    assert project.history.get().history_user == world.lead_a1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": "2020-12-31", "end_date": "2020-01-01"}, "结束日期不能早于开始日期。"),
        ({"goals-0-target": ""}, "请填写目标值。"),
        ({"goals-1-baseline": "abc"}, "基准值必须是数字，“abc”不是数字。"),
        ({"goals-0-target": "-5"}, "“越高越好”的指标，目标值应高于基准值。"),
        (
            {"measures-1-due_date": "2020-01-01", "measures-1-start_date": "2020-03-01"},
            "具体措施：结束日期不能早于开始日期。",
        ),
        ({"code": ""}, "请填写项目编号。"),
        ({"org": "__branch_a2__"}, "所选组织不在您可以申报项目的范围内。"),
        ({"lead": "__masses_a1__"}, "牵头人必须是中共党员或中共预备党员"),
        ({"lead": "__lead_person_a2__"}, "所选牵头人不在您的管理范围内。"),
        ({"plan_file": "__exe__"}, "不支持的文件类型“exe”"),
    ],
)
def test_create_rejects_bad_input_and_saves_nothing(client, world, overrides, message):
    substitutes = {
        "__branch_a2__": world.branch_a2.pk,
        "__masses_a1__": world.masses_a1.pk,
        "__lead_person_a2__": world.lead_person_a2.pk,
        "__exe__": SimpleUploadedFile("setup.exe", b"MZ..."),
    }
    overrides = {key: substitutes.get(value, value) for key, value in overrides.items()}
    client.force_login(world.lead_a1)
    before = _counts()
    response = client.post(_create_url(world), _create_payload(world, **overrides))
    assert response.status_code == 200
    assert _counts() == before
    html = response.content.decode()
    assert 'class="errorlist' in html
    if message:
        assert message in html


def test_create_rejects_duplicate_code(client, world):
    _project(world, code="CX-01")
    client.force_login(world.lead_a1)
    before = _counts()
    response = client.post(_create_url(world), _create_payload(world))
    assert response.status_code == 200
    assert "项目编号 CX-01 在本活动中已存在。" in response.content.decode()
    assert _counts() == before


def test_create_is_forbidden_without_a_filing_role_and_404_outside_scope(
    client, world, django_user_model
):
    client.force_login(world.participant_a1)
    assert client.get(_create_url(world)).status_code == 403
    client.force_login(world.viewer_group)
    assert client.get(_create_url(world)).status_code == 403
    outsider = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(outsider)
    assert client.get(_create_url(world)).status_code == 404


# --------------------------------------------------------------------------- detail / edit


def test_detail_shows_the_full_ledger_row(client, world):
    project = _project(world, rationale="选题依据文本", plan="实施方案文本")
    services.participant_add(
        actor=world.lead_a1, project=project, person=world.masses_a1, duty="数据统计"
    )
    client.force_login(world.lead_a1)
    response = client.get(reverse("campaigns:project_detail", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "CX-01",
        "稀土贸易创效",
        'class="badge status-draft"',
        "甲一支部",
        "lead_a1",
        "中共党员",
        "2020-12-31",
        "选题依据文本",
        "实施方案文本",
        "目标利润",
        "拓展独居石贸易",
        "群众甲",
        "数据统计",
        'id="goals"',
        'id="measures"',
        'id="participants"',
        'id="attachments"',
        reverse("campaigns:goal_add", args=[project.pk]),
        reverse("campaigns:project_edit", args=[project.pk]),
        reverse("campaigns:project_history", args=[project.pk]),
        reverse("campaigns:project_delete", args=[project.pk]),
        'name="action" value="submit"',
    ]:
        assert text in html, text


def test_user_data_is_escaped(client, world):
    project = _project(world, title="<script>alert(1)</script>")
    client.force_login(world.lead_a1)
    html = client.get(reverse("campaigns:project_detail", args=[project.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("who", ["participant_a1", "viewer_group"])
def test_participant_and_viewer_see_but_cannot_edit(client, world, who):
    project = _project(world)
    goal = project.goals.get()
    client.force_login(getattr(world, who))
    response = client.get(reverse("campaigns:project_detail", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "目标利润" in html
    assert reverse("campaigns:goal_add", args=[project.pk]) not in html
    assert reverse("campaigns:project_edit", args=[project.pk]) not in html
    assert 'name="action"' not in html
    before = _counts()
    forbidden = [
        ("get", reverse("campaigns:project_edit", args=[project.pk]), {}),
        ("post", reverse("campaigns:project_edit", args=[project.pk]), {"title": "x"}),
        ("post", reverse("campaigns:goal_add", args=[project.pk]), {"goals-new-name": "x"}),
        ("get", reverse("campaigns:goal_edit", args=[project.pk, goal.pk]), {}),
        ("post", reverse("campaigns:goal_update", args=[project.pk, goal.pk]), {}),
        ("post", reverse("campaigns:goal_delete", args=[project.pk, goal.pk]), {}),
        ("get", reverse("campaigns:project_delete", args=[project.pk]), {}),
        ("post", reverse("campaigns:project_delete", args=[project.pk]), {}),
    ]
    for method, url, data in forbidden:
        assert getattr(client, method)(url, data, **HTMX).status_code == 403, url
    assert _counts() == before
    assert client.get(reverse("campaigns:project_history", args=[project.pk])).status_code == 200


def test_edit_core_fields_and_lead_loses_edit_after_submit(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    url = reverse("campaigns:project_edit", args=[project.pk])
    assert client.get(url).status_code == 200
    data = {
        "org": world.branch_a1.pk,
        "code": "CX-01",
        "title": "稀土贸易创效（修订）",
        "project_type": project.project_type_id,
        "focus_area": project.focus_area_id,
        "lead": world.lead_person_a1.pk,
        "start_date": "2020-01-01",
        "end_date": "2020-11-30",
        "rationale": "",
        "plan": "",
        "reason": "按支部意见修改",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "稀土贸易创效（修订）"
    assert project.end_date == dt.date(2020, 11, 30)
    assert project.history.latest().history_change_reason == "按支部意见修改"

    bad = client.post(url, {**data, "end_date": "2019-01-01"})
    assert bad.status_code == 200
    assert "结束日期不能早于开始日期。" in bad.content.decode()
    project.refresh_from_db()
    assert project.end_date == dt.date(2020, 11, 30)

    services.project_transition(actor=world.lead_a1, project=project, action="submit")
    assert client.get(url).status_code == 403


# --------------------------------------------------------------------------- lifecycle


def _transition(client, project, action, reason=""):
    return client.post(
        reverse("campaigns:project_transition", args=[project.pk]),
        {"action": action, "reason": reason},
        follow=True,
    )


def test_submit_as_lead_then_approve_as_org_admin(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    response = _transition(client, project, "submit")
    assert "已执行“申报”。" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED

    client.force_login(world.admin_a1)
    page = client.get(reverse("campaigns:project_detail", args=[project.pk])).content.decode()
    assert 'name="action" value="approve"' in page
    assert 'name="action" value="return"' in page
    _transition(client, project, "approve", "同意立项")
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED
    log = list(
        ProjectTransition.objects.filter(project=project).values_list("action", "actor__username")
    )
    assert log == [("submit", "lead_a1"), ("approve", "admin_a1")]
    page = client.get(reverse("campaigns:project_detail", args=[project.pk])).content.decode()
    assert "同意立项" in page  # the transition log shows the reason


def test_lead_cannot_approve(client, world):
    project = _project(world)
    services.project_transition(actor=world.lead_a1, project=project, action="submit")
    client.force_login(world.lead_a1)
    page = client.get(reverse("campaigns:project_detail", args=[project.pk])).content.decode()
    assert 'value="approve"' not in page
    response = _transition(client, project, "approve")
    assert "您的角色不能对该项目执行“批准立项”。" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    assert ProjectTransition.objects.filter(project=project).count() == 1


def test_reason_required_transition_without_reason_changes_nothing(client, world):
    project = _project(world)
    services.project_transition(actor=world.lead_a1, project=project, action="submit")
    client.force_login(world.admin_a1)
    response = _transition(client, project, "return")
    assert "“退回修改”需要填写理由。" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED


def test_transition_is_post_only(client, world):
    project = _project(world)
    client.force_login(world.admin_a1)
    url = reverse("campaigns:project_transition", args=[project.pk])
    assert client.get(url, {"action": "submit"}).status_code == 405


# --------------------------------------------------------------------------- scope


def _all_project_urls(project, goal, measure, participant, attachment) -> list[tuple[str, str]]:
    p = project.pk
    urls = [
        ("get", reverse("campaigns:project_detail", args=[p])),
        ("get", reverse("campaigns:project_edit", args=[p])),
        ("post", reverse("campaigns:project_edit", args=[p])),
        ("get", reverse("campaigns:project_history", args=[p])),
        ("post", reverse("campaigns:project_transition", args=[p])),
        ("get", reverse("campaigns:project_delete", args=[p])),
        ("post", reverse("campaigns:project_delete", args=[p])),
        ("get", reverse("campaigns:attachment_download", args=[p, attachment.pk])),
    ]
    for singular, item in [
        ("goal", goal),
        ("measure", measure),
        ("participant", participant),
        ("attachment", attachment),
    ]:
        urls += [
            ("get", reverse(f"campaigns:{singular}_section", args=[p])),
            ("post", reverse(f"campaigns:{singular}_add", args=[p])),
            ("post", reverse(f"campaigns:{singular}_delete", args=[p, item.pk])),
        ]
        if singular != "attachment":
            urls += [
                ("get", reverse(f"campaigns:{singular}_edit", args=[p, item.pk])),
                ("post", reverse(f"campaigns:{singular}_update", args=[p, item.pk])),
            ]
    return urls


@pytest.mark.parametrize("who", ["admin_a2", "lead_a2"])
def test_sibling_branch_gets_404_everywhere(client, world, who):
    project = _project(world)
    participant = services.participant_add(
        actor=world.lead_a1, project=project, person=world.masses_a1
    )
    attachment = services.attachment_add(
        actor=world.lead_a1,
        project=project,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF plan"),
    )
    urls = _all_project_urls(
        project, project.goals.get(), project.measures.get(), participant, attachment
    )
    client.force_login(getattr(world, who))
    before = _counts()
    for method, url in urls:
        response = getattr(client, method)(url, {"action": "approve"}, **HTMX)
        assert response.status_code == 404, (method, url)
    assert _counts() == before
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT
    # Restoring a deleted project of the other branch is a 404 as well.
    services.project_delete(actor=world.admin_a1, project=project)
    restore = reverse("campaigns:project_restore", args=[project.pk])
    assert client.post(restore).status_code == 404
    assert Project.objects.filter(pk=project.pk).count() == 0


def test_missing_project_and_foreign_child_ids_are_404(client, world):
    project = _project(world)
    other = _project(world, code="CX-02")
    client.force_login(world.admin_a1)
    assert client.get(reverse("campaigns:project_detail", args=[999999])).status_code == 404
    # A goal id of another project, even a visible one, is not found under this project.
    foreign_goal = other.goals.get()
    url = reverse("campaigns:goal_edit", args=[project.pk, foreign_goal.pk])
    assert client.get(url, **HTMX).status_code == 404


# --------------------------------------------------------------------------- htmx inline


def test_htmx_goal_add_edit_delete(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    add = client.post(
        reverse("campaigns:goal_add", args=[project.pk]),
        {
            "goals-new-name": "降低成本",
            "goals-new-unit": "万元",
            "goals-new-baseline": "80",
            "goals-new-target": "60",
            "goals-new-direction": "lower",
            "goals-new-weight": "1",
        },
        **HTMX,
    )
    html = add.content.decode()
    assert add.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="goals"')
    assert "<html" not in html
    assert "降低成本" in html
    goal = project.goals.get(name="降低成本")

    edit = client.get(reverse("campaigns:goal_edit", args=[project.pk, goal.pk]), **HTMX)
    edit_html = edit.content.decode()
    assert edit_html.lstrip().startswith(f'<tr id="goal-{goal.pk}" class="editing">')
    assert f'name="goals-{goal.pk}-baseline"' in edit_html
    assert 'value="80"' in edit_html  # 80.0000 is shown as typed

    prefix = f"goals-{goal.pk}"
    update_url = reverse("campaigns:goal_update", args=[project.pk, goal.pk])
    fields = {
        f"{prefix}-name": "降低成本",
        f"{prefix}-unit": "万元",
        f"{prefix}-baseline": "80",
        f"{prefix}-target": "50",
        f"{prefix}-direction": "lower",
        f"{prefix}-weight": "2",
    }
    update = client.post(update_url, fields, **HTMX)
    assert update.status_code == 200
    assert 'id="goals"' in update.content.decode()
    goal.refresh_from_db()
    assert (goal.target, goal.weight) == (50, 2)

    bad = client.post(update_url, {**fields, f"{prefix}-target": "90"}, **HTMX)
    bad_html = bad.content.decode()
    assert "“越低越好”的指标，目标值应低于基准值。" in bad_html
    assert f'<tr id="goal-{goal.pk}" class="editing">' in bad_html  # still in edit mode
    goal.refresh_from_db()
    assert goal.target == 50

    delete = client.post(reverse("campaigns:goal_delete", args=[project.pk, goal.pk]), **HTMX)
    assert delete.status_code == 200
    assert "降低成本" not in delete.content.decode()
    assert not project.goals.filter(pk=goal.pk).exists()
    assert GoalIndicator.all_objects.get(pk=goal.pk).deleted_by == world.lead_a1


def test_htmx_goal_add_with_bad_number_saves_nothing(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    response = client.post(
        reverse("campaigns:goal_add", args=[project.pk]),
        {"goals-new-name": "利润", "goals-new-baseline": "十", "goals-new-target": "100"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "基准值必须是数字，“十”不是数字。" in response.content.decode()
    assert project.goals.count() == 1


def test_htmx_measure_add_edit_delete(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    add = client.post(
        reverse("campaigns:measure_add", args=[project.pk]),
        {
            "measures-new-description": "开展安全隐患排查",
            "measures-new-owner": world.member_a1.pk,
            "measures-new-start_date": "2020-03-01",
            "measures-new-due_date": "2020-05-31",
            "measures-new-status": "in_progress",
            "measures-new-percent_complete": "20",
        },
        **HTMX,
    )
    assert add.status_code == 200
    assert 'id="measures"' in add.content.decode()
    assert "开展安全隐患排查" in add.content.decode()
    measure = project.measures.get(description="开展安全隐患排查")
    assert measure.owner == world.member_a1
    assert measure.percent_complete == 20

    edit = client.get(reverse("campaigns:measure_edit", args=[project.pk, measure.pk]), **HTMX)
    assert "党员甲（甲一支部，中共党员）" in edit.content.decode()  # the current owner only

    prefix = f"measures-{measure.pk}"
    update = client.post(
        reverse("campaigns:measure_update", args=[project.pk, measure.pk]),
        {
            f"{prefix}-description": "开展安全隐患排查",
            f"{prefix}-owner": world.member_a1.pk,
            f"{prefix}-start_date": "2020-03-01",
            f"{prefix}-due_date": "2020-05-31",
            f"{prefix}-status": "done",
            f"{prefix}-percent_complete": "100",
        },
        **HTMX,
    )
    assert update.status_code == 200
    assert '<progress value="100"' in update.content.decode()
    measure.refresh_from_db()
    assert (measure.status, measure.percent_complete) == (MeasureStatus.DONE, 100)

    delete = client.post(reverse("campaigns:measure_delete", args=[project.pk, measure.pk]), **HTMX)
    assert delete.status_code == 200
    assert not project.measures.filter(pk=measure.pk).exists()


def test_htmx_participant_add_edit_delete(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    add_url = reverse("campaigns:participant_add", args=[project.pk])
    add = client.post(
        add_url,
        {
            "participants-new-person": world.masses_a1.pk,
            "participants-new-role": "core",
            "participants-new-duty": "现场协调",
        },
        **HTMX,
    )
    assert add.status_code == 200
    assert "群众甲" in add.content.decode()
    participant = project.participants.get()
    assert participant.role == "core"

    again = client.post(
        add_url,
        {"participants-new-person": world.masses_a1.pk, "participants-new-role": "member"},
        **HTMX,
    )
    assert "群众甲 已是参与人员。" in again.content.decode()
    outsider = client.post(
        add_url,
        {"participants-new-person": world.lead_person_a2.pk, "participants-new-role": "member"},
        **HTMX,
    )
    assert "所选人员不在您的管理范围内。" in outsider.content.decode()
    assert project.participants.count() == 1

    edit = client.get(
        reverse("campaigns:participant_edit", args=[project.pk, participant.pk]), **HTMX
    )
    assert f'<tr id="participant-{participant.pk}" class="editing">' in edit.content.decode()
    prefix = f"participants-{participant.pk}"
    client.post(
        reverse("campaigns:participant_update", args=[project.pk, participant.pk]),
        {f"{prefix}-role": "liaison", f"{prefix}-duty": "对接财务"},
        **HTMX,
    )
    participant.refresh_from_db()
    assert (participant.role, participant.duty) == ("liaison", "对接财务")

    delete = client.post(
        reverse("campaigns:participant_delete", args=[project.pk, participant.pk]), **HTMX
    )
    assert delete.status_code == 200
    assert "群众甲" not in delete.content.decode()
    assert Participant.all_objects.get(pk=participant.pk).is_deleted


def test_section_cancel_and_plain_post_fallback(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    section = client.get(reverse("campaigns:goal_section", args=[project.pk]), **HTMX)
    assert section.content.decode().lstrip().startswith('<section class="card" id="goals"')
    # Without htmx (no JavaScript) an add posts normally and lands back on the page.
    response = client.post(
        reverse("campaigns:goal_add", args=[project.pk]),
        {"goals-new-name": "新指标", "goals-new-target": "10", "goals-new-direction": "higher"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#goals")
    assert project.goals.filter(name="新指标").exists()
    # …and an error comes back as a message on the page.
    response = client.post(
        reverse("campaigns:goal_add", args=[project.pk]),
        {"goals-new-name": "坏指标", "goals-new-target": "abc", "goals-new-direction": "higher"},
        follow=True,
    )
    assert "目标值必须是数字，“abc”不是数字。" in response.content.decode()
    assert not project.goals.filter(name="坏指标").exists()


def test_inline_routes_are_post_only_for_writes(client, world):
    project = _project(world)
    goal = project.goals.get()
    client.force_login(world.lead_a1)
    for name in ["goal_add", "goal_update", "goal_delete"]:
        args = [project.pk] if name == "goal_add" else [project.pk, goal.pk]
        assert client.get(reverse(f"campaigns:{name}", args=args)).status_code == 405


def test_children_locked_while_submitted_for_the_lead(client, world):
    project = _project(world)
    services.project_transition(actor=world.lead_a1, project=project, action="submit")
    client.force_login(world.lead_a1)
    page = client.get(reverse("campaigns:project_detail", args=[project.pk])).content.decode()
    assert reverse("campaigns:goal_add", args=[project.pk]) not in page
    response = client.post(
        reverse("campaigns:goal_add", args=[project.pk]),
        {"goals-new-name": "x", "goals-new-target": "1"},
        **HTMX,
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------- attachments


def test_attachment_upload_download_and_delete(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    response = client.post(
        reverse("campaigns:attachment_add", args=[project.pk]),
        {"attachments-new-file": SimpleUploadedFile("方案.docx", b"PK\x03\x04 docx")},
        **HTMX,
    )
    assert response.status_code == 200
    attachment = project.attachments.get()
    assert "方案.docx" in response.content.decode()
    download = client.get(
        reverse("campaigns:attachment_download", args=[project.pk, attachment.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"PK\x03\x04 docx"
    client.post(reverse("campaigns:attachment_delete", args=[project.pk, attachment.pk]), **HTMX)
    assert not project.attachments.exists()


def test_attachment_rejects_exe(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    response = client.post(
        reverse("campaigns:attachment_add", args=[project.pk]),
        {"attachments-new-file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00")},
        **HTMX,
    )
    assert response.status_code == 200
    assert "不支持的文件类型“exe”" in response.content.decode()
    assert not ProjectAttachment.all_objects.exists()


def test_attachment_rejects_oversize_file(client, world, settings):
    settings.TAIZHANG_ATTACHMENT_MAX_BYTES = 1024
    project = _project(world)
    client.force_login(world.lead_a1)
    response = client.post(
        reverse("campaigns:attachment_add", args=[project.pk]),
        {"attachments-new-file": SimpleUploadedFile("big.pdf", b"x" * 2048)},
        **HTMX,
    )
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert not ProjectAttachment.all_objects.exists()


# --------------------------------------------------------------------------- history


def test_history_lists_change_with_old_and_new_value_and_actor(client, world):
    project = _project(world)
    services.project_update(
        actor=world.admin_a1, project=project, title="稀土贸易创效二期", reason="扩大范围"
    )
    goal = project.goals.get()
    services.goal_update(
        actor=world.lead_a1,
        goal=goal,
        data=GoalInput(name="目标利润", unit="万元", baseline="0", target="600"),
    )
    services.participant_add(actor=world.lead_a1, project=project, person=world.masses_a1)
    services.child_delete(actor=world.lead_a1, item=project.participants.get())
    services.project_transition(actor=world.lead_a1, project=project, action="submit")
    client.force_login(world.lead_a1)
    response = client.get(reverse("campaigns:project_history", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "项目名称" in html
    assert "<del>稀土贸易创效</del> → <ins>稀土贸易创效二期</ins>" in html
    assert "admin_a1" in html
    assert "扩大范围" in html
    assert "<del>500</del> → <ins>600</ins>" in html  # goal target, shown as typed
    assert "<del>草稿</del> → <ins>已申报</ins>" in html  # choice labels, not codes
    assert "群众甲" in html  # the participant is named, also after removal
    assert "删除" in html
    # Newest first: the submit comes before the title change.
    assert html.index("<ins>已申报</ins>") < html.index("<ins>稀土贸易创效二期</ins>")


def test_history_query_count_does_not_grow_with_records(
    client, world, django_assert_max_num_queries
):
    project = _project(world)
    goal = project.goals.get()
    for target in range(600, 640):
        services.goal_update(
            actor=world.lead_a1,
            goal=goal,
            data=GoalInput(name="目标利润", baseline="0", target=str(target)),
        )
    for n in range(5):
        person = PersonFactory(org=world.branch_a1, name=f"参与者{n}")
        services.participant_add(actor=world.lead_a1, project=project, person=person)
    client.force_login(world.lead_a1)
    url = reverse("campaigns:project_history", args=[project.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert "参与者4" in response.content.decode()


# --------------------------------------------------------------------------- delete / restore


def test_delete_then_restore(client, world):
    project = _project(world)
    client.force_login(world.lead_a1)
    delete_url = reverse("campaigns:project_delete", args=[project.pk])
    assert client.get(delete_url).status_code == 200
    response = client.post(delete_url, {"reason": "重复立项"})
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:ledger", args=[world.campaign.pk])
    assert not Project.objects.filter(pk=project.pk).exists()
    assert client.get(reverse("campaigns:project_detail", args=[project.pk])).status_code == 404

    restore_url = reverse("campaigns:project_restore", args=[project.pk])
    assert client.get(restore_url).status_code == 405
    # The lead may delete a draft but restoring is the org admin's call.
    assert client.post(restore_url).status_code == 403
    assert not Project.objects.filter(pk=project.pk).exists()

    client.force_login(world.admin_a1)
    response = client.post(restore_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:project_detail", args=[project.pk])
    assert Project.objects.filter(pk=project.pk).exists()
    history = client.get(reverse("campaigns:project_history", args=[project.pk])).content.decode()
    assert "恢复" in history and "重复立项" in history


def test_restore_refused_when_code_reused_shows_message(client, world):
    project = _project(world)
    services.project_delete(actor=world.admin_a1, project=project)
    _project(world, code="CX-01", title="新项目")
    client.force_login(world.admin_a1)
    response = client.post(reverse("campaigns:project_restore", args=[project.pk]), follow=True)
    assert "项目编号 CX-01 已被其他项目使用" in response.content.decode()
    assert not Project.objects.filter(pk=project.pk).exists()
