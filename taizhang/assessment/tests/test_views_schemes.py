"""The scheme pages: view, create from the default, copy, and the editor (valid edits saved,
each kind of invalid edit refused with nothing saved)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from taizhang.assessment import services
from taizhang.assessment.models import Dimension, RunKind, Scheme, ScoreRun
from taizhang.assessment.tests.conftest import submit_report
from taizhang.assessment.tests.views_support import form_data, html, scored_fixture  # noqa: F401
from taizhang.campaigns.tests.factories import CampaignFactory
from taizhang.orgs.models import Role
from taizhang.orgs.tests.factories import MembershipFactory
from taizhang.users.tests.factories import UserFactory


def _detail(campaign) -> str:
    return reverse("assessment:scheme_detail", args=[campaign.pk])


def _edit(scheme) -> str:
    return reverse("assessment:scheme_edit", args=[scheme.pk])


def _editor_data(client, scheme) -> dict[str, str]:
    """What the browser would post back from the editor, unchanged."""
    return form_data(html(client.get(_edit(scheme))), "scheme-editor")


def _fields(data: dict, value: str) -> list[str]:
    """The names of the posted fields holding `value` (to find a row by its content)."""
    return [name for name, current in data.items() if current == value]


def _criterion_prefix(data: dict, name: str) -> str:
    [field] = [f for f in _fields(data, name) if f.endswith("-name") and "-crit-" in f]
    return field.removesuffix("-name")


def test_no_scheme_then_create_from_default(client, world):
    client.force_login(world.admin_company_a)
    page = html(client.get(_detail(world.campaign)))
    assert "本活动尚未设置考核方案。" in page and "按默认方案创建" in page
    response = client.post(reverse("assessment:scheme_create_default", args=[world.campaign.pk]))
    scheme = Scheme.objects.get()
    assert response["Location"] == _edit(scheme)
    page = html(client.get(_detail(world.campaign)))
    for text in (
        "基础工作",
        "目标达成度（按指标权重）",
        "缺报进展报告",
        "获上级表彰",
        "不计入总分",
    ):
        assert text in page
    assert "发生安全环保责任事故" in page and "优秀" in page and "下级组织平均" not in page
    assert "v1" in page


def test_readers_see_the_scheme_but_cannot_configure(client, world, scored):
    client.force_login(world.admin_a1)
    page = html(client.get(_detail(world.campaign)))
    assert "基础工作" in page and "修改方案" not in page and "复制为新版本" not in page
    assert client.get(_edit(scored.scheme)).status_code == 404
    response = client.post(
        reverse("assessment:scheme_create_default", args=[world.campaign.pk]), follow=True
    )
    assert "只有活动主办组织的管理员可以设置考核方案。" in html(response)
    assert Scheme.objects.count() == 1


def test_editor_round_trip_saves_a_valid_edit(client, world, scored):
    client.force_login(world.admin_company_a)
    data = _editor_data(client, scored.scheme)
    data["name"] = "2020年考核方案（修订）"
    # 工作落实: 10 points move from measure completion to the inspection rating.
    data[_criterion_prefix(data, "措施完成") + "-points"] = "5"
    data[_criterion_prefix(data, "检查评价") + "-points"] = "20"
    data[_criterion_prefix(data, "群众参与") + "-param"] = "3"
    data["action"] = "save"
    response = client.post(_edit(scored.scheme), data)
    assert response.status_code == 302, html(response)
    scheme = Scheme.objects.get(pk=scored.scheme.pk)  # no published results: edited in place
    assert scheme.name == "2020年考核方案（修订）" and scheme.version == 1
    criteria = {
        c.name: c for d in scheme.dimensions.prefetch_related("criteria") for c in d.criteria.all()
    }
    assert criteria["措施完成"].points == Decimal("5")
    assert criteria["检查评价"].points == Decimal("20")
    assert criteria["群众参与"].params == {"target": 3}
    assert [d.weight for d in scheme.dimensions.all()] == [50, 30, 20]
    assert scheme.deductions.count() == 4 and scheme.bands.count() == 3


def _break_weights(data):
    data["dim-0-weight"] = "40"
    data[_criterion_prefix(data, "目标达成") + "-points"] = "20"


def _break_criteria_sum(data):
    data[_criterion_prefix(data, "目标达成") + "-points"] = "25"


def _overlap_bands(data):
    [field] = [f for f in _fields(data, "89.99") if f.startswith("band-")]
    data[field] = "95"


def _drop_source(data):
    data[_criterion_prefix(data, "党员牵头") + "-kind"] = ""


def _unnamed_deduction(data):
    [field] = [f for f in _fields(data, "逾期提交报告") if f.startswith("ded-")]
    data[field] = ""


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        (_break_weights, "各维度分值合计为 90，应为 100。"),
        (_break_criteria_sum, "维度“基础工作”的考核内容分值合计 45，应等于维度分值 50。"),
        (_overlap_bands, "分数区间重叠"),
        (_drop_source, "考核内容“党员牵头”没有有效的数据来源。"),
        (_unnamed_deduction, "扣分项需要名称（扣分理由）。"),
    ],
)
def test_editor_refuses_invalid_schemes_and_saves_nothing(client, world, scored, breaks, message):
    client.force_login(world.admin_company_a)
    services.draft_compute(scheme=scored.scheme, period=scored.period)
    before = list(Dimension.objects.values_list("pk", "name", "weight"))
    data = _editor_data(client, scored.scheme)
    breaks(data)
    data["action"] = "save"
    response = client.post(_edit(scored.scheme), data)
    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert 'class="form-errors" role="alert"' in page
    assert list(Dimension.objects.values_list("pk", "name", "weight")) == before
    assert Scheme.objects.get().version == 1
    # The draft survives: a refused edit changes nothing at all.
    assert ScoreRun.objects.filter(kind=RunKind.DRAFT).exists()
    # What the user typed is shown again for correction.
    assert form_data(page, "scheme-editor")["dim-0-weight"] == data["dim-0-weight"]


def test_unparseable_parameter_is_a_row_error(client, world, scored):
    client.force_login(world.admin_company_a)
    data = _editor_data(client, scored.scheme)
    data[_criterion_prefix(data, "群众参与") + "-param"] = "2.5"
    data["action"] = "save"
    page = html(client.post(_edit(scored.scheme), data))
    assert "应为正整数" in page and "有填写错误，方案未保存" in page
    assert Scheme.objects.get().dimensions.get(name="工作落实").criteria.get(
        name="群众参与"
    ).params == {"target": 2}


def test_add_row_buttons_rerender_without_saving(client, world, scored):
    client.force_login(world.admin_company_a)
    data = _editor_data(client, scored.scheme)
    data["action"] = "add-dimension"
    page = html(client.post(_edit(scored.scheme), data))
    after = form_data(page, "scheme-editor")
    assert int(after["dim-TOTAL"]) == int(data["dim-TOTAL"]) + 1
    data["action"] = "add-bands"
    after = form_data(html(client.post(_edit(scored.scheme), data)), "scheme-editor")
    assert int(after["band-TOTAL"]) == int(data["band-TOTAL"]) + 1
    assert Scheme.objects.get().bands.count() == 3


def test_deleting_rows(client, world, scored):
    client.force_login(world.admin_company_a)
    data = _editor_data(client, scored.scheme)
    [field] = [f for f in _fields(data, "获上级表彰") if f.startswith("bon-")]
    data[field.removesuffix("-name") + "-DELETE"] = "on"
    data["action"] = "save"
    assert client.post(_edit(scored.scheme), data).status_code == 302
    assert not Scheme.objects.get().bonuses.exists()


def test_editing_a_published_scheme_makes_a_new_version(client, world, scored):
    services.assessment_publish(
        actor=world.admin_company_a, scheme=scored.scheme, period=scored.period
    )
    client.force_login(world.admin_company_a)
    page = html(client.get(_edit(scored.scheme)))
    assert "已有发布的考核结果" in page and "生成一个新版本" in page
    data = form_data(page, "scheme-editor")
    data["name"] = "修订版"
    data["action"] = "save"
    response = client.post(_edit(scored.scheme), data, follow=True)
    assert "修改已保存为新版本 v2" in html(response)
    old, new = Scheme.objects.order_by("version")
    assert (old.name, old.is_active, new.name, new.is_active) == (
        "“两带两创”考核方案",
        False,
        "修订版",
        True,
    )
    # The old version can be viewed but no longer edited.
    assert "历史版本" in html(client.get(_detail(world.campaign) + "?version=1"))
    assert client.get(_edit(old)).status_code == 302


def test_copy_from_an_earlier_campaign(client, world, scored):
    later = CampaignFactory(
        org=world.company_a, name="2021年两带两创", year=2021, start_date=scored.period.end_date
    )
    client.force_login(world.admin_company_a)
    page = html(client.get(_detail(later)))
    assert "2020年两带两创 · “两带两创”考核方案 v1" in page
    response = client.post(
        reverse("assessment:scheme_copy", args=[later.pk]), {"source": scored.scheme.pk}
    )
    copy = Scheme.objects.get(campaign=later)
    assert response["Location"] == _edit(copy)
    assert (copy.version, copy.based_on, copy.is_active) == (1, scored.scheme, True)
    # A later campaign's scheme is not offered to an earlier one.
    earlier_page = html(client.get(_detail(world.campaign)))
    assert "2021年两带两创 ·" not in earlier_page


def test_a_new_user_changes_a_weight_in_a_copy_and_sees_the_draft_move(client, world, q3, running):
    """The issue's "done when": through the pages only."""
    newcomer = UserFactory(username="new_secretary")
    MembershipFactory(user=newcomer, org=world.company_a, role=Role.ORG_ADMIN)
    services.scheme_create(
        actor=world.admin_company_a, campaign=world.campaign, spec=services.default_scheme_spec()
    )
    project, (goal,) = running()
    submit_report(project, q3, {goal: 100})
    client.force_login(newcomer)
    scores_url = reverse("assessment:scores", args=[world.campaign.pk])

    def draft_score() -> str:
        response = client.post(
            reverse("assessment:recompute", args=[world.campaign.pk]), {"period": q3.pk}
        )
        page = html(client.get(response["Location"]))
        row = page[page.index(f'data-project="{project.pk}"') :]
        return row[row.index('class="num score">') + 18 : row.index("</td>", row.index("score"))]

    assert draft_score() == "60.00"
    original = Scheme.objects.get()
    response = client.post(
        reverse("assessment:scheme_copy", args=[world.campaign.pk]), {"source": original.pk}
    )
    copy = Scheme.objects.get(is_active=True)
    assert copy.version == 2 and response["Location"] == _edit(copy)
    data = _editor_data(client, copy)
    data[_criterion_prefix(data, "措施完成") + "-points"] = "5"
    data[_criterion_prefix(data, "检查评价") + "-points"] = "20"
    data["action"] = "save"
    assert client.post(_edit(copy), data).status_code == 302
    assert draft_score() == "70.00"
    assert client.get(scores_url).status_code == 200
