"""From an uploaded ledger to a plan: what each row would create or change, or why it can't.

The dry run shows the plan; the import runs the same planning again and then calls the
campaign services: new projects in batches (projects_create_bulk), changes row by row.
Rows are matched to projects by 项目编号 (or, when a row has no code, by an identical
项目名称 in the campaign). Values equal to what is stored are no
change, so re-importing an exported ledger writes nothing. An import never deletes: goals,
measures and participants missing from the file are left alone, and an empty optional cell
keeps what is stored.
"""

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from taizhang.campaigns import permissions as perms
from taizhang.campaigns.models import (
    Campaign,
    Direction,
    GoalIndicator,
    Measure,
    MeasureStatus,
    Participant,
    ParticipantRole,
    Project,
    ProjectStatus,
    ProjectType,
)
from taizhang.campaigns.services import (
    GoalInput,
    MeasureInput,
    _validated_goal,
    _validated_measure,
)
from taizhang.core.exceptions import DomainError
from taizhang.orgs.models import PARTY_MEMBER_STATUSES, Org, Person, PoliticalStatus
from taizhang.orgs.permissions import ADMIN_ROLES, can_manage_org, has_role, org_scope_q

from .headers import GOAL_FIELDS, MEASURE_FIELDS, PROJECT_FIELDS
from .models import LedgerImport
from .parsing import (
    CellError,
    GoalLine,
    clean_text,
    is_blank,
    nfkc,
    parse_date,
    parse_decimal,
    parse_goal_line,
    parse_percent,
    parse_person_ref,
    split_items,
    split_people,
)
from .reader import Workbook, classify_row

Progress = Callable[[float, str], None]
REPORT_LIST_LIMIT = 2000
QUERY_CHUNK = 500
QUANT = Decimal("0.0001")

STATUS_ORDER = [
    ProjectStatus.DRAFT,
    ProjectStatus.SUBMITTED,
    ProjectStatus.APPROVED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.COMPLETED,
]
STEP_ACTION = {
    (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED): "submit",
    (ProjectStatus.SUBMITTED, ProjectStatus.APPROVED): "approve",
    (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS): "start",
    (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED): "complete",
}
ADMIN_ACTIONS = {"approve", "complete", "terminate", "return"}
# How offices write 政治面貌 besides the full labels.
POLITICAL_STATUS_SHORT = {
    "党员": PoliticalStatus.MEMBER,
    "预备党员": PoliticalStatus.PROBATIONARY,
    "团员": PoliticalStatus.LEAGUE,
}


def field_label(key: str, fields=PROJECT_FIELDS) -> str:
    return next((str(spec.label) for spec in fields if spec.key == key), key)


