"""Deterministic bench data at group, company or tiny scale (`taizhang bench-data`).

Speed is the point, so this writes with large `bulk_create` batches and computes what the
services would otherwise compute one row at a time (treebeard paths, pinyin keys, report
figures and lights through `checkins.rules`). It bypasses the services on purpose: they
validate and record history per row, which at 1.5 million rows would take hours. What it
writes still satisfies every constraint the services keep (Party-member leads, goal
directions, report lights from the same rule), and `lock_version`, `created_at` and
`updated_at` hold their normal values. No simple-history rows are written (so there are no
audit-chain entries for the bulk rows either), except for the few objects created through
ordinary saves (the campaign's scheme, types and areas).

The same seed gives the same data (names, numbers, tree, statuses); only timestamps such
as `created_at` differ between runs.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.translation import gettext as _

from taizhang.campaigns.models import (
    DEFAULT_FOCUS_AREAS,
    DEFAULT_PROJECT_TYPES,
    Campaign,
    Direction,
    FocusArea,
    GoalIndicator,
    Measure,
    MeasureStatus,
    Participant,
    ParticipantRole,
    Project,
    ProjectStatus,
    ProjectType,
)
from taizhang.checkins import rules
from taizhang.checkins.models import IndicatorReading, Period, ProgressReport, ReportStatus
from taizhang.orgs.models import Membership, Org, OrgKind, Person, PoliticalStatus, Role
from taizhang.orgs.services import pinyin_key
from taizhang.users.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2025
BATCH = 5000
# Bench logins are for local benchmark databases only, printed by the command.
DEFAULT_PASSWORD = "bench1234"  # noqa: S105


@dataclass(frozen=True)
class Scale:
    name: str
    branches: int
    people: int
    projects: int
    goals: int
    measures: int
    participants: int
    sectors: int
    companies: int


SCALES: dict[str, Scale] = {
    # PRODUCT.md "Scale to plan for": a Chinalco-sized group.
    "group": Scale("group", 5000, 150_000, 50_000, 150_000, 250_000, 100_000, 10, 200),
    # One company, about 1/50 of the group: what one SQLite machine serves (and CI).
    "company": Scale("company", 100, 3_000, 1_000, 3_000, 5_000, 2_000, 2, 4),
    "tiny": Scale("tiny", 6, 60, 12, 30, 50, 20, 1, 2),
}


@dataclass
class Counts:
    orgs: int = 0
    people: int = 0
    projects: int = 0
    goals: int = 0
    measures: int = 0
    participants: int = 0
    periods: int = 0
    reports: int = 0
    readings: int = 0
    users: int = 0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchLogin:
    username: str
    role: str
    org: str


def split_total(total: int, parts: int, rng: random.Random, low: int, high: int) -> list[int]:
    """`parts` integers in [low, high] summing exactly to `total` (when that is possible)."""
    if parts <= 0:
        return []
    low = min(low, total // parts)
    high = max(high, -(-total // parts))
    values = [rng.randint(low, high) for _ in range(parts)]
    diff = total - sum(values)
    index = 0
    # Walk the list nudging by one until the sum is exact; bounded by |diff| * parts steps.
    while diff:
        i = index % parts
        if diff > 0 and values[i] < high:
            values[i] += 1
            diff -= 1
        elif diff < 0 and values[i] > low:
            values[i] -= 1
            diff += 1
        index += 1
    rng.shuffle(values)
    return values


# --------------------------------------------------------------------------- names and texts

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国建华志强海峰晓东"
    "春梅文婷雪梅丹凤宇航思远浩然子涵雨欣佳怡一鸣嘉豪俊杰欣怡梓轩天宇晨曦国栋卫东新民永红金凤立新"
)
SECTOR_NAMES = [
    "稀有稀土板块", "铝业板块", "铜业板块", "能源板块", "工程技术板块", "贸易物流板块",
    "资本金融板块", "环保科技板块", "装备制造板块", "科研院所板块", "海外板块", "服务保障板块",
]  # fmt: skip
PLACES = (
    "四川", "凉山", "德昌", "冕宁", "西昌", "攀枝花", "包头", "赣州", "广西", "云南", "贵州", "山西",
    "河南", "山东", "青海", "甘肃", "宁夏", "重庆", "湖南", "江西", "福建", "广东", "辽宁", "内蒙古",
)  # fmt: skip
COMPANY_KINDS = ("稀土有限公司", "铝业有限公司", "矿业有限公司", "新材料有限公司", "贸易有限公司")
UNIT_KINDS = ("分公司", "冶炼厂", "选矿厂", "矿山", "研究院", "物流中心")
WORKSHOP_KINDS = ("一车间", "二车间", "三车间", "动力车间", "检修车间", "质检中心")
BRANCH_KINDS = (
    "第一党支部", "第二党支部", "第三党支部", "机关党支部", "生产党支部", "技术党支部",
    "营销党支部", "安全环保党支部", "后勤党支部", "退休党支部",
)  # fmt: skip
POSITIONS = ("工程师", "技术员", "会计", "操作工", "班组长", "安全员", "营销员", "质检员", "司机")
PROJECT_TOPICS = (
    ("稀土贸易", "实现年度目标利润"),
    ("独居石采购加工", "开辟新的贸易渠道"),
    ("银峰矿业", "低成本运行不亏损"),
    ("轻稀土资源整合", "推进与地方合作"),
    ("矿山生态修复", "消除安全隐患"),
    ("参股企业监管", "守住风险底线"),
    ("设备检修", "降低停机时间"),
    ("能耗管控", "降本节支"),
    ("产品质量", "提高一次合格率"),
    ("应收账款", "压降两金占用"),
    ("党员先锋岗", "带动班组创先争优"),
    ("安全生产", "实现零事故"),
)
GOAL_TEMPLATES = (
    ("利润", "万元", Direction.HIGHER, 100, 800),
    ("降本金额", "万元", Direction.HIGHER, 20, 300),
    ("产量", "吨", Direction.HIGHER, 500, 5000),
    ("一次合格率", "%", Direction.HIGHER, 90, 99),
    ("安全事故", "起", Direction.LOWER, 3, 0),
    ("单位能耗", "千克标煤/吨", Direction.LOWER, 800, 650),
    ("两金占用", "万元", Direction.LOWER, 2000, 1200),
)
MEASURE_VERBS = ("制定", "落实", "开展", "完善", "推进", "组织", "建立", "优化")
MEASURE_OBJECTS = (
    "专项工作方案", "周例会制度", "岗位练兵", "成本台账", "客户走访", "隐患排查",
    "技术攻关", "党员责任区", "考核办法", "应急预案",
)  # fmt: skip


def _person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.35:
        return surname + rng.choice(GIVEN)
    return surname + rng.choice(GIVEN) + rng.choice(GIVEN)


# --------------------------------------------------------------------------- the generator


@dataclass
class _Branch:
    org_id: int
    path: str
    people: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)


class BenchDataGenerator:
    def __init__(
        self,
        scale: Scale,
        *,
        seed: int = 1,
        password: str = DEFAULT_PASSWORD,
        log: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.scale = scale
        self.seed = seed
        self.password = password
        self.log = log
        self.counts = Counts()
        self.rng = random.Random(f"taizhang-bench-{scale.name}-{seed}")
        # With --force on a database that already has data, codes get a prefix so staff
        # numbers and project codes stay unique; an empty database gets none.
        self.prefix = ""
        self.branches: list[_Branch] = []
        self.logins: list[BenchLogin] = []

    # ------------------------------------------------------------------ driver

    def run(self) -> Counts:
        roots = Org.objects.get_root_nodes().count()
        if roots:
            self.prefix = f"R{roots + 1}-"
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # A bigger page cache for this connection only: index maintenance on the
                # large tables stays in memory.
                cursor.execute("PRAGMA cache_size = -262144")
        for name, step in (
            ("orgs", self._orgs),
            ("users", self._users),
            ("people", self._people),
            ("campaign", self._campaign),
            ("projects", self._projects),
        ):
            started = time.perf_counter()
            step()
            self.counts.timings[name] = time.perf_counter() - started
        if connection.vendor == "postgresql":
            # What autovacuum does soon after any bulk load, done now: a server with
            # autovacuum off (as on the bench machines) would otherwise plan every query
            # with the empty tables' statistics, e.g. a nested loop over 5,000 orgs each
            # scanning all 150,000 people (30 s per import lookup). SQLite is left as our
            # deployments run it, without statistics.
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.counts.timings["analyze"] = time.perf_counter() - started
        return self.counts

    # ------------------------------------------------------------------ org tree

    def _orgs(self) -> None:
        """group (1) → sectors (2) → companies (3) → branches at depth 4, 5 or 6: some
        companies hold branches directly, some through units, some through units and
        workshops."""
        scale, rng = self.scale, self.rng
        rows: list[Org] = []
        branch_rows: list[Org] = []

        def node(parent_path: str, depth: int, pos: int, name: str, kind: str) -> Org:
            path = Org._get_path(parent_path, depth, pos)
            org = Org(
                path=path,
                depth=depth,
                numchild=0,
                name=name,
                name_pinyin=pinyin_key(name),
                kind=kind,
                code=f"{self.prefix}{path}",
            )
            rows.append(org)
            if kind == OrgKind.BRANCH:
                branch_rows.append(org)
            return org

        last_root = Org.objects.get_last_root_node()
        root_pos = Org._str2int(last_root.path) + 1 if last_root else 1
        root = node("", 1, root_pos, _("中国有色金属示范集团"), OrgKind.GROUP)
        root.short_name = _("示范集团")
        sectors = [
            node(root.path, 2, i + 1, SECTOR_NAMES[i % len(SECTOR_NAMES)], OrgKind.SECTOR)
            for i in range(scale.sectors)
        ]
        root.numchild = len(sectors)
        per_company = split_total(scale.branches, scale.companies, rng, 5, 45)
        for index, n_branches in enumerate(per_company):
            sector = sectors[index % len(sectors)]
            sector.numchild += 1
            company_serial = index + 1
            company = node(
                sector.path,
                3,
                sector.numchild,
                f"{PLACES[company_serial % len(PLACES)]}{rng.choice(COMPANY_KINDS)}"
                f"（{company_serial}）",
                OrgKind.COMPANY,
            )
            layout = rng.random()
            if layout < 0.5 or n_branches < 4:
                holders = [company]
            else:
                units = [
                    node(
                        company.path,
                        4,
                        u + 1,
                        f"{company.name}{UNIT_KINDS[u % len(UNIT_KINDS)]}",
                        OrgKind.OTHER,
                    )
                    for u in range(min(rng.randint(2, 4), n_branches))
                ]
                company.numchild = len(units)
                holders = units
                if layout > 0.85 and n_branches >= 8:
                    holders = []
                    for unit in units:
                        for w in range(rng.randint(1, 2)):
                            unit.numchild += 1
                            holders.append(
                                node(
                                    unit.path,
                                    5,
                                    unit.numchild,
                                    f"{unit.name}{WORKSHOP_KINDS[w % len(WORKSHOP_KINDS)]}",
                                    OrgKind.OTHER,
                                )
                            )
            for b in range(n_branches):
                holder = holders[b % len(holders)]
                holder.numchild += 1
                node(
                    holder.path,
                    holder.depth + 1,
                    holder.numchild,
                    f"{holder.name}{BRANCH_KINDS[(b // len(holders)) % len(BRANCH_KINDS)]}"
                    + (f"{b // len(holders) // len(BRANCH_KINDS) + 1}" if b >= 10 else ""),
                    OrgKind.BRANCH,
                )
        with transaction.atomic():
            Org.objects.bulk_create(rows, batch_size=BATCH)
        self.root = root
        self.first_company = next(o for o in rows if o.kind == OrgKind.COMPANY)
        self.branches = [_Branch(org.pk, org.path) for org in branch_rows]
        self.branch_orgs = branch_rows
        self.counts.orgs = len(rows)
        self.log(_("组织 %(n)s 个（党支部 %(b)s 个）") % {"n": len(rows), "b": len(branch_rows)})

    # ------------------------------------------------------------------ people

    def _people(self) -> None:
        rng = self.rng
        sizes = split_total(self.scale.people, len(self.branches), rng, 12, 48)
        serial = 0
        batch: list[Person] = []
        owners: list[_Branch] = []
        # The lead login is the first branch's secretary, who leads its first project
        # (unless an earlier --force run already gave that login a person).
        lead_user = self.users["bench_lead"]
        link_lead = not Person.all_objects.filter(user=lead_user).exists()

        def flush() -> None:
            with transaction.atomic():
                created = Person.objects.bulk_create(batch, batch_size=BATCH)
            for person, branch in zip(created, owners, strict=True):
                branch.people.append(person.pk)
                if person.political_status in (
                    PoliticalStatus.MEMBER,
                    PoliticalStatus.PROBATIONARY,
                ):
                    branch.members.append(person.pk)
            batch.clear()
            owners.clear()

        for branch, size in zip(self.branches, sizes, strict=True):
            for i in range(size):
                serial += 1
                name = _person_name(rng)
                if i < 2:
                    # The secretary and one committee member: every branch has Party
                    # members to lead its projects (党员带头).
                    status = PoliticalStatus.MEMBER
                    position = _("书记") if i == 0 else _("委员")
                else:
                    roll = rng.random()
                    status = (
                        PoliticalStatus.MEMBER
                        if roll < 0.32
                        else PoliticalStatus.PROBATIONARY
                        if roll < 0.36
                        else PoliticalStatus.LEAGUE
                        if roll < 0.50
                        else PoliticalStatus.MASSES
                    )
                    position = rng.choice(POSITIONS)
                batch.append(
                    Person(
                        name=name,
                        name_pinyin=pinyin_key(name),
                        staff_no=f"{self.prefix}{serial:07d}",
                        org_id=branch.org_id,
                        political_status=status,
                        position=position,
                        user=lead_user if link_lead and serial == 1 else None,
                    )
                )
                owners.append(branch)
            if len(batch) >= 20_000:
                flush()
        if batch:
            flush()
        self.counts.people = serial
        self.log(_("人员 %(n)s 名") % {"n": serial})

    # ------------------------------------------------------------------ logins

    def _users(self) -> None:
        """A handful of logins for benchmarks and manual checks, one per typical role."""
        first_branch = self.branch_orgs[0]
        password_hash = make_password(self.password)
        specs = [
            ("bench_admin", _("系统管理员"), None, None),
            ("bench_group_admin", Role.ORG_ADMIN.label, self.root, Role.ORG_ADMIN),
            ("bench_group_viewer", Role.VIEWER.label, self.root, Role.VIEWER),
            ("bench_company_admin", Role.ORG_ADMIN.label, self.first_company, Role.ORG_ADMIN),
            ("bench_branch_admin", Role.ORG_ADMIN.label, first_branch, Role.ORG_ADMIN),
            ("bench_lead", Role.PROJECT_LEAD.label, first_branch, Role.PROJECT_LEAD),
        ]
        users: dict[str, User] = {}
        with transaction.atomic():
            for username, role_label, org, role in specs:
                user = User.objects.filter(username=username).first()
                if user is None:
                    user = User.objects.create(
                        username=username,
                        password=password_hash,
                        display_name=username,
                        is_superuser=username == "bench_admin",
                        is_staff=username == "bench_admin",
                    )
                    self.counts.users += 1
                users[username] = user
                if org is not None:
                    Membership.objects.bulk_create(
                        [Membership(user=user, org=org, role=role)], ignore_conflicts=True
                    )
                self.logins.append(BenchLogin(username, str(role_label), org.name if org else ""))
        self.users = users

    # ------------------------------------------------------------------ campaign

    def _campaign(self) -> None:
        actor = self.users["bench_group_admin"]
        with transaction.atomic():
            campaign = Campaign(
                org_id=self.root.pk,
                name=_("%(year)s年“两带两创”活动（压测数据）") % {"year": YEAR},
                year=YEAR,
                start_date=dt.date(YEAR, 1, 1),
                end_date=dt.date(YEAR, 12, 31),
            )
            campaign._history_user = actor  # type: ignore[attr-defined]
            campaign.save()
            self.types = []
            for order, (name, short) in enumerate(DEFAULT_PROJECT_TYPES):
                item = ProjectType(
                    campaign=campaign,
                    name=name,
                    short_name=short,
                    order=order,
                    is_benefit="创效" in name,
                )
                item._history_user = actor  # type: ignore[attr-defined]
                item.save()
                self.types.append(item)
            self.areas = []
            for order, name in enumerate(DEFAULT_FOCUS_AREAS):
                area = FocusArea(campaign=campaign, name=name, order=order)
                area._history_user = actor  # type: ignore[attr-defined]
                area.save()
                self.areas.append(area)
            self.periods = []
            for quarter in range(4):
                start = dt.date(YEAR, quarter * 3 + 1, 1)
                end = (
                    dt.date(YEAR, quarter * 3 + 4, 1) - dt.timedelta(days=1)
                    if quarter < 3
                    else dt.date(YEAR, 12, 31)
                )
                period = Period(
                    campaign=campaign,
                    name=_("%(year)s年第%(quarter)s季度") % {"year": YEAR, "quarter": quarter + 1},
                    start_date=start,
                    end_date=end,
                    deadline=end + dt.timedelta(days=campaign.report_deadline_days),
                )
                period._history_user = actor  # type: ignore[attr-defined]
                period.save()
                self.periods.append(period)
            self._scheme(campaign, actor)
        self.campaign = campaign
        self.thresholds = rules.Thresholds(
            amber_after=campaign.amber_after, red_after=campaign.red_after
        )
        self.counts.periods = len(self.periods)

    def _scheme(self, campaign: Campaign, actor: User) -> None:
        """The default scoring scheme, through the service (a few dozen rows), so that the
        assessment roll-up can be benchmarked on this data."""
        from taizhang.assessment.services import default_scheme_spec, scheme_create

        scheme_create(actor=actor, campaign=campaign, spec=default_scheme_spec())

    # ------------------------------------------------------------------ projects and below

    def _projects(self) -> None:
        scale, rng = self.scale, self.rng
        per_branch = split_total(scale.projects, len(self.branches), rng, 4, 16)
        goals = split_total(scale.goals, scale.projects, rng, 1, 5)
        measures = split_total(scale.measures, scale.projects, rng, 2, 8)
        participants = split_total(scale.participants, scale.projects, rng, 0, 4)
        serial = 0
        chunk: list[tuple[_Branch, int]] = []
        for branch, count in zip(self.branches, per_branch, strict=True):
            for _i in range(count):
                chunk.append((branch, serial))
                serial += 1
                if len(chunk) >= 2000:
                    self._project_chunk(chunk, goals, measures, participants)
                    chunk = []
                    if self.counts.projects % 10_000 == 0:
                        self._log_projects()
        if chunk:
            self._project_chunk(chunk, goals, measures, participants)
            self._log_projects()

    def _log_projects(self) -> None:
        self.log(
            _("项目 %(projects)s 个，进展报告 %(reports)s 份，指标实际值 %(readings)s 条")
            % {
                "projects": self.counts.projects,
                "reports": self.counts.reports,
                "readings": self.counts.readings,
            }
        )

    def _project_chunk(
        self,
        chunk: Sequence[tuple[_Branch, int]],
        goals_per: Sequence[int],
        measures_per: Sequence[int],
        participants_per: Sequence[int],
    ) -> None:
        rng = self.rng
        statuses = (
            [ProjectStatus.IN_PROGRESS] * 80
            + [ProjectStatus.COMPLETED] * 10
            + [ProjectStatus.APPROVED] * 6
            + [ProjectStatus.TERMINATED] * 4
        )
        projects: list[Project] = []
        plans: list[dict] = []
        for branch, serial in chunk:
            topic, aim = PROJECT_TOPICS[rng.randrange(len(PROJECT_TOPICS))]
            project_type = self.types[serial % len(self.types)]
            is_first = serial == 0
            lead = branch.members[0] if is_first else rng.choice(branch.members)
            start = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randint(0, 59))
            end = dt.date(YEAR, 12, 31) - dt.timedelta(days=rng.randint(0, 45))
            projects.append(
                Project(
                    campaign_id=self.campaign.pk,
                    org_id=branch.org_id,
                    code=f"{self.prefix}LD{YEAR}-{serial + 1:06d}",
                    title=f"{topic}：{aim}（{serial + 1}）",
                    project_type_id=project_type.pk,
                    focus_area_id=self.areas[rng.randrange(len(self.areas))].pk,
                    rationale=_("围绕%(topic)s选题，党支部负责、党员带头、群众参与。")
                    % {"topic": topic},
                    plan=_("一、目标：%(aim)s；二、措施：分解任务、责任到人、按季检查。")
                    % {"aim": aim},
                    lead_id=lead,
                    start_date=start,
                    end_date=end,
                    status=ProjectStatus.IN_PROGRESS if is_first else rng.choice(statuses),
                )
            )
            plans.append(
                {
                    "branch": branch,
                    "lead": lead,
                    "goals": goals_per[serial],
                    "measures": measures_per[serial],
                    "participants": participants_per[serial],
                    # How well this project goes: most on plan, some behind (amber, red).
                    "pace": rng.choice((0.55, 0.75, 0.9, 1.0, 1.0, 1.05, 1.1, 1.2)),
                }
            )
        with transaction.atomic():
            Project.objects.bulk_create(projects, batch_size=BATCH)
            goal_rows = self._goals(projects, plans)
            self._measures(projects, plans)
            self._participants(projects, plans)
            self._reports(projects, plans, goal_rows)
        self.counts.projects += len(projects)

    def _goals(self, projects: list[Project], plans: list[dict]) -> list[list[GoalIndicator]]:
        rng = self.rng
        rows: list[GoalIndicator] = []
        owners: list[int] = []
        for index, (project, plan) in enumerate(zip(projects, plans, strict=True)):
            for order in range(plan["goals"]):
                name, unit, direction, base, target = GOAL_TEMPLATES[
                    rng.randrange(len(GOAL_TEMPLATES))
                ]
                factor = Decimal(rng.randint(80, 120)) / 100
                baseline = (Decimal(base) * factor).quantize(Decimal("0.01"))
                goal_target = (Decimal(target) * factor).quantize(Decimal("0.01"))
                if goal_target == baseline:  # a "0 → 0" lower-is-better goal
                    baseline += 1
                rows.append(
                    GoalIndicator(
                        project_id=project.pk,
                        name=f"{name}{'' if order == 0 else order + 1}",
                        unit=unit,
                        baseline=baseline,
                        target=goal_target,
                        direction=direction,
                        weight=Decimal(rng.choice((1, 1, 1, 2, 3))),
                        order=order,
                    )
                )
                owners.append(index)
        GoalIndicator.objects.bulk_create(rows, batch_size=BATCH)
        by_project: list[list[GoalIndicator]] = [[] for _p in projects]
        for goal, index in zip(rows, owners, strict=True):
            by_project[index].append(goal)
        self.counts.goals += len(rows)
        return by_project

    def _measures(self, projects: list[Project], plans: list[dict]) -> None:
        rng = self.rng
        rows: list[Measure] = []
        for project, plan in zip(projects, plans, strict=True):
            people = plan["branch"].people
            span = (project.end_date - project.start_date).days
            for order in range(plan["measures"]):
                start = project.start_date + dt.timedelta(days=rng.randint(0, span // 3))
                due = start + dt.timedelta(days=rng.randint(30, max(31, span - span // 3)))
                due = min(due, project.end_date)
                percent = min(100, int(rng.randint(20, 100) * plan["pace"]))
                status = (
                    MeasureStatus.DONE
                    if percent == 100
                    else MeasureStatus.DELAYED
                    if plan["pace"] < 0.8
                    else MeasureStatus.IN_PROGRESS
                )
                rows.append(
                    Measure(
                        project_id=project.pk,
                        description=f"{rng.choice(MEASURE_VERBS)}{rng.choice(MEASURE_OBJECTS)}",
                        owner_id=rng.choice(people),
                        start_date=start,
                        due_date=due,
                        status=status,
                        percent_complete=percent,
                        order=order,
                    )
                )
        Measure.objects.bulk_create(rows, batch_size=BATCH)
        self.counts.measures += len(rows)

    def _participants(self, projects: list[Project], plans: list[dict]) -> None:
        rng = self.rng
        rows: list[Participant] = []
        roles = list(ParticipantRole.values)
        for project, plan in zip(projects, plans, strict=True):
            candidates = [p for p in plan["branch"].people if p != plan["lead"]]
            for person in rng.sample(candidates, min(plan["participants"], len(candidates))):
                rows.append(
                    Participant(
                        project_id=project.pk,
                        person_id=person,
                        role=rng.choice(roles),
                        can_report=rng.random() < 0.2,
                    )
                )
        Participant.objects.bulk_create(rows, batch_size=BATCH)
        self.counts.participants += len(rows)

    def _reports(
        self,
        projects: list[Project],
        plans: list[dict],
        goals: list[list[GoalIndicator]],
    ) -> None:
        """Four quarterly reports per project with a reading per goal; attainment, elapsed
        share and light come from checkins.rules exactly as report_submit computes them."""
        rng = self.rng
        lead_user = self.users["bench_lead"].pk
        reviewer = self.users["bench_branch_admin"].pk
        reports: list[ProgressReport] = []
        readings: list[list[IndicatorReading]] = []
        places = Decimal("0.0001")
        for project, plan, project_goals in zip(projects, plans, goals, strict=True):
            previous: str | None = None
            for number, period in enumerate(self.periods):
                last = number == len(self.periods) - 1
                roll = rng.random()
                if last:
                    status = (
                        ReportStatus.DRAFT
                        if roll < 0.4
                        else ReportStatus.ACCEPTED
                        if roll < 0.5
                        else ReportStatus.SUBMITTED
                    )
                else:
                    status = (
                        ReportStatus.ACCEPTED
                        if roll < 0.85
                        else ReportStatus.RETURNED
                        if roll < 0.9
                        else ReportStatus.SUBMITTED
                    )
                elapsed = rules.elapsed_share(
                    start=project.start_date, end=project.end_date, as_of=period.end_date
                )
                noise = Decimal(rng.randint(-8, 8)) / 100
                share = max(Decimal(0), elapsed * Decimal(str(plan["pace"])) + noise)
                rows = []
                pairs = []
                for goal in project_goals:
                    actual = (goal.baseline + (goal.target - goal.baseline) * share).quantize(
                        Decimal("0.01")
                    )
                    rows.append(IndicatorReading(goal_id=goal.pk, actual=actual))
                    pairs.append(
                        (
                            rules.attainment(
                                baseline=goal.baseline, target=goal.target, actual=actual
                            ),
                            goal.weight,
                        )
                    )
                report = ProgressReport(
                    project_id=project.pk,
                    period_id=period.pk,
                    status=status,
                    progress=_("按计划推进，本季度完成阶段任务。"),
                    problems=_("个别措施进度滞后。") if plan["pace"] < 0.8 else "",
                    next_steps=_("加强督导，确保完成年度目标。"),
                )
                if status != ReportStatus.DRAFT:
                    attained = rules.weighted_attainment(pairs)
                    light = rules.status_light(
                        attainment_share=attained,
                        elapsed=elapsed,
                        previous=previous,
                        thresholds=self.thresholds,
                    )
                    previous = light
                    late = rng.random() < 0.08
                    day = period.deadline + dt.timedelta(
                        days=rng.randint(1, 12) if late else -rng.randint(0, 9)
                    )
                    report.revision = 2 if status == ReportStatus.RETURNED else 1
                    report.submitted_at = dt.datetime.combine(day, dt.time(10), SHANGHAI)
                    report.submitted_by_id = lead_user
                    report.is_late = late
                    report.attainment = attained.quantize(places) if attained is not None else None
                    report.elapsed = elapsed.quantize(places)
                    report.computed_light = light
                    if status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
                        report.reviewed_at = report.submitted_at + dt.timedelta(days=2)
                        report.reviewed_by_id = reviewer
                        if status == ReportStatus.RETURNED:
                            report.review_comment = _("请补充佐证材料。")
                reports.append(report)
                readings.append(rows)
        ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
        flat: list[IndicatorReading] = []
        for report, rows in zip(reports, readings, strict=True):
            for row in rows:
                row.report_id = report.pk
                flat.append(row)
        IndicatorReading.objects.bulk_create(flat, batch_size=BATCH)
        self.counts.reports += len(reports)
        self.counts.readings += len(flat)
