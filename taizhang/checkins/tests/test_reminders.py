import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.management import call_command

from taizhang.checkins import reminders, services
from taizhang.checkins.models import Notification, Supervision, WebhookDelivery
from taizhang.core.exceptions import DomainError


class RobotServer:
    """A local stand-in for a WeCom/DingTalk robot endpoint that records what it receives."""

    def __init__(self, status: int = 200):
        received = self.received = []
        reply = status

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                received.append(
                    (self.path, self.headers["Content-Type"], json.loads(self.rfile.read(length)))
                )
                self.send_response(reply)
                self.end_headers()
                self.wfile.write(b'{"errcode":0}')

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lead_email(world):
    world.lead_a1.email = "lead@example.com"
    world.lead_a1.save()


def test_overdue_report_reminds_once_in_inbox_email_and_robot(world, checkin, lead_email):
    with RobotServer() as wecom, RobotServer() as dingtalk:
        services.org_webhook_create(
            actor=world.admin_a1, org=world.branch_a1, kind="wecom", url=wecom.url + "/wecom"
        )
        services.org_webhook_create(
            actor=world.admin_company_a,
            org=world.company_a,
            kind="dingtalk",
            url=dingtalk.url + "/ding",
        )
        # 15 April 2020: Q1 (deadline 10 April) is overdue.
        first = reminders.run(dt.date(2020, 4, 15))
        second = reminders.run(dt.date(2020, 4, 15))
    assert first.notifications >= 2  # the lead and branch a1's admin (plus the company admin)
    assert Notification.objects.filter(user=world.lead_a1, kind="report_overdue").count() == 1
    assert Notification.objects.filter(user=world.admin_a1, kind="report_overdue").count() == 1
    assert second.notifications == 0 and second.webhooks == 0 and second.emails == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lead@example.com"]
    assert len(wecom.received) == 1 and len(dingtalk.received) == 1
    path, content_type, payload = wecom.received[0]
    assert path == "/wecom" and content_type.startswith("application/json")
    assert (
        payload["msgtype"] == "markdown" and checkin.project.title in payload["markdown"]["content"]
    )
    _p, _c, ding = dingtalk.received[0]
    assert set(ding["markdown"]) == {"title", "text"} and "逾期" in ding["markdown"]["title"]
    # A missing report after the deadline puts the project on the 督办 board.
    assert Supervision.objects.filter(project=checkin.project, closed_at__isnull=True).count() == 1


def test_due_soon_reminder_before_deadline(world, checkin):
    result = reminders.run(dt.date(2020, 4, 8))  # 2 days before the 10 April deadline
    assert result.notifications == 1
    notification = Notification.objects.get(user=world.lead_a1)
    assert notification.kind == "report_due"
    assert not Supervision.objects.exists()


def test_failed_robot_delivery_is_logged_and_retried(world, checkin):
    with RobotServer(status=500) as robot:
        services.org_webhook_create(
            actor=world.admin_a1, org=world.branch_a1, kind="wecom", url=robot.url
        )
        first = reminders.run(dt.date(2020, 4, 15))
        assert first.webhook_failures == 1
        delivery = WebhookDelivery.objects.get()
        assert delivery.delivered is False
        second = reminders.run(dt.date(2020, 4, 15))
        assert second.webhook_failures == 1  # retried, still failing
        assert len(robot.received) == 2


def test_claim_pending_goes_to_verifier_not_claimant(world, checkin):
    services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[0],
        amount="10",
        source="other",
    )
    reminders.run(dt.date(2020, 3, 1))
    assert Notification.objects.filter(user=checkin.verifier, kind="claim_pending").count() == 1
    assert not Notification.objects.filter(user=world.lead_a1, kind="claim_pending").exists()


@pytest.mark.parametrize(
    "url", ["ftp://robot.example/x", "javascript:alert(1)", "qyapi.weixin.qq.com/x", ""]
)
def test_webhook_url_must_be_http(world, url):
    with pytest.raises(DomainError) as info:
        services.org_webhook_create(
            actor=world.admin_a1, org=world.branch_a1, kind="wecom", url=url
        )
    assert info.value.code == "invalid_url"


def test_remind_command_is_idempotent(world, checkin, capsys):
    call_command("remind", "--date", "2020-04-15")
    count = Notification.objects.count()
    call_command("remind", "--date", "2020-04-15")
    assert Notification.objects.count() == count > 0
    out = capsys.readouterr().out
    assert "站内通知 0 条" in out


def test_robot_markdown_takes_stored_text_literally():
    """A title cannot add a link, an image, code or a tag to the group chat."""
    from taizhang.checkins.reminders import WebhookKind, markdown_text, robot_payload

    title = "降本[点此](https://evil.example) ![x](y) `c` <font color=red>*急*</font> #1"
    escaped = markdown_text(title)
    assert escaped == (
        "降本\\[点此\\]\\(https://evil.example\\) \\!\\[x\\]\\(y\\) \\`c\\` "
        "＜font color=red＞\\*急\\*＜/font＞ \\#1"
    )
    payload = robot_payload(WebhookKind.WECOM, title, "第 2 期 (Q2) 未提交")
    assert payload["markdown"]["content"] == f"**{escaped}**\n\n第 2 期 \\(Q2\\) 未提交"
