"""The trash through the API: what an org admin may restore, restoring projects and their
goals, measures, participants and attachments; scope (404), rights (403), token scopes,
conflicts (409) — the same services as the trash page."""

from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.campaigns import services
from taizhang.campaigns.models import GoalIndicator, Project, ProjectAttachment
from taizhang.campaigns.tests.factories import ProjectFactory

from .conftest import error_of


def _trash(client, world, **params):
    response = client.get(f"/campaigns/{world.campaign.pk}/trash", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_admin_lists_and_restores_a_deleted_project(api, world, checkin):
    project = checkin.project
    services.project_delete(actor=world.admin_a1, project=project, reason="误建")
    admin = api(world.admin_a1)
    listed = _trash(admin, world)
    assert [(i["kind"], i["id"]) for i in listed["items"]] == [("project", project.pk)]
    assert listed["items"][0]["deleted_by"] == "admin_a1"
    assert listed["items"][0]["project_code"] == project.code

    restored = admin.post(f"/trash/project/{project.pk}/restore")
    assert restored.status_code == 200, restored.content
    assert restored.json()["deleted_at"] is None
    project.refresh_from_db()
    assert project.deleted_at is None
    assert project.history.latest().history_user == world.admin_a1
    assert _trash(admin, world)["count"] == 0
    again = admin.post(f"/trash/project/{project.pk}/restore")
    assert again.status_code == 404


def test_children_come_back_too(api, world, checkin):
    services.child_delete(actor=world.lead_a1, item=checkin.profit)
    attachment = services.attachment_add(
        actor=world.lead_a1,
        project=checkin.project,
        upload=SimpleUploadedFile("方案.pdf", b"%PDF plan"),
    )
    services.child_delete(actor=world.lead_a1, item=attachment)
    admin = api(world.admin_a1)
    kinds = {(i["kind"], i["id"]) for i in _trash(admin, world)["items"]}
    assert kinds == {("goal", checkin.profit.pk), ("attachment", attachment.pk)}
    assert [i["kind"] for i in _trash(admin, world, kind="goal")["items"]] == ["goal"]

    response = admin.post(f"/trash/goal/{checkin.profit.pk}/restore")
    assert response.status_code == 200 and response.json()["label"] == "目标利润"
    assert GoalIndicator.objects.filter(pk=checkin.profit.pk).exists()
    assert admin.post(f"/trash/attachment/{attachment.pk}/restore").status_code == 200
    assert ProjectAttachment.objects.filter(pk=attachment.pk).exists()


def test_a_lead_sees_no_trash_and_may_not_restore(api, world, checkin):
    services.child_delete(actor=world.lead_a1, item=checkin.profit)
    lead = api(world.lead_a1)
    assert _trash(lead, world)["count"] == 0
    response = lead.post(f"/trash/goal/{checkin.profit.pk}/restore")
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    assert not GoalIndicator.objects.filter(pk=checkin.profit.pk).exists()


def test_sibling_branch_admin_gets_404(api, world, checkin):
    services.project_delete(actor=world.admin_a1, project=checkin.project)
    sibling = api(world.admin_a2)
    assert _trash(sibling, world)["count"] == 0
    response = sibling.post(f"/trash/project/{checkin.project.pk}/restore")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert Project.all_objects.get(pk=checkin.project.pk).deleted_at is not None


def test_read_only_token_cannot_restore(api, world, checkin):
    services.project_delete(actor=world.admin_a1, project=checkin.project)
    reader = api(world.admin_a1, "read")
    assert _trash(reader, world)["count"] == 1
    response = reader.post(f"/trash/project/{checkin.project.pk}/restore")
    assert response.status_code == 403 and error_of(response)["code"] == "read_only_token"
    assert Project.all_objects.get(pk=checkin.project.pk).deleted_at is not None


def test_restoring_onto_a_taken_code_is_409(api, world, checkin):
    project = checkin.project
    services.project_delete(actor=world.admin_a1, project=project)
    ProjectFactory(campaign=world.campaign, org=world.branch_a1, code=project.code)
    response = api(world.admin_a1).post(f"/trash/project/{project.pk}/restore")
    assert response.status_code == 409 and error_of(response)["code"] == "duplicate_code"
    assert Project.all_objects.get(pk=project.pk).deleted_at is not None


def test_bad_kind_or_id_is_422(api, world, checkin):
    admin = api(world.admin_a1)
    response = admin.post(f"/trash/person/{checkin.project.pk}/restore")
    assert response.status_code == 422 and "kind" in error_of(response)["fields"]
    assert admin.post("/trash/project/0/restore").status_code == 422
    listed = admin.get(f"/campaigns/{world.campaign.pk}/trash", {"kind": "nonsense"})
    assert listed.status_code == 422 and "kind" in error_of(listed)["fields"]
