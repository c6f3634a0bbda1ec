"""Continues the demo's 2020 story through check-ins and assessment, through the services.

Each step acts as the demo user who would have done it: a project's lead writes its reports
and declares its benefits, the branch secretary reviews, the finance head verifies, the
sector committee inspects, assesses and publishes. Dated actions pass their 2020 office time
(`now=`), so lateness, review times and the 督办 deadline read as they did that year.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.assessment import services as assessment_services
from taizhang.assessment.models import Criterion, CriterionKind, EntryKind, Scheme
from taizhang.campaigns.models import Campaign, Project
from taizhang.checkins import services as checkin_services
from taizhang.checkins.models import Period, ProgressReport
from taizhang.checkins.services import MeasureProgress, RectificationInput
from taizhang.orgs.models import Org, Person
from taizhang.users.models import User

from . import checkins_data as cd
from . import data


def pdf(name: str) -> SimpleUploadedFile:
    """A small, valid one-page PDF standing in for a scanned document."""
    text = b"Taizhang demo evidence (illustrative document)"
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@dataclass
class Context:
    """What the main loader has created, keyed as in `data`."""

    orgs: dict[str, Org]
    people: dict[str, Person]
    users: dict[str, User]
    user_of_person: dict[str, User]
    admin_for: Callable[[Org], User]


class CheckinsLoader:
    def __init__(self, ctx: Context, campaign: Campaign) -> None:
        self.ctx = ctx
        self.campaign = campaign
        self.sector_admin = ctx.users[data.SECTOR_ADMIN]
        self.verifier = ctx.users[data.VERIFIER]
        self.projects = {p.code: p for p in Project.objects.filter(campaign=campaign)}
        self.periods: list[Period] = []

    def run_checkins(self) -> None:
        self._periods()
        for spec in cd.REPORTS:
            self._report(spec)
        for claim in cd.CLAIMS:
            self._claim(claim)
        self._inspection(cd.INSPECTION)

    # ----------------------------------------------------------------------- periods

    def _periods(self) -> None:
        checkin_services.periods_generate(actor=self.sector_admin, campaign=self.campaign)
        self.periods = list(self.campaign.periods.order_by("start_date"))
        # Check-ins began with Q2: the first quarter went to the epidemic, and the committee
        # closed it so nothing is owed for it.
        checkin_services.period_update(
            actor=self.sector_admin, period=self.periods[0], is_closed=True
        )

    def _period(self, quarter: int) -> Period:
        return self.periods[quarter - 1]

    # ----------------------------------------------------------------------- reports

    def _writer(self, project: Project) -> User:
        """The project's lead writes its reports; every reporting lead has a demo login."""
        return self.ctx.user_of_person[project.lead.staff_no]

    def _reviewer(self, project: Project, writer: User) -> User:
        """The branch secretary; when she leads the project herself, the sector committee."""
        reviewer = self.ctx.admin_for(project.org)
        return self.sector_admin if reviewer.pk == writer.pk else reviewer

    def _report(self, spec: cd.ReportSpec) -> ProgressReport:
        project = self.projects[spec.project]
        writer = self._writer(project)
        reviewer = self._reviewer(project, writer)
        report = checkin_services.report_start(
            actor=writer, project=project, period=self._period(spec.quarter)
        )
        goals = list(project.goals.all())
        measures = list(project.measures.order_by("order"))
        checkin_services.report_save(
            actor=writer,
            report=report,
            progress=spec.progress,
            problems=spec.returned.first_problems if spec.returned else spec.problems,
            next_steps=spec.next_steps,
            actuals={g.pk: v for g, v in zip(goals, spec.actuals, strict=True)},
            measures={
                m.pk: MeasureProgress(status=s.status, percent_complete=s.percent, note=s.note)
                for m, s in zip(measures, spec.measures, strict=True)
            },
        )
        if spec.returned:
            report = checkin_services.report_submit(
                actor=writer, report=report, now=spec.submitted_at
            )
            report = checkin_services.report_return(
                actor=reviewer,
                report=report,
                comment=spec.returned.comment,
                now=spec.returned.returned_at,
            )
            # The lead answers the comment: the problems spelt out, the evidence attached.
            checkin_services.report_save(
                actor=writer,
                report=report,
                progress=spec.progress,
                problems=spec.problems,
                next_steps=spec.next_steps,
            )
        self._attach(writer, report, spec.evidence)
        submitted_at = spec.returned.resubmitted_at if spec.returned else spec.submitted_at
        report = checkin_services.report_submit(actor=writer, report=report, now=submitted_at)
        if spec.override:
            light, reason = spec.override
            report = checkin_services.report_override_light(
                actor=writer, report=report, light=light, reason=reason
            )
        if spec.review == cd.ACCEPT:
            report = checkin_services.report_accept(
                actor=reviewer, report=report, comment=spec.review_comment, now=spec.reviewed_at
            )
        return report

    @staticmethod
    def _attach(writer: User, report: ProgressReport, names: list[str]) -> None:
        for name in names:
            checkin_services.evidence_add(actor=writer, upload=pdf(name), report=report)

    # ----------------------------------------------------------------------- claims

    def _claim(self, spec: cd.ClaimSpec) -> None:
        project = self.projects[spec.project]
        claimant = self._writer(project)
        claim = checkin_services.claim_declare(
            actor=claimant,
            project=project,
            period=self._period(spec.quarter),
            amount=spec.amount,
            source=spec.source,
            description=spec.description,
        )
        checkin_services.evidence_add(actor=claimant, upload=pdf(spec.evidence), claim=claim)
        if spec.decision == cd.VERIFY:
            checkin_services.claim_verify(
                actor=self.verifier,
                claim=claim,
                verified_amount=spec.verified_amount,
                note=spec.note,
                now=spec.decided_at,
            )
        else:
            checkin_services.claim_reject(
                actor=self.verifier, claim=claim, reason=spec.note, now=spec.decided_at
            )

    # ----------------------------------------------------------------------- inspection

    def _inspection(self, spec: cd.InspectionSpec) -> None:
        inspection = checkin_services.inspection_create(
            actor=self.sector_admin,
            campaign=self.campaign,
            inspecting_org=self.ctx.orgs[data.SECTOR],
            date=spec.date,
            inspectors=spec.inspectors,
            methods=spec.methods,
            findings=spec.findings,
            rating=spec.rating,
            project=self.projects[spec.project],
            items=[
                RectificationInput(
                    description=item.description,
                    owner=self.ctx.people[item.owner],
                    due_date=item.due,
                )
                for item in spec.items
            ],
        )
        rows = list(inspection.items.order_by("id"))
        for item, row in zip(spec.items, rows, strict=True):
            if item.closed_at is None:
                continue
            # The owner closes her own item when she has a login, else the branch secretary.
            closer = self.ctx.user_of_person.get(item.owner) or self.ctx.admin_for(row.owner.org)
            checkin_services.evidence_add(
                actor=closer, upload=pdf(item.evidence), rectification=row
            )
            checkin_services.rectification_close(
                actor=closer, item=row, closing_note=item.closing_note, now=item.closed_at
            )

    # ----------------------------------------------------------------------- assessment

    def run_assessment(self) -> Scheme:
        """The sector's scheme, its assessor's entries, a draft, then Q3 published."""
        actor = self.sector_admin
        scheme = assessment_services.scheme_create(
            actor=actor, campaign=self.campaign, spec=assessment_services.default_scheme_spec()
        )
        period = self._period(cd.ASSESSED_QUARTER)
        manual = Criterion.objects.get(dimension__scheme=scheme, kind=CriterionKind.MANUAL)
        bonus = scheme.bonuses.get()
        for entry in cd.ENTRIES:
            assessment_services.entry_add(
                actor=actor,
                scheme=scheme,
                period=period,
                kind=entry.kind,
                item_id=manual.pk if entry.kind == EntryKind.CRITERION else bonus.pk,
                note=entry.note,
                value=entry.value,
                project=self.projects[entry.project],
                evidence=pdf(entry.evidence) if entry.evidence else None,
            )
        # The committee looks at the draft before freezing it; the draft stays for comparison.
        assessment_services.draft_compute(scheme=scheme, period=period)
        assessment_services.assessment_publish(actor=actor, scheme=scheme, period=period)
        return scheme
