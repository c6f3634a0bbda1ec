"""The import's rules: dry run lists every bad row and writes nothing, the import runs in
one transaction through the services, re-importing an export changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.campaigns import services as campaign_services
from taizhang.campaigns.models import (
    GoalIndicator,
    Measure,
    Participant,
    ParticipantRole,
    Project,
    ProjectStatus,
)
from taizhang.campaigns.tests.factories import ProjectFactory
from taizhang.core.exceptions import DomainError
from taizhang.exports.tests.ledger_builders import build_ledger
from taizhang.imports import services
from taizhang.imports.models import ImportStatus
from taizhang.orgs.models import Person, PoliticalStatus
from taizhang.orgs.tests.factories import PersonFactory

from .conftest import SAMPLE, file_upload, xlsx_upload

HEADERS = ["序号", "项目编号", "项目名称", "项目类型", "中心工作", "责任组织", "牵头人", "参与人员", "预期目标", "具体措施", "开始日期", "完成时限", "状态"]  # fmt: skip
TYPE = "党组织带党员创效"
AREA = "生产经营"


def row(n, **values):
    """A ledger row for branch a1 led by lead_a1, overridable by header."""
    base = {
        "序号": n,
        "项目编号": f"IM-{n:03d}",
        "项目名称": f"导入项目{n}",
        "项目类型": TYPE,
        "中心工作": AREA,
        "责任组织": "甲一支部",
        "牵头人": "lead_a1",
        "参与人员": "群众甲、群众乙",
        "预期目标": "目标利润500万元",
        "具体措施": "1.拓展渠道；2.月度复盘",
        "开始日期": "2020-01-01",
        "完成时限": "2020-12-31",
        "状态": "草稿",
    }
    base.update(values)
    return [base[h] for h in HEADERS]


def ledger(*rows, headers=HEADERS, title="2020年项目台账"):
    return xlsx_upload([[title], headers, *rows], merges=[f"A1:{chr(64 + len(headers))}1"])


def parse(world, upload, actor=None):
    actor = actor or world.admin_company_a
    ledger_import = services.ledger_import_parse(
        actor=actor, campaign=world.campaign, upload=upload
    )
    columns = {int(k): v for k, v in ledger_import.mapping["columns"].items()}
    services.ledger_import_set_mapping(actor=actor, ledger_import=ledger_import, columns=columns)
    return ledger_import


def dry_run(world, upload, actor=None):
    actor = actor or world.admin_company_a
    ledger_import = parse(world, upload, actor)
    report = services.ledger_import_dry_run(actor=actor, ledger_import=ledger_import)
    return ledger_import, report


def errors_by_row(report) -> dict[int, list[str]]:
    return {item["row"]: item["messages"] for item in report["errors"]}


def history_counts() -> dict[str, int]:
    return {
        "projects": Project.history.count(),
        "goals": GoalIndicator.history.count(),
        "measures": Measure.history.count(),
        "participants": Participant.history.count(),
    }


# --------------------------------------------------------------------------- the sample


def test_the_sample_ledger_imports_into_a_fresh_campaign(sample_world):
    world = sample_world
    ledger_import, report = dry_run(world, file_upload(SAMPLE))
    assert report["errors"] == []
    assert report["counts"]["create"] == 2
    assert Project.objects.count() == 0  # a dry run writes nothing
    counts = services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    assert counts == {"created": 2, "updated": 0, "unchanged": 0, "registered": 0}
    trade, mine = Project.objects.order_by("code")
    assert (trade.code, trade.title, trade.org, trade.lead.name) == (
        "2020-001", "稀土贸易创效", world.sample_branch, "张明",
    )  # fmt: skip
    assert trade.project_type.name == "党组织带党员创效" and trade.focus_area.name == "贸易营销"
    assert (trade.start_date, trade.end_date) == (dt.date(2020, 3, 1), dt.date(2020, 12, 31))
    assert sorted(p.person.name for p in trade.participants.all()) == ["李华", "王强", "赵丽"]
    goal = trade.goals.get()
    assert (goal.name, goal.target, goal.unit) == ("全年实现贸易利润", Decimal(500), "万元")
    assert list(trade.measures.values_list("description", flat=True)) == [
        "拓展独居石采购渠道",
        "与板块内单位开展加工贸易",
    ]
    # 实施中 in the file: submitted, approved and started through the lifecycle service.
    assert trade.status == ProjectStatus.IN_PROGRESS
    assert list(trade.transitions.values_list("action", flat=True)) == [
        "submit",
        "approve",
        "start",
    ]
    assert trade.history.earliest().history_change_reason == "创建项目"
    # "不高于0万元" has no baseline: kept in the plan text, the project stays a draft.
    assert mine.goals.count() == 0 and "矿山运营亏损不高于0万元" in mine.plan
    assert mine.status == ProjectStatus.DRAFT
    warnings = {item["row"]: item["messages"] for item in report["warnings"]}
    assert any("没有写明基准值" in m for m in warnings[3])


def test_importing_the_sample_again_changes_nothing(sample_world):
    world = sample_world
    first, _report = dry_run(world, file_upload(SAMPLE))
    services.ledger_import_apply(actor=world.admin_company_a, ledger_import=first)
    before = history_counts()
    second, report = dry_run(world, file_upload(SAMPLE))
    assert report["counts"]["unchanged"] == 2 and report["counts"]["create"] == 0
    assert services.ledger_import_apply(actor=world.admin_company_a, ledger_import=second) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "registered": 0,
    }
    assert history_counts() == before


# --------------------------------------------------------------------------- bad rows


def test_dry_run_lists_every_bad_row_with_its_reason_and_writes_nothing(world):
    PersonFactory(org=world.branch_a1, name="重名", staff_no="D-1")
    PersonFactory(org=world.branch_a1, name="重名", staff_no="D-2")
    ProjectFactory(campaign=world.campaign, org=world.branch_a2, code="HIDDEN-1")
    upload = ledger(
        row(1),  # good
        row(2, 牵头人="查无此人"),
        row(3, 牵头人="群众甲"),
        row(4, 完成时限="2020-02-30"),
        row(5, 项目编号="DUP"),
        row(6, 项目编号="DUP"),
        row(7, 项目名称=""),
        row(8, 项目类型="乱写的类型"),
        row(9, 中心工作="乱写的领域"),
        row(10, 责任组织="甲二支部"),
        row(11, 责任组织="不存在的支部"),
        row(12, 预期目标="完成生态修复"),
        row(13, 项目编号="HIDDEN-1"),
        row(14, 牵头人="重名"),
        row(15, 开始日期="2020-12-31", 完成时限="2020-01-01"),
        row(16, 参与人员="群众甲、无名氏"),
        row(17, 状态="乱写的状态"),
    )
    before = history_counts()
    ledger_import, report = dry_run(world, upload, actor=world.admin_a1)
    bad = errors_by_row(report)
    expected = {
        4: "找不到人员“查无此人”",
        5: "牵头人必须是中共党员或中共预备党员，群众甲",
        6: "完成时限：日期“2020-02-30”不存在。",
        7: "项目编号 DUP 在文件中重复（第 7、8 行）",
        8: "项目编号 DUP 在文件中重复（第 7、8 行）",
        9: "缺少项目名称。",
        10: "未知的项目类型“乱写的类型”",
        11: "未知的中心工作“乱写的领域”",
        12: "您无权在“甲二支部”申报项目",
        13: "找不到责任组织“不存在的支部”",
        14: "目标“完成生态修复”没有目标值",
        15: "项目编号 HIDDEN-1 已被本活动中您无权修改的其他项目使用",
        16: "有 2 位名为“重名”的人员，请写成“姓名(工号)”",
        17: "完成时限不能早于开始日期。",
        18: "找不到人员“无名氏”",
        19: "未知的状态“乱写的状态”",
    }
    assert set(bad) == set(expected), bad
    for number, words in expected.items():
        assert any(words in message for message in bad[number]), (number, bad[number])
    assert report["counts"]["create"] == 1 and [c["row"] for c in report["creates"]] == [3]
    assert not ledger_import.is_clean
    assert Project.objects.filter(code__startswith="IM-").count() == 0
    assert history_counts() == before
    with pytest.raises(DomainError) as info:
        services.ledger_import_apply(actor=world.admin_a1, ledger_import=ledger_import)
    assert info.value.code == "not_clean"
    assert Project.objects.filter(code__startswith="IM-").count() == 0


def test_one_bad_row_means_nothing_is_written(world):
    ledger_import, report = dry_run(world, ledger(row(1), row(2), row(3, 牵头人="查无此人")))
    assert report["counts"]["create"] == 2 and report["counts"]["error"] == 1
    with pytest.raises(DomainError):
        services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    assert Project.objects.count() == 0


def test_a_refusal_inside_the_import_rolls_the_whole_file_back(world, monkeypatch):
    ledger_import, report = dry_run(world, ledger(row(1), row(2), row(3)))
    assert report["errors"] == []
    # New projects are validated one by one (_prepare_project), then written in bulk.
    real = campaign_services._prepare_project
    calls = []

    def third_fails(**kwargs):
        calls.append(kwargs["item"].code)
        if len(calls) == 3:
            raise DomainError("模拟的拒绝", "simulated")
        return real(**kwargs)

    monkeypatch.setattr(campaign_services, "_prepare_project", third_fails)
    with pytest.raises(DomainError) as info:
        services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    assert info.value.message == "第 5 行（导入项目3）：模拟的拒绝"
    assert Project.objects.count() == 0
    assert Project.history.count() == 0
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.CHECKED


def test_a_change_after_the_dry_run_stops_the_import(world):
    ledger_import, _report = dry_run(world, ledger(row(1)))
    lead = world.lead_person_a1
    lead.political_status = PoliticalStatus.MASSES
    lead.save()
    with pytest.raises(DomainError) as info:
        services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    assert info.value.code == "stale_dry_run"
    ledger_import.refresh_from_db()
    assert not ledger_import.is_clean and ledger_import.report["counts"]["error"] == 1
    assert Project.objects.count() == 0


# --------------------------------------------------------------------------- tolerance


def test_title_rows_blank_rows_section_rows_and_totals_are_skipped(world):
    upload = xlsx_upload(
        [
            ["2020年“两带两创”项目台账"],
            ["填报单位：公司甲", None, None, None, "2020年3月"],
            HEADERS,
            ["一、创效类"],
            row(1),
            [None] * 5,
            row(2),
            ["二、创新类"] + [None] * 12,
            row(3),
            ["合计", None, "3 个项目"],
        ],
        merges=["A1:M1", "A2:D2", "A8:M8"],
    )
    ledger_import, report = dry_run(world, upload)
    assert report["errors"] == []
    assert [c["row"] for c in report["creates"]] == [5, 7, 9]
    reasons = {item["row"]: item["reason"] for item in report["skipped"]}
    assert reasons == {4: "分类标题行", 8: "分类标题行", 10: "合计行"}
    services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    assert Project.objects.count() == 3


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2020-11-30", dt.date(2020, 11, 30)),
        ("2020.11.30", dt.date(2020, 11, 30)),
        ("2020/11/30", dt.date(2020, 11, 30)),
        ("2020年11月30日", dt.date(2020, 11, 30)),
        ("2020年11月", dt.date(2020, 11, 30)),
        (44165, dt.date(2020, 11, 30)),  # Excel serial
        (dt.datetime(2020, 11, 30), dt.date(2020, 11, 30)),  # a real date cell
    ],
)
def test_each_date_form_imports(world, cell, expected):
    ledger_import, report = dry_run(world, ledger(row(1, 完成时限=cell)))
    assert report["errors"] == []
    services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    assert Project.objects.get().end_date == expected


def test_a_ledger_written_with_other_header_words(world):
    headers = ["序号", "课题名称", "类型", "所属领域", "所属支部", "负责人", "成员", "目标任务", "主要措施", "开始时间", "时间节点", "立项依据"]  # fmt: skip
    data = [1, "换了表头的项目", "创效", AREA, "甲一支部", "lead_a1", "群众甲", "利润由100万元提高到300万元", "措施甲\n措施乙", "2020年3月", "2020年12月", "依据"]  # fmt: skip
    ledger_import, report = dry_run(world, ledger(data, headers=headers))
    assert report["errors"] == [], report["errors"]
    services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    project = Project.objects.get()
    assert project.title == "换了表头的项目" and project.project_type.short_name == "创效"
    assert (project.start_date, project.end_date) == (dt.date(2020, 3, 1), dt.date(2020, 12, 31))
    assert project.rationale == "依据" and project.code == "2020-001"  # generated
    goal = project.goals.get()
    assert (goal.name, goal.baseline, goal.target) == ("利润", Decimal(100), Decimal(300))
    assert project.measures.count() == 2


def test_goal_and_measure_cells_with_several_lines(world):
    goals = "1. 目标利润500万元\n2. 经营亏损由120万元降至0万元\n3. 客户数不少于30家"
    ledger_import, report = dry_run(
        world, ledger(row(1, 预期目标=goals, 具体措施="（1）甲。（2）乙\n（3）丙"))
    )
    assert report["errors"] == []
    services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    project = Project.objects.get()
    assert [(g.name, g.baseline, g.target, g.unit, g.direction) for g in project.goals.all()] == [
        ("目标利润", Decimal(0), Decimal(500), "万元", "higher"),
        ("经营亏损", Decimal(120), Decimal(0), "万元", "lower"),
        ("客户数", Decimal(0), Decimal(30), "家", "higher"),
    ]
    assert list(project.measures.values_list("description", flat=True)) == ["甲", "乙", "丙"]


def test_participant_roles_and_staff_numbers(world):
    namesake = PersonFactory(
        org=world.branch_a1, name="群众甲", staff_no="X-9", political_status=PoliticalStatus.MASSES
    )
    cell = f"群众乙（骨干成员）、群众甲({namesake.staff_no})、lead_a1"
    ledger_import, report = dry_run(world, ledger(row(1, 参与人员=cell)))
    assert report["errors"] == [], report["errors"]
    services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    participants = {p.person: p.role for p in Project.objects.get().participants.all()}
    assert participants == {
        world.masses_a1_b: ParticipantRole.CORE,
        namesake: ParticipantRole.MEMBER,
    }


def test_a_lead_cannot_approve_through_an_import(world):
    ledger_import, report = dry_run(world, ledger(row(1, 状态="已立项")), actor=world.lead_a1)
    assert report["errors"] == []
    assert any("您无权执行“批准立项”" in m for m in report["warnings"][0]["messages"])
    services.ledger_import_apply(actor=world.lead_a1, ledger_import=ledger_import)
    assert Project.objects.get().status == ProjectStatus.SUBMITTED


def test_mapping_rules(world):
    ledger_import = services.ledger_import_parse(
        actor=world.admin_company_a, campaign=world.campaign, upload=ledger(row(1))
    )
    with pytest.raises(DomainError) as info:
        services.ledger_import_set_mapping(
            actor=world.admin_company_a,
            ledger_import=ledger_import,
            columns={1: "title", 2: "title"},
        )
    assert info.value.code == "duplicate_column"
    with pytest.raises(DomainError) as info:
        services.ledger_import_set_mapping(
            actor=world.admin_company_a, ledger_import=ledger_import, columns={1: "code"}
        )
    assert "项目名称" in info.value.message
    with pytest.raises(DomainError) as info:
        services.ledger_import_set_mapping(
            actor=world.admin_a2, ledger_import=ledger_import, columns={}
        )
    assert info.value.code == "forbidden"


def test_defaults_stand_in_for_missing_columns(world):
    headers = ["项目名称", "牵头人", "完成时限"]
    ledger_import = services.ledger_import_parse(
        actor=world.admin_a1,
        campaign=world.campaign,
        upload=ledger(["只有三列", "lead_a1", "2020年6月"], headers=headers),
    )
    services.ledger_import_set_mapping(
        actor=world.admin_a1,
        ledger_import=ledger_import,
        columns={0: "title", 1: "lead", 2: "end_date"},
        default_org=world.branch_a1,
        default_type=world.campaign.project_types.first(),
        default_area=world.campaign.focus_areas.first(),
    )
    report = services.ledger_import_dry_run(actor=world.admin_a1, ledger_import=ledger_import)
    assert report["errors"] == []
    services.ledger_import_apply(actor=world.admin_a1, ledger_import=ledger_import)
    project = Project.objects.get()
    assert project.org == world.branch_a1 and project.end_date == dt.date(2020, 6, 30)
    assert project.start_date == world.campaign.start_date


# --------------------------------------------------------------------------- round trips


def _export(client, world, user, **params) -> bytes:
    client.force_login(user)
    response = client.get(reverse("ledger_export:xlsx", args=[world.campaign.pk]), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_reimporting_an_exported_ledger_changes_nothing(client, world):
    build_ledger(world, 3)
    ProjectFactory(
        campaign=world.campaign,
        org=world.branch_a1,
        code="CR-1",
        rationale="第一行\r\n第二行",
        lead=world.lead_person_a1,
    )
    content = _export(client, world, world.admin_company_a)
    before = history_counts()
    versions = dict(Project.objects.values_list("code", "lock_version"))
    ledger_import, report = dry_run(world, SimpleUploadedFile("export.xlsx", content))
    assert report["errors"] == [] and report["warnings"] == []
    assert report["counts"] == {
        "create": 0,
        "update": 0,
        "unchanged": 4,
        "error": 0,
        "skipped": 0,
        "register": 0,
    }
    assert services.ledger_import_apply(
        actor=world.admin_company_a, ledger_import=ledger_import
    ) == {
        "created": 0,
        "updated": 0,
        "unchanged": 4,
        "registered": 0,
    }
    assert history_counts() == before
    assert dict(Project.objects.values_list("code", "lock_version")) == versions


def test_edits_in_the_detail_sheets_are_imported(client, world):
    build_ledger(world, 2)
    book = openpyxl.load_workbook(io.BytesIO(_export(client, world, world.admin_company_a)))
    goals = book["目标指标"]
    assert goals["B4"].value == "TZ-0001" and goals["D4"].value == "目标利润"
    goals["G4"] = 800  # target 500 → 800
    measures = book["具体措施"]
    assert measures["D4"].value == "拓展采购渠道"
    measures["I4"] = 90  # 40 % → 90 %
    buffer = io.BytesIO()
    book.save(buffer)
    ledger_import, report = dry_run(world, SimpleUploadedFile("edited.xlsx", buffer.getvalue()))
    assert report["errors"] == []
    assert [u["code"] for u in report["updates"]] == ["TZ-0001"]
    labels = [change[0] for change in report["updates"][0]["changes"]]
    assert labels == ["目标指标", "具体措施"]
    services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    project = Project.objects.get(code="TZ-0001")
    assert project.goals.get(name="目标利润").target == Decimal(800)
    assert project.measures.get(description="拓展采购渠道").percent_complete == 90
    assert Project.objects.get(code="TZ-0002").goals.get(name="目标利润").target == Decimal(500)


# --------------------------------------------------------------------------- unregistered people


def _people_named(*names):
    return Person.objects.filter(name__in=names)


def test_unregistered_people_are_listed_and_registered_only_with_the_option(world):
    upload = ledger(row(1, 牵头人="新党员", 参与人员="新群众、群众甲"), row(2, 参与人员="新群众"))
    before = history_counts()
    ledger_import, report = dry_run(world, upload, actor=world.admin_a1)
    bad = errors_by_row(report)
    assert set(bad) == {3, 4}
    assert any("勾选“登记未登记的人员”" in m and "新党员" in m for m in bad[3])
    assert report["clean_if_registered"] and not ledger_import.is_clean
    assert report["registrations"] == [
        {
            "name": "新党员",
            "org": "甲一支部",
            "status": "中共党员",
            "basis": "项目牵头人，按“党员带头”视为中共党员",
            "rows": "3",
        },
        {
            "name": "新群众",
            "org": "甲一支部",
            "status": "群众",
            "basis": "参与人员，视为群众",
            "rows": "3、4",
        },
    ]
    with pytest.raises(DomainError) as info:
        services.ledger_import_apply(actor=world.admin_a1, ledger_import=ledger_import)
    assert info.value.code == "unregistered_people"
    assert history_counts() == before and not _people_named("新党员", "新群众").exists()

    # Ticking the option after the dry run: the plan is the one shown, now clean.
    counts = services.ledger_import_apply(
        actor=world.admin_a1, ledger_import=ledger_import, register_unknown=True
    )
    assert counts == {"created": 2, "updated": 0, "unchanged": 0, "registered": 2}
    lead = Person.objects.get(name="新党员")
    masses = Person.objects.get(name="新群众")
    assert (lead.org, lead.political_status) == (world.branch_a1, PoliticalStatus.MEMBER)
    assert (masses.org, masses.political_status) == (world.branch_a1, PoliticalStatus.MASSES)
    assert lead.history.get().history_change_reason == "登记人员"
    first, second = Project.objects.order_by("code")
    assert first.lead == lead
    assert sorted(p.person.name for p in first.participants.all()) == ["新群众", "群众甲"]
    assert [p.person for p in second.participants.all()] == [masses]


def test_a_refusal_after_registering_rolls_the_people_back_too(world, monkeypatch):
    ledger_import, _report = dry_run(world, ledger(row(1, 牵头人="新党员")), actor=world.admin_a1)

    def refuse(**kwargs):
        raise DomainError("拒绝", "refused")

    monkeypatch.setattr(services.campaign_services, "projects_create_bulk", refuse)
    with pytest.raises(DomainError):
        services.ledger_import_apply(
            actor=world.admin_a1, ledger_import=ledger_import, register_unknown=True
        )
    assert not _people_named("新党员").exists()
    assert not Person.history.filter(name="新党员").exists()


def test_a_political_status_column_wins_over_the_assumption(world):
    headers = [*HEADERS, "政治面貌"]

    def status_row(n, lead, status):
        return [*row(n, 牵头人=lead, 参与人员=""), status]

    upload = ledger(
        status_row(1, "预备甲", "预备党员"),
        status_row(2, "群众丙", "群众"),
        status_row(3, "lead_a1", "群众"),
        headers=headers,
    )
    ledger_import, report = dry_run(world, upload, actor=world.admin_a1)
    assert ledger_import.mapping["columns"]["13"] == "lead_political_status"
    bad = errors_by_row(report)
    assert set(bad) == {3, 4}
    assert any("勾选“登记未登记的人员”" in m and "中共预备党员" in m for m in bad[3])
    assert any("牵头人必须是中共党员或中共预备党员，群众丙" in m for m in bad[4])
    assert [(r["name"], r["status"], r["basis"]) for r in report["registrations"]] == [
        ("预备甲", "中共预备党员", "按文件中的“政治面貌”"),
        ("群众丙", "群众", "按文件中的“政治面貌”"),
    ]
    # A registered person's record is kept; the difference is pointed out.
    warnings = {item["row"]: item["messages"] for item in report["warnings"]}
    assert any("导入不修改已登记人员的信息" in m for m in warnings[5])
    assert not report["clean_if_registered"]  # row 4 stays bad whatever the option


def test_names_shared_by_two_people_stay_errors_with_the_option(world):
    PersonFactory(org=world.branch_a1, name="重名", staff_no="D-1")
    PersonFactory(org=world.branch_a1, name="重名", staff_no="D-2")
    ledger_import = parse(world, ledger(row(1, 参与人员="重名")), world.admin_a1)
    report = services.ledger_import_dry_run(
        actor=world.admin_a1, ledger_import=ledger_import, register_unknown=True
    )
    assert any("有 2 位名为“重名”的人员" in m for m in errors_by_row(report)[3])
    assert report["registrations"] == [] and not report["clean_if_registered"]
    assert Person.objects.filter(name="重名").count() == 2


def test_one_unregistered_name_in_two_orgs_is_not_guessed(world):
    upload = ledger(row(1, 参与人员="新人"), row(2, 责任组织="甲二支部", 参与人员="新人"))
    ledger_import = parse(world, upload, world.admin_company_a)
    report = services.ledger_import_dry_run(
        actor=world.admin_company_a, ledger_import=ledger_import, register_unknown=True
    )
    bad = errors_by_row(report)
    assert set(bad) == {3, 4}
    assert all(any("无法确定登记在哪个组织" in m for m in bad[n]) for n in (3, 4))
    assert report["registrations"] == []


def test_only_an_org_admin_may_register_people_through_an_import(world):
    ledger_import = parse(world, ledger(row(1, 参与人员="新人")), world.lead_a1)
    report = services.ledger_import_dry_run(
        actor=world.lead_a1, ledger_import=ledger_import, register_unknown=True
    )
    assert any("您无权在“甲一支部”登记人员" in m for m in errors_by_row(report)[3])
    assert report["registrations"] == []
    with pytest.raises(DomainError):
        services.ledger_import_apply(
            actor=world.lead_a1, ledger_import=ledger_import, register_unknown=True
        )
    assert not _people_named("新人").exists()
