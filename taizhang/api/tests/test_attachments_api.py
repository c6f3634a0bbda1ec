"""Project attachments through the API: list, upload (the web form's file checks), download,
soft delete with a version; scope, token scopes, bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from taizhang.campaigns import services
from taizhang.campaigns.models import ProjectAttachment

from .conftest import error_of


def _upload(client, project, name="实施方案.pdf", content=b"%PDF-1.4 plan"):
    return client.client.post(
        f"/api/v1/projects/{project.pk}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        headers={"Authorization": f"Bearer {client.token}"},
    )


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_list_download_delete(api, world, checkin):
    lead = api(world.lead_a1)
    uploaded = _upload(lead, checkin.project)
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    assert body["name"] == "实施方案.pdf" and body["size"] == len(b"%PDF-1.4 plan")
    assert body["uploaded_by"] == "lead_a1" and body["version"] == 1
    attachment = ProjectAttachment.objects.get()
    assert attachment.history.count() == 1

    listed = lead.get(f"/projects/{checkin.project.pk}/attachments").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == attachment.pk

    download = api(world.viewer_group, "read").get(body["file_url"])
    assert download.status_code == 200
    assert _content(download) == b"%PDF-1.4 plan"
    assert "attachment" in download["Content-Disposition"]

    deleted = lead.delete(f"/attachments/{attachment.pk}?version={body['version']}")
    assert deleted.status_code == 204
    attachment = ProjectAttachment.all_objects.get()
    assert attachment.deleted_at is not None and attachment.deleted_by == world.lead_a1
    assert lead.get(f"/projects/{checkin.project.pk}/attachments").json()["count"] == 0
    assert lead.get(f"/attachments/{attachment.pk}").status_code == 404
    assert lead.get(body["file_url"]).status_code == 404


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("病毒.exe", b"MZ", "file_type"),
        ("空.pdf", b"", "file_empty"),
    ],
)
def test_upload_checks_are_the_web_forms(api, world, checkin, name, content, code):
    response = _upload(api(world.lead_a1), checkin.project, name=name, content=content)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == code and "file" in error["fields"]
    assert not ProjectAttachment.all_objects.exists()


@override_settings(TAIZHANG_ATTACHMENT_MAX_BYTES=10)
def test_oversize_upload_is_refused(api, world, checkin):
    response = _upload(api(world.lead_a1), checkin.project, content=b"x" * 11)
    assert response.status_code == 422 and error_of(response)["code"] == "file_too_large"
    assert not ProjectAttachment.all_objects.exists()


def test_upload_without_a_file_is_422(api, world, checkin):
    lead = api(world.lead_a1)
    response = lead.client.post(
        f"/api/v1/projects/{checkin.project.pk}/attachments",
        {},
        headers={"Authorization": f"Bearer {lead.token}"},
    )
    assert response.status_code == 422 and "file" in error_of(response)["fields"]


def test_sibling_branch_gets_404_everywhere(api, world, checkin):
    attachment = services.attachment_add(
        actor=world.lead_a1,
        project=checkin.project,
        upload=SimpleUploadedFile("方案.pdf", b"%PDF plan"),
    )
    sibling = api(world.admin_a2)
    assert sibling.get(f"/projects/{checkin.project.pk}/attachments").status_code == 404
    assert _upload(sibling, checkin.project).status_code == 404
    assert sibling.get(f"/attachments/{attachment.pk}").status_code == 404
    assert sibling.get(f"/attachments/{attachment.pk}/file").status_code == 404
    assert sibling.delete(f"/attachments/{attachment.pk}").status_code == 404
    attachment.refresh_from_db()
    assert attachment.deleted_at is None
    assert ProjectAttachment.objects.count() == 1


def test_read_only_token_and_a_mere_viewer_cannot_change_attachments(api, world, checkin):
    attachment = services.attachment_add(
        actor=world.lead_a1,
        project=checkin.project,
        upload=SimpleUploadedFile("方案.pdf", b"%PDF plan"),
    )
    reader = api(world.lead_a1, "read")
    assert _upload(reader, checkin.project).status_code == 403
    assert error_of(reader.delete(f"/attachments/{attachment.pk}"))["code"] == "read_only_token"
    viewer = api(world.viewer_group)
    refused = _upload(viewer, checkin.project)
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    assert viewer.delete(f"/attachments/{attachment.pk}").status_code == 403
    attachment.refresh_from_db()
    assert attachment.deleted_at is None
    assert ProjectAttachment.all_objects.count() == 1


def test_stale_delete_is_409_and_keeps_the_file(api, world, checkin):
    attachment = services.attachment_add(
        actor=world.lead_a1,
        project=checkin.project,
        upload=SimpleUploadedFile("方案.pdf", b"%PDF plan"),
    )
    response = api(world.lead_a1).delete(f"/attachments/{attachment.pk}?version=7")
    assert response.status_code == 409
    assert error_of(response)["details"]["current_version"] == 1
    attachment.refresh_from_db()
    assert attachment.deleted_at is None


def test_bad_version_is_422(api, world, checkin):
    attachment = services.attachment_add(
        actor=world.lead_a1,
        project=checkin.project,
        upload=SimpleUploadedFile("方案.pdf", b"%PDF plan"),
    )
    response = api(world.lead_a1).delete(f"/attachments/{attachment.pk}?version=zero")
    assert response.status_code == 422 and "version" in error_of(response)["fields"]
    attachment.refresh_from_db()
    assert attachment.deleted_at is None
