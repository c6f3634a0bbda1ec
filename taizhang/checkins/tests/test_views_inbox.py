"""The inbox (通知) and group robots (群机器人)."""

import pytest
from django.urls import reverse

from taizhang.checkins import services
from taizhang.checkins.models import Notification, OrgWebhook


def _html(response) -> str:
    return response.content.decode()


def _notify(user, key: str, title: str, url: str = "") -> Notification:
    services.notify(user=user, key=key, kind="report_due", title=title, url=url)
    return Notification.objects.get(user=user, key=key)


def test_inbox_lists_unread_first_and_marks_read(client, world):
    old = _notify(world.lead_a1, "a", "较早的通知", "/checkins/inbox/")
    new = _notify(world.lead_a1, "b", "较新的通知")
    services.notification_mark_read(user=world.lead_a1, notification=new)
    _notify(world.admin_a1, "c", "别人的通知")
    client.force_login(world.lead_a1)
    html = _html(client.get(reverse("checkins:inbox")))
    assert "别人的通知" not in html
    assert html.index("较早的通知") < html.index("较新的通知")  # unread first
    # The top bar counts what is unread.
    assert 'class="nav-count"' in html

    response = client.post(reverse("checkins:notification_read", args=[old.pk]))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.read_at is not None


def test_mark_read_with_htmx_returns_the_row(client, world):
    notification = _notify(world.lead_a1, "a", "提醒一")
    client.force_login(world.lead_a1)
    response = client.post(
        reverse("checkins:notification_read", args=[notification.pk]), HTTP_HX_REQUEST="true"
    )
    html = _html(response)
    assert "<html" not in html and f'id="notification-{notification.pk}"' in html
    assert "标为已读" not in html


def test_open_marks_read_and_follows_only_local_links(client, world):
    local = _notify(world.lead_a1, "a", "本站链接", "/checkins/inbox/")
    foreign = _notify(world.lead_a1, "b", "外部链接", "https://evil.example/")
    client.force_login(world.lead_a1)
    response = client.post(reverse("checkins:notification_read", args=[local.pk]), {"open": "1"})
    assert response["Location"] == "/checkins/inbox/"
    response = client.post(reverse("checkins:notification_read", args=[foreign.pk]), {"open": "1"})
    assert response["Location"] == reverse("checkins:inbox")
    assert "evil.example" not in _html(client.get(reverse("checkins:inbox")))


def test_another_users_notification_is_404(client, world):
    theirs = _notify(world.admin_a1, "a", "别人的通知")
    client.force_login(world.lead_a1)
    response = client.post(reverse("checkins:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_own(client, world):
    _notify(world.lead_a1, "a", "一")
    _notify(world.lead_a1, "b", "二")
    theirs = _notify(world.admin_a1, "c", "三")
    client.force_login(world.lead_a1)
    client.post(reverse("checkins:notification_read_all"))
    assert not Notification.objects.filter(user=world.lead_a1, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --------------------------------------------------------------------------- robots


def test_org_admin_adds_a_robot(client, world):
    url = reverse("checkins:robots", args=[world.branch_a1.pk])
    client.force_login(world.admin_a1)
    assert client.get(url).status_code == 200
    robot = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key"
    response = client.post(url, {"kind": "wecom", "url": robot})
    assert response.status_code == 302
    webhook = OrgWebhook.objects.get()
    assert (webhook.org, webhook.kind, webhook.url) == (world.branch_a1, "wecom", robot)
    html = _html(client.get(url))
    assert "qyapi.weixin.qq.com/cgi-bin/webhook/send" in html
    assert "secret-key" not in html  # the access key is not shown back
    # The inbox offers the robots page of the orgs the user administers.
    assert url in _html(client.get(reverse("checkins:inbox")))


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://robots.example/hook",
        "javascript:alert(1)",
        "robots.example/hook",
        "https://",
    ],
)
def test_robot_url_must_be_http_or_https(client, world, bad):
    client.force_login(world.admin_a1)
    response = client.post(
        reverse("checkins:robots", args=[world.branch_a1.pk]), {"kind": "dingtalk", "url": bad}
    )
    assert response.status_code == 200
    assert "机器人地址必须以 http:// 或 https:// 开头。" in _html(response)
    assert not OrgWebhook.objects.exists()


def test_robots_need_org_admin(client, world):
    client.force_login(world.lead_a1)
    url = reverse("checkins:robots", args=[world.branch_a1.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"kind": "wecom", "url": "https://x.example/"}).status_code == 403
    client.force_login(world.admin_a2)
    assert client.get(url).status_code == 404
    assert not OrgWebhook.objects.exists()