def choice_lookup(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Label → value in every configured language, plus the values themselves, so a ledger
    exported in English imports in Chinese and the reverse."""
    pairs = list(choices)
    lookup: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in pairs:
                lookup[_key(str(label))] = value
    for value, _label in pairs:
        lookup[_key(value)] = value
    return lookup


def _key(text: Any) -> str:
    return nfkc(clean_text(text)).replace(" ", "").lower()


def _same_text(stored: str, new: str) -> bool:
    return clean_text(stored) == clean_text(new)


def _dec(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(QUANT)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f")
            if value == value.to_integral()
            else str(value.normalize())
        )
    if isinstance(value, Person):
        return value.name
    return str(value)


# --------------------------------------------------------------------------- plan rows


@dataclass
class GoalOp:
    data: GoalInput
    goal: GoalIndicator | None = None  # None: add


@dataclass
class MeasureOp:
    data: MeasureInput
    measure: Measure | None = None


@dataclass
class ParticipantOp:
    person: Person
    role: str
    participant: Participant | None = None


@dataclass
class NewPerson:
    """A person the ledger names who is not registered anywhere the actor can see. With the
    "登记未登记的人员" option the import registers them (orgs.services.person_create) in the
    org of the row that names them, in the same transaction as the projects.

    `person` is an unsaved stand-in, the same instance in every row that names them, so
    the rows plan as if the person existed; the import swaps in the saved record."""

    person: Person
    org: Org
    # (row, "牵头人：" or "参与人员：") for every mention, in file order.
    mentions: list[tuple["RowPlan", str]] = field(default_factory=list)
    lead_rows: list["RowPlan"] = field(default_factory=list)
    other_orgs: list[Org] = field(default_factory=list)
    column_statuses: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def rows(self) -> list["RowPlan"]:
        seen: list[RowPlan] = []
        for row, _label in self.mentions:
            if all(row is not other for other in seen):
                seen.append(row)
        return seen

    def decide_status(self) -> tuple[str, str]:
        """The political status to register and why. A 政治面貌 column wins; otherwise a
        named lead is taken for a Party member (党员带头: members lead the projects) and
        everyone else for non-Party staff."""
        if len(self.column_statuses) == 1:
            status = next(iter(self.column_statuses))
            return status, _("按文件中的“政治面貌”")
        if self.lead_rows:
            return PoliticalStatus.MEMBER, _("项目牵头人，按“党员带头”视为中共党员")
        return PoliticalStatus.MASSES, _("参与人员，视为群众")


@dataclass
class RowPlan:
    sheet: str
    row: int
    title: str = ""
    code: str = ""
    project: Project | None = None
    create: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)
    change_texts: list[list[str]] = field(default_factory=list)
    goal_ops: list[GoalOp] = field(default_factory=list)
    measure_ops: list[MeasureOp] = field(default_factory=list)
    participant_ops: list[ParticipantOp] = field(default_factory=list)
    transitions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    code_generated: bool = False
    # Unregistered people the row names: bad unless the import may register them.
    unregistered: list[str] = field(default_factory=list)
    register_unknown: bool = False

    @property
    def action(self) -> str:
        if self.unregistered and not self.register_unknown:
            return "error"
        return self.planned_action

    @property
    def planned_action(self) -> str:
        """What the row does once its unregistered people are registered."""
        if self.errors:
            return "error"
        if self.project is None:
            return "create"
        if (
            self.changes
            or self.goal_ops
            or self.measure_ops
            or self.participant_ops
            or self.transitions
        ):
            return "update"
        return "unchanged"

    def note(self, label: str, old: Any, new: Any) -> None:
        self.change_texts.append([label, _show(old), _show(new)])


@dataclass
class DetailIssue:
    sheet: str
    row: int
    messages: list[str]


@dataclass
class Plan:
    rows: list[RowPlan]
    detail_errors: list[DetailIssue]
    skipped: list[dict]
    sheet: str
    new_people: list[NewPerson] = field(default_factory=list)
    register_unknown: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.detail_errors) or any(r.action == "error" for r in self.rows)

    @property
    def clean_if_registered(self) -> bool:
        """Only unregistered people stand in the way: the option would make the file clean."""
        return (
            bool(self.new_people)
            and not self.detail_errors
            and not any(r.errors for r in self.rows)
        )

    def registrations(self) -> list[dict]:
        result = []
        for new in self.new_people:
            _status, basis = new.decide_status()
            result.append(
                {
                    "name": new.name,
                    "org": new.org.name,
                    "status": new.person.get_political_status_display(),
                    "basis": str(basis),
                    "rows": "、".join(str(r.row) for r in new.rows),
                }
            )
        return result

    def report(self) -> dict:
        counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
        creates, updates, errors, warnings = [], [], [], []
        for row in self.rows:
            counts[row.action] += 1
            head = {"sheet": row.sheet, "row": row.row, "code": row.code, "title": row.title}
            messages = row.errors + ([] if row.register_unknown else row.unregistered)
            if messages:
                errors.append({**head, "messages": messages})
            if row.warnings:
                warnings.append({**head, "messages": row.warnings})
            if row.action == "create":
                creates.append(
                    {
                        **head,
                        "org": _show(row.create.get("org")),
                        "lead": _show(row.create.get("lead")),
                        "goals": len(row.goal_ops),
                        "measures": len(row.measure_ops),
                        "participants": len(row.participant_ops),
                        "status": _show(_reached(ProjectStatus.DRAFT, row.transitions)),
                    }
                )
            elif row.action == "update":
                updates.append({**head, "changes": row.change_texts})
        for issue in self.detail_errors:
            errors.append(
                {
                    "sheet": issue.sheet,
                    "row": issue.row,
                    "code": "",
                    "title": "",
                    "messages": issue.messages,
                }
            )
        counts["error"] = len(errors)
        counts["skipped"] = len(self.skipped)
        counts["register"] = len(self.new_people)
        errors.sort(key=lambda e: (e["sheet"] != self.sheet, e["sheet"], e["row"]))
        return {
            "sheet": self.sheet,
            "counts": counts,
            "errors": errors,
            "warnings": warnings,
            "creates": creates[:REPORT_LIST_LIMIT],
            "updates": updates[:REPORT_LIST_LIMIT],
            "more_creates": max(len(creates) - REPORT_LIST_LIMIT, 0),
            "more_updates": max(len(updates) - REPORT_LIST_LIMIT, 0),
            "skipped": self.skipped[:REPORT_LIST_LIMIT],
            "registrations": self.registrations()[:REPORT_LIST_LIMIT],
            "register_unknown": self.register_unknown,
            "clean_if_registered": self.clean_if_registered,
        }

    def digest(self) -> str:
        """A fingerprint of what the import would do: the import refuses to run when the
        ledger changed since the dry run the user looked at. It does not depend on the
        register option, so ticking it after the dry run does not make the dry run stale;
        the people it would register are part of it."""
        payload: list[Any] = [
            (
                row.row,
                row.planned_action,
                row.code,
                row.change_texts,
                len(row.goal_ops),
                len(row.measure_ops),
                len(row.participant_ops),
                row.transitions,
            )
            for row in self.rows
        ]
        payload.append(
            [(new.name, new.org.pk, new.person.political_status) for new in self.new_people]
        )
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


_TARGET_OF = {
    "submit": ProjectStatus.SUBMITTED,
    "approve": ProjectStatus.APPROVED,
    "start": ProjectStatus.IN_PROGRESS,
    "complete": ProjectStatus.COMPLETED,
    "terminate": ProjectStatus.TERMINATED,
}


# --------------------------------------------------------------------------- context


class Lookups:
    """Everything the rows refer to, read in a fixed number of queries (chunked by 500
    names or codes), never one query per row."""

    def __init__(self, *, actor, campaign: Campaign) -> None:
        self.actor = actor
        self.campaign = campaign
        self.types: dict[str, ProjectType] = {}
        for item in campaign.project_types.all():
            self.types.setdefault(_key(item.name), item)
            if item.short_name:
                self.types.setdefault(_key(item.short_name), item)
        self.type_names = [t.name for t in campaign.project_types.all()]
        self.areas = {_key(a.name): a for a in campaign.focus_areas.all()}
        self.area_names = [a.name for a in campaign.focus_areas.all()]
        self.orgs: dict[str, list[Org]] = defaultdict(list)
        for org in Org.objects.filter(path__startswith=campaign.org.path).order_by("path"):
            self.orgs[_key(org.name)].append(org)
            if org.short_name and _key(org.short_name) != _key(org.name):
                self.orgs[_key(org.short_name)].append(org)
        self.people_by_name: dict[str, list[Person]] = defaultdict(list)
        self.people_by_staff_no: dict[str, Person] = {}
        self.statuses = choice_lookup(ProjectStatus.choices)
        self.roles = choice_lookup(ParticipantRole.choices)
        self.directions = choice_lookup(Direction.choices)
        self.measure_statuses = choice_lookup(MeasureStatus.choices)
        self.political_statuses = choice_lookup(PoliticalStatus.choices)
        for short, value in POLITICAL_STATUS_SHORT.items():
            self.political_statuses.setdefault(_key(short), value)

    def load_people(self, refs: set[str]) -> None:
        """People the ledger names, visible to the actor and inside the campaign's tree."""
        names, staff_nos = set(), set()
        for ref in refs:
            name, qualifier = parse_person_ref(ref)
            names.add(name)
            if qualifier:
                staff_nos.add(qualifier)
        scope = Person.objects.filter(
            org_scope_q(self.actor), org__path__startswith=self.campaign.org.path
        ).select_related("org")
        for chunk in _chunks(sorted(names)):
            for person in scope.filter(name__in=chunk):
                self.people_by_name[person.name].append(person)
        for chunk in _chunks(sorted(staff_nos)):
            for person in scope.filter(staff_no__in=chunk):
                self.people_by_staff_no[person.staff_no] = person

    def person(self, ref: str) -> tuple[Person | None, str | None]:
        """The one person a "姓名" or "姓名(工号)" names, or the reason there is none."""
        name, qualifier = parse_person_ref(ref)
        if qualifier and _key(qualifier) not in self.roles:
            person = self.people_by_staff_no.get(qualifier)
            if person is None or person.name != name:
                return None, _("找不到人员“%(ref)s”（姓名与工号不符，或不在您的管理范围内）。") % {
                    "ref": ref
                }
            return person, None
        candidates = self.people_by_name.get(name, [])
        if not candidates:
            return None, _(
                "找不到人员“%(name)s”：须是已登记、在本活动组织范围内且您可以查看的人员。"
            ) % {"name": name}
        if len(candidates) > 1:
            return None, _(
                "有 %(n)s 位名为“%(name)s”的人员，请写成“姓名(工号)”，例如 %(example)s。"
            ) % {
                "n": len(candidates),
                "name": name,
                "example": f"{name}({candidates[0].staff_no})",
            }
        return candidates[0], None

    def is_unregistered(self, ref: str) -> bool:
        """True when a plain "姓名" (or "姓名(角色)") matches nobody: the only case the import
        may register. A staff number that matches nobody, or a name shared by several
        people, stays an error: registering would guess."""
        name, qualifier = parse_person_ref(ref)
        if qualifier and _key(qualifier) not in self.roles:
            return False
        return bool(name) and not self.people_by_name.get(name)

    def org(self, text: str) -> tuple[Org | None, str | None]:
        matches = self.orgs.get(_key(text), [])
        if not matches:
            return None, _("找不到责任组织“%(name)s”（须在本活动“%(campaign)s”的组织范围内）。") % {
                "name": text,
                "campaign": self.campaign.name,
            }
        if len(matches) > 1:
            return None, _("有多个名为“%(name)s”的组织，请写全称。") % {"name": text}
        return matches[0], None


def _chunks(items: list, size: int = QUERY_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_projects(actor, campaign: Campaign, *, codes: set[str], titles: set[str]):
    """Visible projects of the campaign named by code or title, with their goals,
    measures and participants; plus codes taken by projects the actor cannot see."""
    base = (
        perms.projects_visible_to(actor)
        .filter(campaign=campaign)
        .select_related(
            "org", "lead", "lead__org", "project_type", "focus_area", "campaign", "campaign__org"
        )
        .prefetch_related(
            Prefetch("goals", queryset=GoalIndicator.objects.order_by("order", "id")),
            Prefetch(
                "measures", queryset=Measure.objects.select_related("owner").order_by("order", "id")
            ),
            Prefetch(
                "participants", queryset=Participant.objects.select_related("person").order_by("id")
            ),
        )
    )
    by_code: dict[str, Project] = {}
    for chunk in _chunks(sorted(codes)):
        for project in base.filter(code__in=chunk):
            by_code[project.code] = project
    hidden: set[str] = set()
    for chunk in _chunks(sorted(codes - set(by_code))):
        hidden.update(
            Project.objects.filter(campaign=campaign, code__in=chunk).values_list("code", flat=True)
        )
    by_title: dict[str, list[Project]] = defaultdict(list)
    for chunk in _chunks(sorted(titles)):
        for project in base.filter(title__in=chunk):
            by_title[project.title].append(project)
    return by_code, hidden, by_title


# --------------------------------------------------------------------------- reading


@dataclass
class SourceRow:
    sheet: str
    row: int
    values: dict[str, Any]


def _columns(mapping: dict) -> dict[int, str]:
    return {
        int(col): key
        for col, key in (mapping.get("columns") or {}).items()
        if key and key != "ignore"
    }


def read_rows(
    book: Workbook, sheet: dict, columns: dict[int, str], *, limit: int, skipped: list[dict] | None
) -> list[SourceRow]:
    """Data rows of one sheet as {field: raw value}, leaving out blank rows, section
    headings, totals and the template's example row (noted in `skipped`)."""
    fields: list[str | None] = [None] * (max(columns, default=-1) + 1)
    for col, key in columns.items():
        fields[col] = key
    # 序号 is never imported, but it marks the template's example row ("示例").
    detected = sheet.get("fields") or []
    if "seq" in detected and "seq" not in fields:
        seq_col = detected.index("seq")
        if seq_col >= len(fields):
            fields.extend([None] * (seq_col + 1 - len(fields)))
        if fields[seq_col] is None:
            fields[seq_col] = "seq"
    rows: list[SourceRow] = []
    reasons = {
        "section": _("分类标题行"),
        "total": _("合计行"),
        "example": _("示例行"),
    }
    for number, values in book.rows(sheet["name"], start=sheet["data_row"]):
        kind = classify_row(values, fields)
        if kind is not None:
            if kind != "blank" and skipped is not None:
                text = next((clean_text(v) for v in values if not is_blank(v)), "")
                skipped.append(
                    {
                        "sheet": sheet["name"],
                        "row": number,
                        "reason": str(reasons[kind]),
                        "text": text[:80],
                    }
                )
            continue
        rows.append(
            SourceRow(
                sheet=sheet["name"],
                row=number,
                values={key: values[col] for col, key in columns.items() if col < len(values)},
            )
        )
        if len(rows) > limit:
            raise DomainError(
                _("文件的数据行超过上限 %(n)s 行，请拆分后分批导入。") % {"n": limit},
                "too_many_rows",
            )
    return rows


def _detail_columns(sheet: dict, specs) -> dict[int, str]:
    return {
        col: key
        for col, key in enumerate(sheet.get("fields") or [])
        if key and any(s.key == key for s in specs)
    }


# --------------------------------------------------------------------------- planning


def build_plan(
    *,
    actor,
    ledger_import: LedgerImport,
    progress: Progress | None = None,
    register_unknown: bool = False,
) -> Plan:
    """Read the upload and work out every row's outcome; writes nothing. People the file
    names who are not registered are listed with where and as what they would be
    registered; they make their rows bad unless `register_unknown`."""
    report_progress = progress or (lambda percent, message: None)
    campaign = ledger_import.campaign
    layout = ledger_import.layout
    mapping = ledger_import.mapping
    columns = _columns(mapping)
    limit = int(settings.TAIZHANG_IMPORT_MAX_ROWS)
    skipped: list[dict] = []
    report_progress(2, _("正在读取文件……"))
    with ledger_import.file.open("rb") as handle, Workbook(handle) as book:
        project_rows = read_rows(book, layout["projects"], columns, limit=limit, skipped=skipped)
        goal_rows: list[SourceRow] = []
        measure_rows: list[SourceRow] = []
        if layout.get("goals") and "goals" not in columns.values():
            goal_rows = read_rows(
                book,
                layout["goals"],
                _detail_columns(layout["goals"], GOAL_FIELDS),
                limit=limit * 20,
                skipped=None,
            )
        if layout.get("measures") and "measures" not in columns.values():
            measure_rows = read_rows(
                book,
                layout["measures"],
                _detail_columns(layout["measures"], MEASURE_FIELDS),
                limit=limit * 20,
                skipped=None,
            )
    if not project_rows:
        raise DomainError(_("文件中没有项目数据：表头下面没有内容。"), "no_rows")
    report_progress(20, _("正在核对人员、组织和已有项目……"))
    planner = Planner(actor=actor, campaign=campaign, mapping=mapping, columns=columns)
    planner.prepare(project_rows, goal_rows, measure_rows)
    rows: list[RowPlan] = []
    total = len(project_rows)
    for index, source in enumerate(project_rows, start=1):
        rows.append(planner.plan_row(source))
        if index % 100 == 0 or index == total:
            report_progress(
                25 + 70 * index / max(total, 1),
                _("正在检查第 %(n)s / %(total)s 行……") % {"n": index, "total": total},
            )
    planner.check_duplicates(rows)
    planner.assign_codes(rows)
    new_people = planner.settle_new_people()
    for row in rows:
        row.register_unknown = register_unknown
    return Plan(
        rows=rows,
        detail_errors=planner.detail_errors,
        skipped=skipped,
        sheet=layout["projects"]["name"],
        new_people=new_people,
        register_unknown=register_unknown,
    )


class Planner:
    def __init__(
        self, *, actor, campaign: Campaign, mapping: dict, columns: dict[int, str]
    ) -> None:
        self.actor = actor
        self.campaign = campaign
        self.mapping = mapping
        self.mapped = set(columns.values())
        self.look = Lookups(actor=actor, campaign=campaign)
        self.labels = {spec.key: str(spec.label) for spec in PROJECT_FIELDS}
        # Defaults chosen on the column page, read again through the campaign (ids only
        # are stored, and the campaign's lists may have changed since).
        self.default_org = _pick(
            mapping.get("default_org"), Org.objects.filter(path__startswith=campaign.org.path)
        )
        self.default_type = _pick(mapping.get("default_type"), campaign.project_types.all())
        self.default_area = _pick(mapping.get("default_area"), campaign.focus_areas.all())
        self.goals_by_code: dict[str, list[SourceRow]] = defaultdict(list)
        self.measures_by_code: dict[str, list[SourceRow]] = defaultdict(list)
        self.detail_errors: list[DetailIssue] = []
        self.by_code: dict[str, Project] = {}
        self.hidden_codes: set[str] = set()
        self.by_title: dict[str, list[Project]] = {}
        self.new_people: dict[str, NewPerson] = {}
        # What a new row's goals and measures are validated against (the validators only
        # attach it to the throwaway objects they build): one for the file, not one per row.
        self.stub_project = Project(campaign=campaign)

    # ---- people not registered yet

    def _person(
        self,
        plan: RowPlan,
        ref: str,
        *,
        org: Org | None,
        label: str,
        as_lead: bool = False,
        column_status: str | None = None,
    ) -> tuple[Person | None, str | None]:
        """The person `ref` names, or a stand-in for one to register in `org` (the row's
        org), or the reason there is neither."""
        person, error = self.look.person(ref)
        if person is not None or org is None or not self.look.is_unregistered(ref):
            return person, error
        name, _qualifier = parse_person_ref(ref)
        new = self.new_people.get(name)
        if new is None:
            new = NewPerson(
                person=Person(name=name, org=org, political_status=PoliticalStatus.MASSES),
                org=org,
            )
            self.new_people[name] = new
        elif new.org.pk != org.pk and all(o.pk != org.pk for o in new.other_orgs):
            new.other_orgs.append(org)
        # The row's message is written once the status is settled (settle_new_people);
        # once per row, though a lead may also be listed among the participants.
        if all(row is not plan for row, _label in new.mentions):
            new.mentions.append((plan, label))
        if as_lead and all(plan is not row for row in new.lead_rows):
            new.lead_rows.append(plan)
        if column_status:
            new.column_statuses.add(column_status)
        return new.person, None

    def settle_new_people(self) -> list[NewPerson]:
        """Decide each unregistered person's status once every row is read, and turn what
        can't be registered into row errors. Returns the people the import may register."""
        ready: list[NewPerson] = []
        for new in self.new_people.values():
            status, _basis = new.decide_status()
            new.person.political_status = status
            problem = ""
            if new.other_orgs:
                problem = _(
                    "“%(name)s”未登记，且出现在不同组织（%(orgs)s）的行中，无法确定登记在哪个组织，"
                    "请先在人员页登记此人。"
                ) % {
                    "name": new.name,
                    "orgs": "、".join(o.name for o in [new.org, *new.other_orgs]),
                }
            elif len(new.column_statuses) > 1:
                problem = _("“%(name)s”未登记，文件中填写的政治面貌不一致。") % {"name": new.name}
            elif not can_manage_org(self.actor, new.org):
                problem = _("“%(name)s”未登记，您无权在“%(org)s”登记人员。") % {
                    "name": new.name,
                    "org": new.org.name,
                }
            for plan, label in new.mentions:
                if problem:
                    plan.errors.append(label + problem)
                else:
                    plan.unregistered.append(
                        label
                        + _(
                            "找不到人员“%(name)s”。勾选“登记未登记的人员”后导入，将把此人登记到"
                            "“%(org)s”，政治面貌为“%(status)s”。"
                        )
                        % {
                            "name": new.name,
                            "org": new.org.name,
                            "status": new.person.get_political_status_display(),
                        }
                    )
            if problem:
                continue
            # Registering is fine; leading is not, for someone the file says is no member.
            if status not in PARTY_MEMBER_STATUSES:
                for plan in new.lead_rows:
                    plan.errors.append(
                        _("牵头人必须是中共党员或中共预备党员，%(name)s 的政治面貌是“%(status)s”。")
                        % {"name": new.name, "status": new.person.get_political_status_display()}
                    )
            ready.append(new)
        return ready

    # ---- preparation

    def prepare(
        self, rows: list[SourceRow], goal_rows: list[SourceRow], measure_rows: list[SourceRow]
    ) -> None:
        refs: set[str] = set()
        codes: set[str] = set()
        titles: set[str] = set()
        for source in rows:
            values = source.values
            code = clean_text(values.get("code"))
            if code:
                codes.add(code)
            else:
                titles.add(clean_text(values.get("title")))
            if not is_blank(values.get("lead")):
                refs.add(clean_text(values["lead"]))
            refs.update(split_people(values.get("participants")))
        for source in measure_rows:
            if not is_blank(source.values.get("owner")):
                refs.add(clean_text(source.values["owner"]))
        self.look.load_people(refs)
        self.by_code, self.hidden_codes, self.by_title = _existing_projects(
            self.actor, self.campaign, codes=codes, titles=titles
        )
        for detail_rows, target in (
            (goal_rows, self.goals_by_code),
            (measure_rows, self.measures_by_code),
        ):
            for source in detail_rows:
                code = clean_text(source.values.get("code"))
                if not code:
                    self.detail_errors.append(
                        DetailIssue(source.sheet, source.row, [_("缺少项目编号。")])
                    )
                elif code not in codes:
                    self.detail_errors.append(
                        DetailIssue(
                            source.sheet,
                            source.row,
                            [_("项目编号 %(code)s 不在项目表中。") % {"code": code}],
                        )
                    )
                else:
                    target[code].append(source)

    # ---- one row

    def plan_row(self, source: SourceRow) -> RowPlan:
        values = source.values
        plan = RowPlan(sheet=source.sheet, row=source.row)
        plan.title = clean_text(values.get("title"))
        plan.code = clean_text(values.get("code"))
        if not plan.title:
            plan.errors.append(_("缺少项目名称。"))
        elif len(plan.title) > 300:
            plan.errors.append(_("项目名称不能超过 300 个字。"))
        if len(plan.code) > 50:
            plan.errors.append(_("项目编号不能超过 50 个字。"))
        project = self._match(plan)
        plan.project = project
        resolved = self._resolve_fields(plan, values, project)
        if project is None:
            self._plan_create(plan, values, resolved)
        else:
            self._plan_update(plan, values, resolved, project)
        return plan

    def _match(self, plan: RowPlan) -> Project | None:
        if plan.code:
            if plan.code in self.hidden_codes:
                plan.errors.append(
                    _("项目编号 %(code)s 已被本活动中您无权修改的其他项目使用。")
                    % {"code": plan.code}
                )
                return None
            return self.by_code.get(plan.code)
        candidates = self.by_title.get(plan.title, [])
        if len(candidates) > 1:
            plan.errors.append(
                _("本活动中有多个名为“%(title)s”的项目，请填写项目编号以区分。")
                % {"title": plan.title}
            )
            return None
        if candidates:
            plan.code = candidates[0].code
            return candidates[0]
        return None

    def _resolve_fields(
        self, plan: RowPlan, values: dict, project: Project | None
    ) -> dict[str, Any]:
        """Each mapped cell as a model value; a blank cell gives None (keep / default)."""
        out: dict[str, Any] = {}
        text = clean_text(values.get("project_type"))
        if text:
            item = self.look.types.get(_key(text))
            if item is None:
                plan.errors.append(
                    _("未知的项目类型“%(value)s”。本活动的项目类型有：%(choices)s。")
                    % {"value": text, "choices": "、".join(self.look.type_names)}
                )
            out["project_type"] = item
        text = clean_text(values.get("focus_area"))
        if text:
            area = self.look.areas.get(_key(text))
            if area is None:
                plan.errors.append(
                    _("未知的中心工作“%(value)s”。本活动的中心工作有：%(choices)s。")
                    % {"value": text, "choices": "、".join(self.look.area_names)}
                )
            out["focus_area"] = area
        text = clean_text(values.get("org"))
        if text:
            if project is not None and _key(text) in {
                _key(project.org.name),
                _key(project.org.short_name or project.org.name),
            }:
                out["org"] = project.org
            else:
                org, error = self.look.org(text)
                if error:
                    plan.errors.append(error)
                out["org"] = org
        column_status = None
        text = clean_text(values.get("lead_political_status"))
        if text:
            column_status = self.look.political_statuses.get(_key(text))
            if column_status is None:
                plan.errors.append(
                    _("未知的政治面貌“%(value)s”。可用的有：%(choices)s。")
                    % {
                        "value": text,
                        "choices": "、".join(str(label) for _v, label in PoliticalStatus.choices),
                    }
                )
        text = clean_text(values.get("lead"))
        if text:
            row_org = out.get("org", project.org if project else self.default_org)
            out["lead"] = self._lead(plan, text, project, org=row_org, column_status=column_status)
        for key, end in (("start_date", False), ("end_date", True)):
            if is_blank(values.get(key)):
                continue
            try:
                out[key] = parse_date(values.get(key), end=end)
            except CellError as error:
                plan.errors.append(f"{field_label(key)}：{error.message}")
                out[key] = None
        for key in ("rationale", "plan"):
            text = clean_text(values.get(key))
            if text:
                out[key] = text
        text = clean_text(values.get("status"))
        if text:
            status = self.look.statuses.get(_key(text))
            if status is None:
                plan.errors.append(
                    _("未知的状态“%(value)s”。可用的状态有：%(choices)s。")
                    % {
                        "value": text,
                        "choices": "、".join(str(label) for _v, label in ProjectStatus.choices),
                    }
                )
            out["status"] = status
        return out

    def _lead(
        self,
        plan: RowPlan,
        text: str,
        project: Project | None,
        *,
        org: Org | None,
        column_status: str | None,
    ) -> Person | None:
        name, qualifier = parse_person_ref(text)
        if (
            project is not None
            and project.lead.name == name
            and qualifier in ("", project.lead.staff_no)
        ):
            self._compare_status(plan, project.lead, column_status)
            return project.lead
        person, error = self._person(
            plan, text, org=org, label=_("牵头人："), as_lead=True, column_status=column_status
        )
        if error:
            plan.errors.append(_("牵头人：") + error)
            return None
        assert person is not None
        if person.pk is None:
            return person  # to be registered: its status is checked in settle_new_people
        self._compare_status(plan, person, column_status)
        if person.political_status not in PARTY_MEMBER_STATUSES:
            plan.errors.append(
                _("牵头人必须是中共党员或中共预备党员，%(name)s 的政治面貌是“%(status)s”。")
                % {"name": person.name, "status": person.get_political_status_display()}
            )
        return person

    def _compare_status(self, plan: RowPlan, person: Person, column_status: str | None) -> None:
        """The 政治面貌 column describes people the import registers; a registered person's
        record is kept, and a difference is pointed out."""
        if column_status and column_status != person.political_status:
            plan.warnings.append(
                _(
                    "文件中 %(name)s 的政治面貌为“%(file)s”，系统中为“%(stored)s”；"
                    "导入不修改已登记人员的信息。"
                )
                % {
                    "name": person.name,
                    "file": PoliticalStatus(column_status).label,
                    "stored": person.get_political_status_display(),
                }
            )

    # ---- create

    def _plan_create(self, plan: RowPlan, values: dict, resolved: dict) -> None:
        org = resolved.get("org") if "org" in resolved else self.default_org
        project_type = (
            resolved.get("project_type") if "project_type" in resolved else self.default_type
        )
        focus_area = resolved.get("focus_area") if "focus_area" in resolved else self.default_area
        lead = resolved.get("lead")
        if "org" not in resolved and org is None:
            plan.errors.append(_("缺少责任组织（可在列对应页选择默认责任组织）。"))
        if org is not None and not perms.can_create_project(self.actor, self.campaign, org):
            plan.errors.append(_("您无权在“%(org)s”申报项目。") % {"org": org})
        if "project_type" not in resolved and project_type is None:
            plan.errors.append(_("缺少项目类型。"))
        if "focus_area" not in resolved and focus_area is None:
            plan.errors.append(_("缺少中心工作。"))
        if "lead" not in resolved:
            plan.errors.append(_("缺少牵头人。"))
        start = resolved.get("start_date") if "start_date" in resolved else None
        end = resolved.get("end_date") if "end_date" in resolved else None
        if "start_date" not in resolved:
            start = self.campaign.start_date
            plan.warnings.append(
                _("未填开始日期，按活动开始日期 %(date)s 处理。") % {"date": start.isoformat()}
            )
        if "end_date" not in resolved:
            plan.errors.append(_("缺少完成时限。"))
        if start and end and end < start:
            plan.errors.append(_("完成时限不能早于开始日期。"))
        plan.create = {
            "org": org,
            "project_type": project_type,
            "focus_area": focus_area,
            "lead": lead,
            "start_date": start,
            "end_date": end,
            "rationale": resolved.get("rationale", ""),
            "plan": resolved.get("plan", ""),
        }
        leftover_goal_lines = self._plan_goals(plan, values, None)
        if leftover_goal_lines:
            heading = _("预期目标（未能转为指标，请在项目页补充基准值）：")
            text = "\n".join([heading, *leftover_goal_lines])
            plan.create["plan"] = f"{plan.create['plan']}\n\n{text}".strip()
        self._plan_measures(plan, values, None)
        self._plan_participants(plan, values, None, lead, org=org)
        target = resolved.get("status")
        if target and target != ProjectStatus.DRAFT and not plan.errors:
            self._plan_transitions(
                plan,
                ProjectStatus.DRAFT,
                target,
                org=org,
                lead=lead,
                has_goals=bool(plan.goal_ops),
                has_measures=bool(plan.measure_ops),
            )

    # ---- update

    def _plan_update(self, plan: RowPlan, values: dict, resolved: dict, project: Project) -> None:
        labels = self.labels
        if plan.title and not _same_text(project.title, plan.title):
            plan.changes["title"] = plan.title
            plan.note(labels["title"], project.title, plan.title)
        for key in ("project_type", "focus_area", "org", "lead"):
            new = resolved.get(key)
            if new is not None and new.pk != getattr(project, f"{key}_id"):
                plan.changes[key] = new
                plan.note(labels[key], getattr(project, key), new)
        for key in ("start_date", "end_date"):
            new = resolved.get(key)
            if new is not None and new != getattr(project, key):
                plan.changes[key] = new
                plan.note(labels[key], getattr(project, key), new)
        start = plan.changes.get("start_date", project.start_date)
        end = plan.changes.get("end_date", project.end_date)
        if end < start:
            plan.errors.append(_("完成时限不能早于开始日期。"))
        for key in ("rationale", "plan"):
            new = resolved.get(key)
            if new is not None and not _same_text(getattr(project, key), new):
                plan.changes[key] = new
                plan.note(labels[key], getattr(project, key), new)
        if plan.changes and not perms.can_edit_project(self.actor, project):
            plan.errors.append(
                _("项目状态为“%(status)s”，您不能修改它。")
                % {"status": project.get_status_display()}
            )
        new_org = plan.changes.get("org")
        if new_org is not None and not perms.can_create_project(self.actor, self.campaign, new_org):
            plan.errors.append(_("您无权把项目转到“%(org)s”。") % {"org": new_org})
        self._plan_goals(plan, values, project)
        self._plan_measures(plan, values, project)
        self._plan_participants(
            plan,
            values,
            project,
            plan.changes.get("lead", project.lead),
            org=plan.changes.get("org", project.org),
        )
        if (
            plan.goal_ops or plan.measure_ops or plan.participant_ops
        ) and not perms.can_edit_project_children(self.actor, project):
            plan.errors.append(
                _("项目状态为“%(status)s”，您不能修改它的指标、措施或参与人员。")
                % {"status": project.get_status_display()}
            )
        target = resolved.get("status")
        if target and target != project.status and not plan.errors:
            goals = bool(project.goals.all()) or any(op.goal is None for op in plan.goal_ops)
            measures = bool(project.measures.all()) or any(
                op.measure is None for op in plan.measure_ops
            )
            self._plan_transitions(
                plan,
                project.status,
                target,
                org=plan.changes.get("org", project.org),
                lead=plan.changes.get("lead", project.lead),
                has_goals=goals,
                has_measures=measures,
            )
            if plan.transitions:
                plan.note(
                    labels["status"],
                    project.get_status_display(),
                    _reached(project.status, plan.transitions),
                )

    # ---- lifecycle

    def _plan_transitions(
        self,
        plan: RowPlan,
        current: str,
        target: str,
        *,
        org: Org | None,
        lead: Person | None,
        has_goals: bool,
        has_measures: bool,
    ) -> None:
        """Forward moves only, each as the actor may make it; what cannot be done is said
        in a warning and the project keeps the status it reached."""
        path: list[str] = []
        if target == ProjectStatus.TERMINATED:
            if current == ProjectStatus.DRAFT:
                path = ["submit", "terminate"]
            elif current in (
                ProjectStatus.SUBMITTED,
                ProjectStatus.APPROVED,
                ProjectStatus.IN_PROGRESS,
            ):
                path = ["terminate"]
        elif (
            current in STATUS_ORDER
            and target in STATUS_ORDER
            and STATUS_ORDER.index(target) > STATUS_ORDER.index(current)
        ):
            steps = STATUS_ORDER[STATUS_ORDER.index(current) : STATUS_ORDER.index(target) + 1]
            path = [STEP_ACTION[(a, b)] for a, b in zip(steps, steps[1:], strict=False)]
        if not path:
            plan.warnings.append(
                _("导入不会把项目状态从“%(old)s”改为“%(new)s”，请在项目页办理。")
                % {"old": ProjectStatus(current).label, "new": ProjectStatus(target).label}
            )
            return
        is_admin = org is not None and has_role(self.actor, org, ADMIN_ROLES)
        is_lead = lead is not None and lead.user_id == getattr(self.actor, "pk", None)
        for action in path:
            if action == "submit" and not (has_goals and has_measures):
                plan.warnings.append(
                    _("项目没有目标指标或具体措施，不能申报，将保持“%(status)s”。")
                    % {"status": _reached(current, plan.transitions)}
                )
                break
            if not (is_admin or (action not in ADMIN_ACTIONS and is_lead)):
                plan.warnings.append(
                    _("您无权执行“%(action)s”，项目将保持“%(status)s”。")
                    % {
                        "action": _action_label(action),
                        "status": _reached(current, plan.transitions),
                    }
                )
                break
            plan.transitions.append(action)

    # ---- goals

    def _goal_inputs_inline(
        self, plan: RowPlan, values: dict
    ) -> list[tuple[GoalLine | None, GoalInput | None, str]]:
        result = []
        for index, line in enumerate(split_items(values.get("goals")), start=1):
            try:
                goal = parse_goal_line(line)
            except CellError as error:
                plan.errors.append(_("预期目标第 %(n)s 项：") % {"n": index} + error.message)
                continue
            result.append((goal, None, line))
        return result

    def _goal_inputs_sheet(
        self, plan: RowPlan, code: str
    ) -> list[tuple[GoalLine | None, GoalInput | None, str]]:
        result = []
        for source in self.goals_by_code.get(code, []):
            values = source.values
            messages = []
            name = clean_text(values.get("name"))
            if not name:
                messages.append(_("缺少指标名称。"))
            numbers: dict[str, Decimal | None] = {}
            for key in ("baseline", "target", "weight"):
                try:
                    numbers[key] = parse_decimal(
                        values.get(key), label=field_label(key, GOAL_FIELDS)
                    )
                except CellError as error:
                    messages.append(error.message)
                    numbers[key] = None
            if numbers.get("target") is None and not any("目标值" in m for m in messages):
                messages.append(_("缺少目标值。"))
            direction_text = clean_text(values.get("direction"))
            direction = self.look.directions.get(_key(direction_text)) if direction_text else None
            if direction_text and direction is None:
                messages.append(_("未知的指标方向“%(value)s”。") % {"value": direction_text})
            if messages:
                self.detail_errors.append(DetailIssue(source.sheet, source.row, messages))
                continue
            data = GoalInput(
                name=name,
                target=numbers["target"],
                baseline=numbers["baseline"],
                unit=clean_text(values.get("unit")),
                direction=direction,
                weight=numbers["weight"],
            )
            result.append((None, data, f"{source.sheet}!{source.row}"))
        return result

    def _plan_goals(self, plan: RowPlan, values: dict, project: Project | None) -> list[str]:
        """Goal operations for the row; returns goal lines that are recognisable but cannot be
        indicators (no stated baseline where one is needed), for a new project's plan text."""
        if "goals" in self.mapped:
            items = (
                self._goal_inputs_inline(plan, values) if not is_blank(values.get("goals")) else []
            )
        else:
            items = (
                self._goal_inputs_sheet(plan, plan.code) if plan.code in self.goals_by_code else []
            )
        if not items:
            return []
        existing = list(project.goals.all()) if project is not None else []
        pairs = _pair(
            items,
            existing,
            key=lambda item: item[0].name if item[0] else item[1].name,
            existing_key=lambda g: g.name,
        )
        leftovers: list[str] = []
        stub = project or self.stub_project
        for (line, data, raw), goal in pairs:
            merged = _merge_goal(line, data, goal)
            if goal is not None and _goal_unchanged(goal, merged):
                continue
            try:
                _validated_goal(stub, merged)
            except DomainError as error:
                stated_baseline = (line.baseline if line is not None else data.baseline) is not None
                if (
                    goal is None
                    and not stated_baseline
                    and error.code in ("target_equals_baseline", "target_direction")
                ):
                    leftovers.append(raw)
                    plan.warnings.append(
                        _("目标“%(line)s”没有写明基准值，无法作为可考核的指标。") % {"line": raw}
                        + (
                            _("已记入实施方案，请在项目页补充。")
                            if project is None
                            else _("未导入，请在项目页补充。")
                        )
                    )
                    continue
                plan.errors.append(
                    _("目标“%(name)s”：%(message)s")
                    % {"name": merged.name, "message": error.message}
                )
                continue
            plan.goal_ops.append(GoalOp(data=merged, goal=goal))
            if goal is not None:
                plan.note(
                    _("目标指标"),
                    _goal_text(goal.name, goal.target, goal.unit, goal.baseline),
                    _goal_text(merged.name, merged.target, merged.unit, merged.baseline),
                )
            elif project is not None:
                plan.note(
                    _("新增目标指标"),
                    "",
                    _goal_text(merged.name, merged.target, merged.unit, merged.baseline),
                )
        missing = [g.name for g in existing if g not in {goal for _item, goal in pairs}]
        if missing:
            plan.warnings.append(
                _("文件中没有这些已有指标，导入不会删除它们：%(names)s。")
                % {"names": "、".join(missing)}
            )
        return leftovers

    # ---- measures

    def _plan_measures(self, plan: RowPlan, values: dict, project: Project | None) -> None:
        items: list[MeasureInput] = []
        owners: dict[int, tuple[str, SourceRow]] = {}  # item index → owner as written
        if "measures" in self.mapped:
            items = [MeasureInput(description=text) for text in split_items(values.get("measures"))]
            from_sheet = False
        else:
            from_sheet = True
            for source in self.measures_by_code.get(plan.code, []):
                data = self._measure_from_sheet(source)
                if data is not None:
                    if not is_blank(source.values.get("owner")):
                        owners[len(items)] = (clean_text(source.values["owner"]), source)
                    items.append(data)
        if not items:
            return
        existing = list(project.measures.all()) if project is not None else []
        pairs = _pair(
            items, existing, key=lambda m: m.description, existing_key=lambda m: m.description
        )
        stub = project or self.stub_project
        for index, (data, measure) in enumerate(pairs):
            if index in owners:
                owner = self._measure_owner(*owners[index], measure)
                if owner is None:
                    continue
                data = replace(data, owner=owner)
            merged = _merge_measure(data, measure, from_sheet=from_sheet)
            if measure is not None and _measure_unchanged(measure, merged):
                continue
            try:
                _validated_measure(stub, merged)
            except DomainError as error:
                plan.errors.append(
                    _("措施“%(text)s”：%(message)s")
                    % {"text": merged.description[:30], "message": error.message}
                )
                continue
            plan.measure_ops.append(MeasureOp(data=merged, measure=measure))
            if measure is not None:
                plan.note(_("具体措施"), _measure_text(measure), _measure_text(merged))
            elif project is not None:
                plan.note(_("新增具体措施"), "", merged.description)
        missing = [
            m.description[:30] for m in existing if m not in {measure for _d, measure in pairs}
        ]
        if missing:
            plan.warnings.append(
                _("文件中没有这些已有措施，导入不会删除它们：%(names)s。")
                % {"names": "、".join(missing)}
            )

    def _measure_from_sheet(self, source: SourceRow) -> MeasureInput | None:
        values = source.values
        messages: list[str] = []
        description = clean_text(values.get("description"))
        if not description:
            messages.append(_("缺少具体措施。"))
        dates: dict[str, dt.date | None] = {}
        for key, end in (("start_date", False), ("due_date", True)):
            try:
                dates[key] = parse_date(values.get(key), end=end)
            except CellError as error:
                messages.append(f"{field_label(key, MEASURE_FIELDS)}：{error.message}")
        status_text = clean_text(values.get("status"))
        status = self.look.measure_statuses.get(_key(status_text)) if status_text else None
        if status_text and status is None:
            messages.append(_("未知的措施状态“%(value)s”。") % {"value": status_text})
        percent = None
        try:
            percent = parse_percent(
                values.get("percent"), label=field_label("percent", MEASURE_FIELDS)
            )
        except CellError as error:
            messages.append(error.message)
        if messages:
            self.detail_errors.append(DetailIssue(source.sheet, source.row, messages))
            return None
        return MeasureInput(
            description=description,
            owner=None,  # resolved after pairing: the stored owner needs no lookup
            start_date=dates.get("start_date"),
            due_date=dates.get("due_date"),
            status=status or "",
            percent_complete=percent,  # type: ignore[arg-type]
        )

    def _measure_owner(self, ref: str, source: SourceRow, measure: Measure | None) -> Person | None:
        name, qualifier = parse_person_ref(ref)
        stored = measure.owner if measure is not None else None
        if stored is not None and stored.name == name and qualifier in ("", stored.staff_no):
            return stored
        person, error = self.look.person(ref)
        if error:
            self.detail_errors.append(
                DetailIssue(source.sheet, source.row, [_("责任人：") + error])
            )
        return person

    # ---- participants

    def _plan_participants(
        self,
        plan: RowPlan,
        values: dict,
        project: Project | None,
        lead: Person | None,
        *,
        org: Org | None,
    ) -> None:
        tokens = split_people(values.get("participants"))
        if not tokens:
            return
        current = (
            {p.person_id: p for p in project.participants.all()} if project is not None else {}
        )
        by_name: dict[str, list[Participant]] = defaultdict(list)
        for participant in current.values():
            by_name[participant.person.name].append(participant)
        seen: set[Any] = set()
        unknown: list[str] = []
        for token in tokens:
            name, qualifier = parse_person_ref(token)
            role = self.look.roles.get(_key(qualifier)) if qualifier else None
            participant = None
            if (
                project is not None
                and (role is not None or not qualifier)
                and len(by_name.get(name, [])) == 1
            ):
                participant = by_name[name][0]
                person = participant.person
            else:
                person, error = self._person(plan, token, org=org, label=_("参与人员："))
                if error:
                    unknown.append(error)
                    continue
                assert person is not None
                participant = current.get(person.pk) if person.pk is not None else None
            if _identity(person) in seen or (
                lead is not None and _identity(person) == _identity(lead)
            ):
                continue
            seen.add(_identity(person))
            if participant is not None:
                if role is not None and role != participant.role:
                    plan.participant_ops.append(
                        ParticipantOp(person=person, role=role, participant=participant)
                    )
                    plan.note(
                        _("参与人员"),
                        f"{person.name}（{participant.get_role_display()}）",
                        f"{person.name}（{ParticipantRole(role).label}）",
                    )
                continue
            plan.participant_ops.append(
                ParticipantOp(person=person, role=role or ParticipantRole.MEMBER)
            )
            if project is not None:
                plan.note(_("新增参与人员"), "", person.name)
        for message in unknown:
            plan.errors.append(_("参与人员：") + message)
        missing = [p.person.name for pid, p in current.items() if pid not in seen]
        if missing:
            plan.warnings.append(
                _("文件中没有这些已有参与人员，导入不会移除他们：%(names)s。")
                % {"names": "、".join(missing)}
            )

    # ---- across rows

    def check_duplicates(self, rows: list[RowPlan]) -> None:
        by_code: dict[str, list[RowPlan]] = defaultdict(list)
        by_project: dict[int, list[RowPlan]] = defaultdict(list)
        for row in rows:
            if row.code:
                by_code[row.code].append(row)
            if row.project is not None:
                by_project[row.project.pk].append(row)
        for code, group in by_code.items():
            if len(group) > 1:
                numbers = "、".join(str(r.row) for r in group)
                for row in group:
                    row.errors.append(
                        _("项目编号 %(code)s 在文件中重复（第 %(rows)s 行）。")
                        % {"code": code, "rows": numbers}
                    )
        for group in by_project.values():
            if len(group) > 1 and not group[0].code:
                numbers = "、".join(str(r.row) for r in group)
                for row in group:
                    row.errors.append(
                        _("多行对应同一个已有项目（第 %(rows)s 行）。") % {"rows": numbers}
                    )

    def assign_codes(self, rows: list[RowPlan]) -> None:
        """New projects without a code get the next free "<year>-NNN" of the campaign."""
        missing = [row for row in rows if row.project is None and not row.code]
        if not missing:
            return
        taken = set(
            Project.all_objects.filter(campaign=self.campaign).values_list("code", flat=True)
        )
        taken.update(row.code for row in rows if row.code)
        number = 0
        for row in missing:
            while True:
                number += 1
                code = f"{self.campaign.year}-{number:03d}"
                if code not in taken:
                    break
            taken.add(code)
            row.code = code
            row.code_generated = True


def _identity(person: Person) -> Any:
    """Stand-ins for people to register have no pk yet; one name is one stand-in."""
    return person.pk if person.pk is not None else ("new", person.name)


def _pick(pk: Any, queryset) -> Any:
    return queryset.filter(pk=pk).first() if pk else None


def _reached(current: str, transitions: list[str]) -> str:
    status = current
    for action in transitions:
        status = _TARGET_OF[action]
    return str(ProjectStatus(status).label)


def _action_label(action: str) -> str:
    from taizhang.campaigns.services import transition_label

    return transition_label(action)


def _pair(items: list, existing: list, *, key, existing_key) -> list[tuple[Any, Any]]:
    """Match file items to stored ones: same name first, then the rest in order; items
    left over are new (paired with None)."""
    free = list(existing)
    matched: dict[int, Any] = {}
    for index, item in enumerate(items):
        name = key(item)
        found = next((e for e in free if existing_key(e) == name), None)
        if found is not None:
            matched[index] = found
            free.remove(found)
    result = []
    for index, item in enumerate(items):
        if index in matched:
            result.append((item, matched[index]))
        elif free:
            result.append((item, free.pop(0)))
        else:
            result.append((item, None))
    return result


def _merge_goal(
    line: GoalLine | None, data: GoalInput | None, goal: GoalIndicator | None
) -> GoalInput:
    """What the file says, with anything it leaves unsaid taken from the stored goal (or the
    defaults for a new one)."""
    if line is not None:
        return GoalInput(
            name=line.name,
            target=line.target,
            baseline=line.baseline
            if line.baseline is not None
            else (goal.baseline if goal else Decimal(0)),
            unit=line.unit or (goal.unit if goal else ""),
            direction=line.direction or (goal.direction if goal else Direction.HIGHER),
            weight=goal.weight if goal else Decimal(1),
        )
    assert data is not None
    return GoalInput(
        name=data.name,
        target=data.target,
        baseline=data.baseline
        if data.baseline is not None
        else (goal.baseline if goal else Decimal(0)),
        unit=data.unit or (goal.unit if goal else ""),
        direction=data.direction or (goal.direction if goal else Direction.HIGHER),
        weight=data.weight if data.weight is not None else (goal.weight if goal else Decimal(1)),
    )


def _goal_unchanged(goal: GoalIndicator, data: GoalInput) -> bool:
    return (
        goal.name == data.name
        and (goal.unit or "") == (data.unit or "")
        and _dec(goal.target) == _dec(Decimal(str(data.target)))
        and _dec(goal.baseline) == _dec(Decimal(str(data.baseline)))
        and goal.direction == data.direction
        and _dec(goal.weight) == _dec(Decimal(str(data.weight)))
    )


def _goal_text(name: str, target: Any, unit: str, baseline: Any) -> str:
    return f"{name} {_show(_dec(Decimal(str(baseline))))}→{_show(_dec(Decimal(str(target))))}{unit or ''}"


def _merge_measure(
    data: MeasureInput, measure: Measure | None, *, from_sheet: bool
) -> MeasureInput:
    """A goals-cell line gives only the description; a 具体措施 sheet row gives every
    field, and a blank one keeps the stored value (or the default for a new measure)."""
    if not from_sheet:
        if measure is None:
            return data
        return MeasureInput(
            description=data.description,
            owner=measure.owner,
            start_date=measure.start_date,
            due_date=measure.due_date,
            status=measure.status,
            percent_complete=measure.percent_complete,
        )

    def pick(new: Any, stored: Any, default: Any) -> Any:
        if new is not None and new != "":
            return new
        return stored if measure is not None else default

    return MeasureInput(
        description=data.description,
        owner=pick(data.owner, measure.owner if measure else None, None),
        start_date=pick(data.start_date, measure.start_date if measure else None, None),
        due_date=pick(data.due_date, measure.due_date if measure else None, None),
        status=pick(data.status, measure.status if measure else None, MeasureStatus.NOT_STARTED),
        percent_complete=pick(
            data.percent_complete, measure.percent_complete if measure else None, 0
        ),
    )


def _measure_unchanged(measure: Measure, data: MeasureInput) -> bool:
    return (
        _same_text(measure.description, data.description)
        and measure.owner_id == (data.owner.pk if data.owner else None)
        and measure.start_date == data.start_date
        and measure.due_date == data.due_date
        and measure.status == data.status
        and measure.percent_complete == int(data.percent_complete)
    )


def _measure_text(data: Measure | MeasureInput) -> str:
    parts = [data.description[:40]]
    if data.due_date:
        parts.append(data.due_date.isoformat())
    parts.append(str(MeasureStatus(data.status).label))
    parts.append(f"{data.percent_complete}%")
    return " · ".join(parts)
