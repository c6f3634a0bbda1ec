"""Outgoing webhooks against a local HTTP server: events queued after commit from the
services, signed bodies, retries with exponential backoff, the delivery log and test-send."""

import datetime as dt
import hashlib
import hmac
import io
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.assessment import services as assessment
from taizhang.campaigns import services as campaigns
from taizhang.campaigns.tests.factories import GoalFactory, MeasureFactory, ProjectFactory
from taizhang.checkins import services as checkins
from taizhang.webhooks import services
from taizhang.webhooks.models import Delivery, DeliveryStatus, Endpoint


class Receiver:
    """A local webhook receiver: records every request, answers with the statuses given in
    turn (the last one repeats)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses or (200,))
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, request: dict, *, tolerance: int = 300) -> dict:
    """What a receiver does: recompute the signature over timestamp + "." + body."""
    headers = request["headers"]
    timestamp = headers["X-Taizhang-Timestamp"]
    expected = (
        "sha256="
        + hmac.new(
            secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
        ).hexdigest()
    )
    assert hmac.compare_digest(expected, headers["X-Taizhang-Signature"])
    assert abs(timezone.now().timestamp() - int(timestamp)) < tolerance
    return json.loads(request["body"])


def _endpoint(world, url: str, events: list[str], org=None, actor=None) -> Endpoint:
    return services.endpoint_create(
        actor=actor or world.admin_a1, org=org or world.branch_a1, url=url, events=events
    )


def _submit(world, checkin, period, actuals=(150, 80)):
    report = checkins.report_start(actor=world.lead_a1, project=checkin.project, period=period)
    checkins.report_save(
        actor=world.lead_a1,
        report=report,
        progress="按计划推进",
        actuals={checkin.profit.pk: str(actuals[0]), checkin.loss.pk: str(actuals[1])},
    )
    return checkins.report_submit(actor=world.lead_a1, report=report)


def test_report_submitted_is_signed_and_delivered(
    world, checkin, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        endpoint = _endpoint(world, receiver.url, ["report.submitted"])
        with django_capture_on_commit_callbacks(execute=True):
            report = _submit(world, checkin, checkin.periods[0])
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
        result = services.deliver_due()
    assert (result.delivered, result.retrying, result.failed) == (1, 0, 0)
    [request] = receiver.received
    assert request["path"] == "/hook"
    assert request["headers"]["X-Taizhang-Event"] == "report.submitted"
    assert request["headers"]["Content-Type"].startswith("application/json")
    body = verify(endpoint.secret, request)
    assert body["event"] == "report.submitted"
    assert body["org"]["id"] == world.branch_a1.pk
    assert body["actor"]["username"] == "lead_a1"
    assert body["data"]["report"]["id"] == report.pk
    assert body["data"]["project"]["code"] == checkin.project.code
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 200, "")


def test_a_tampered_body_fails_verification(world, checkin, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        endpoint = _endpoint(world, receiver.url, ["report.submitted"])
        with django_capture_on_commit_callbacks(execute=True):
            _submit(world, checkin, checkin.periods[0])
        services.deliver_due()
    request = dict(receiver.received[0])
    request["body"] = request["body"].replace(b"lead_a1", b"admin_a1")
    with pytest.raises(AssertionError):
        verify(endpoint.secret, request)
    with pytest.raises(AssertionError):
        verify("whsec_wrong", receiver.received[0])


def test_endpoints_receive_their_subtree_and_subscribed_events_only(
    world, checkin, django_capture_on_commit_callbacks
):
    company = _endpoint(
        world, "http://127.0.0.1:9/a", ["report.submitted"], world.company_a, world.admin_company_a
    )
    _endpoint(world, "http://127.0.0.1:9/b", ["report.submitted"], world.branch_a2, world.admin_a2)
    _endpoint(world, "http://127.0.0.1:9/c", ["project.approved"])
    inactive = _endpoint(world, "http://127.0.0.1:9/d", ["report.submitted"])
    services.endpoint_update(actor=world.admin_a1, endpoint=inactive, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(world, checkin, checkin.periods[0])
    assert list(Delivery.objects.values_list("endpoint_id", flat=True)) == [company.pk]


def test_nothing_is_queued_when_the_transaction_rolls_back(
    world, checkin, django_capture_on_commit_callbacks
):
    _endpoint(world, "http://127.0.0.1:9/a", ["report.submitted"])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _submit(world, checkin, checkin.periods[0])
        raise RuntimeError("a later step failed")
    assert callbacks == []
    assert not Delivery.objects.exists()


def test_failed_delivery_is_retried_with_exponential_backoff(
    world, checkin, django_capture_on_commit_callbacks
):
    with Receiver(500, 503, 200) as receiver:
        endpoint = _endpoint(world, receiver.url, ["report.submitted"])
        with django_capture_on_commit_callbacks(execute=True):
            _submit(world, checkin, checkin.periods[0])
        delivery = Delivery.objects.get()

        start = timezone.now()
        assert services.deliver_due().retrying == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert "500" in delivery.last_error
        first_wait = delivery.next_attempt_at - start
        assert dt.timedelta(seconds=55) < first_wait < dt.timedelta(seconds=65)
        # Not due yet: a run now sends nothing.
        assert services.deliver_due().attempted == 0

        assert services.deliver_due(now=delivery.next_attempt_at).retrying == 1
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status_code) == (2, 503)
        second_wait = delivery.next_attempt_at - delivery.last_attempt_at
        assert dt.timedelta(seconds=115) < second_wait < dt.timedelta(seconds=125)

        assert services.deliver_due(now=delivery.next_attempt_at).delivered == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert delivery.next_attempt_at is None and delivery.last_error == ""
    assert len(receiver.received) == 3
    # Every attempt is signed afresh with its own timestamp, over the same body.
    bodies = {verify(endpoint.secret, r)["id"] for r in receiver.received}
    assert len(bodies) == 1


def test_backoff_doubles_and_gives_up_after_max_attempts(world, monkeypatch):
    assert [services.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert services.backoff(30) == services.BACKOFF_MAX
    monkeypatch.setattr(services, "MAX_ATTEMPTS", 3)
    # A port nobody listens on: the connection is refused, there is no status code.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = _endpoint(world, f"http://127.0.0.1:{port}/gone", ["project.approved"])
    services.queue("project.approved", {"project": {"id": 1}}, world.branch_a1)
    delivery = Delivery.objects.get(endpoint=endpoint)
    for _attempt in range(3):
        services.deliver_due(now=timezone.now() + dt.timedelta(days=1))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert delivery.last_status_code is None and delivery.last_error
    assert delivery.next_attempt_at is None
    assert services.deliver_due(now=timezone.now() + dt.timedelta(days=2)).attempted == 0


def test_management_command_sends_due_deliveries(world):
    with Receiver() as receiver:
        _endpoint(world, receiver.url, ["project.approved"])
        services.queue("project.approved", {"project": {"id": 1}}, world.branch_a1)
        out = io.StringIO()
        call_command("webhooks", stdout=out)
    assert len(receiver.received) == 1
    assert "1" in out.getvalue()


def test_service_events(world, checkin, django_capture_on_commit_callbacks):
    events = [
        "project.approved",
        "report.submitted",
        "report.returned",
        "project.turned_red",
        "results.published",
    ]
    _endpoint(world, "http://127.0.0.1:9/all", events, world.company_a, world.admin_company_a)
    with django_capture_on_commit_callbacks(execute=True):
        # approve: a submitted project of branch a1
        project = ProjectFactory(
            campaign=world.campaign,
            org=world.branch_a1,
            lead=world.lead_person_a1,
            status="submitted",
        )
        GoalFactory(project=project)
        MeasureFactory(project=project)
        campaigns.project_transition(actor=world.admin_a1, project=project, action="approve")
        # Q2, nothing achieved at half time: red; then returned.
        report = _submit(world, checkin, checkin.periods[1], actuals=(0, 120))
        checkins.report_return(actor=world.admin_a1, report=report, comment="请补充")
        scheme = assessment.scheme_create(
            actor=world.admin_company_a,
            campaign=world.campaign,
            spec=assessment.default_scheme_spec(),
        )
        assessment.assessment_publish(
            actor=world.admin_company_a, scheme=scheme, period=checkin.periods[1]
        )
    sent = list(Delivery.objects.order_by("id").values_list("event", flat=True))
    assert sent == [
        "project.approved",
        "project.turned_red",
        "report.submitted",
        "report.returned",
        "results.published",
    ]
    published = json.loads(Delivery.objects.get(event="results.published").body)
    assert published["data"]["kind"] == "scores" and published["data"]["version"] == 1


# --------------------------------------------------------------------------- pages


def test_admin_registers_an_endpoint_and_sees_the_secret_once(world):
    client = Client()
    client.force_login(world.admin_a1)
    page = client.get(reverse("webhooks:endpoint_list"))
    assert page.status_code == 200
    response = client.post(
        reverse("webhooks:endpoint_list"),
        {
            "org": world.branch_a1.pk,
            "url": "https://oa.example.test/taizhang",
            "events": ["project.approved", "report.submitted"],
            "description": "OA",
        },
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    detail = client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk]))
    assert endpoint.secret not in detail.content.decode()


def test_endpoint_form_refuses_bad_urls_and_no_events(world):
    client = Client()
    client.force_login(world.admin_a1)
    response = client.post(
        reverse("webhooks:endpoint_list"),
        {"org": world.branch_a1.pk, "url": "ftp://x.test/", "events": []},
    )
    assert response.status_code == 200
    assert not Endpoint.objects.exists()


def test_delivery_log_and_test_send_on_the_page(world):
    client = Client()
    client.force_login(world.admin_a1)
    with Receiver(200, 500) as receiver:
        endpoint = _endpoint(world, receiver.url, ["project.approved"])
        response = client.post(reverse("webhooks:endpoint_test", args=[endpoint.pk]), follow=True)
        assert "测试消息已送达（HTTP 200）" in response.content.decode()
        ping = verify(endpoint.secret, receiver.received[0])
        assert ping["event"] == "ping"
        services.queue("project.approved", {"project": {"id": 7}}, world.branch_a1)
        services.deliver_due()
    html = client.get(reverse("webhooks:endpoint_detail", args=[endpoint.pk])).content.decode()
    failed = Delivery.objects.get(event="project.approved")
    assert failed.status == "pending" and failed.last_status_code == 500
    for text in ["发送记录", "项目立项", "测试", "待发送", "500", "HTTP 500"]:
        assert text in html, text
    assert timezone.localtime(failed.next_attempt_at).strftime("%Y-%m-%d %H:%M") in html


def test_webhook_pages_are_for_the_orgs_admins_only(world):
    endpoint = _endpoint(world, "https://oa.example.test/hook", ["project.approved"])
    url = reverse("webhooks:endpoint_detail", args=[endpoint.pk])
    for user in (world.admin_a2, world.lead_a1, world.viewer_group):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        assert client.post(reverse("webhooks:endpoint_test", args=[endpoint.pk])).status_code == 404
        assert (
            "oa.example.test" not in client.get(reverse("webhooks:endpoint_list")).content.decode()
        )
    company = Client()
    company.force_login(world.admin_company_a)
    assert company.get(url).status_code == 200


def test_stale_endpoint_edit_is_refused(world):
    endpoint = _endpoint(world, "https://oa.example.test/hook", ["project.approved"])
    client = Client()
    client.force_login(world.admin_a1)
    services.endpoint_update(actor=world.admin_company_a, endpoint=endpoint, description="公司改")
    response = client.post(
        reverse("webhooks:endpoint_detail", args=[endpoint.pk]),
        {
            "version": endpoint.lock_version - 1,
            "url": "https://other.example.test/",
            "events": ["project.approved"],
            "is_active": "on",
        },
    )
    assert "该记录已被他人修改" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == "https://oa.example.test/hook"


def test_rotate_and_delete(world):
    endpoint = _endpoint(world, "https://oa.example.test/hook", ["project.approved"])
    old = endpoint.secret
    client = Client()
    client.force_login(world.admin_a1)
    response = client.post(
        reverse("webhooks:endpoint_rotate", args=[endpoint.pk]), {"version": endpoint.lock_version}
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.content.decode()
    services.queue("project.approved", {}, world.branch_a1)
    client.post(
        reverse("webhooks:endpoint_delete", args=[endpoint.pk]), {"version": endpoint.lock_version}
    )
    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    assert services.subscribed_endpoints("project.approved", world.branch_a1) == []
