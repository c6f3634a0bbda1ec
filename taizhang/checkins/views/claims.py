"""Benefit claims (创效成果): declare, read, verify or reject, totals per campaign."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taizhang.campaigns.permissions import access_campaign, access_project
from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error
from taizhang.orgs.permissions import access_org
from taizhang.orgs.selectors import org_options

from .. import permissions as perms
from .. import selectors, services
from ..forms import ClaimDecisionForm, ClaimForm, EvidenceForm
from ..models import BenefitClaim, ClaimStatus, Evidence
from .common import attach_files, discard_files, page_of, stale_decision_form

# The per-project table of a group-wide campaign is cut here; the org filter narrows it.
BREAKDOWN_LIMIT = 200


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest, project_id: int) -> HttpResponse:
    """Declare a 创效 amount for one period, with its evidence, as one unit."""
    user = request.user
    project = access_project(user, project_id)
    if not project.project_type.is_benefit:
        messages.error(request, _("只有创效类项目可以申报创效成果。"))
        return redirect("campaigns:project_detail", project_id=project.pk)
    if not perms.can_declare_claim(user, project):
        raise PermissionDenied
    periods = project.campaign.periods.order_by("start_date")
    form = ClaimForm(request.POST or None, request.FILES or None, periods=periods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stored: list[Evidence] = []
        try:
            with transaction.atomic():
                claim = services.claim_declare(
                    actor=user,
                    project=project,
                    period=data["period"],
                    amount=data["amount"],
                    source=data["source"],
                    description=data["description"],
                )
                attach_files(actor=user, uploads=data["file"], stored=stored, claim=claim)
        except DomainError as error:
            discard_files(stored)
            add_domain_error(form, error)
        else:
            messages.success(request, _("创效成果已申报，等待核定。"))
            return redirect("checkins:claim_detail", claim_id=claim.pk)
    return render(
        request,
        "checkins/claim_form.html",
        {"project": project, "campaign": project.campaign, "form": form},
    )


def _detail(
    request: HttpRequest,
    claim: BenefitClaim,
    *,
    decision_form: ClaimDecisionForm | None = None,
    evidence_form: EvidenceForm | None = None,
) -> HttpResponse:
    user = request.user
    project = claim.project
    declared = claim.status == ClaimStatus.DECLARED
    can_verify = declared and perms.can_verify_claim(user, claim)
    can_add_evidence = declared and perms.can_declare_claim(user, project)
    context: dict[str, Any] = {
        "claim": claim,
        "project": project,
        "campaign": project.campaign,
        "evidence": claim.evidence.select_related("uploaded_by"),
        "is_claimant": claim.claimant_id == user.pk,
        "can_verify": can_verify,
        "decision_form": decision_form
        or (ClaimDecisionForm(initial={"version": claim.lock_version}) if can_verify else None),
        "evidence_form": evidence_form or (EvidenceForm() if can_add_evidence else None),
        "totals": selectors.benefit_totals(user, project.campaign, project=project),
    }
    return render(request, "checkins/claim_detail.html", context)


def _claim(request: HttpRequest, claim_id: int) -> BenefitClaim:
    return perms.access_claim(request.user, claim_id)


@login_required
@require_GET
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    return _detail(request, _claim(request, claim_id))


@login_required
@require_POST
def claim_decide(request: HttpRequest, claim_id: int) -> HttpResponse:
    """核定 or 驳回. The service refuses the claimant and anyone without the verifier right;
    its message is shown on the form, and nothing changes."""
    claim = _claim(request, claim_id)
    form = ClaimDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "verify":
                services.claim_verify(
                    actor=request.user,
                    claim=claim,
                    verified_amount=data["verified_amount"],
                    note=data["note"],
                    expected_version=data["version"],
                )
            else:
                services.claim_reject(
                    actor=request.user,
                    claim=claim,
                    reason=data["reason"],
                    expected_version=data["version"],
                )
        except DomainError as error:
            claim = _claim(request, claim_id)  # the services set fields before refusing
            if error.code == "stale":
                form = stale_decision_form(ClaimDecisionForm, request.POST, claim, error)
            else:
                add_domain_error(form, error)
        else:
            if data["action"] == "verify":
                messages.success(request, _("成果已核定。"))
            else:
                messages.success(request, _("成果已驳回。"))
            return redirect("checkins:claim_detail", claim_id=claim.pk)
    return _detail(request, claim, decision_form=form)


@login_required
@require_POST
def claim_evidence(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = _claim(request, claim_id)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        stored: list[Evidence] = []
        try:
            with transaction.atomic():
                attach_files(
                    actor=request.user,
                    uploads=form.cleaned_data["file"],
                    stored=stored,
                    claim=claim,
                )
        except DomainError as error:
            discard_files(stored)
            add_domain_error(form, error)
        else:
            if stored:
                messages.success(request, _("佐证材料已上传。"))
            return redirect("checkins:claim_detail", claim_id=claim.pk)
    return _detail(request, claim, evidence_form=form)


@login_required
@require_GET
def claim_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A campaign's claims with verified totals for the campaign (or an org subtree), per
    responsible org and per project."""
    user = request.user
    campaign = access_campaign(user, campaign_id)
    org = None
    org_param = request.GET.get("org", "").strip()
    if org_param:
        org = access_org(user, org_param)
    status = request.GET.get("status", "").strip()
    if status not in ClaimStatus.values:
        status = ""
    claims = (
        perms.claims_visible_to(user)
        .filter(project__campaign=campaign)
        .select_related("project", "project__org", "period", "claimant", "verifier")
        .order_by("-created_at", "-id")
    )
    if org is not None:
        claims = claims.filter(project__org__path__startswith=org.path)
    if status:
        claims = claims.filter(status=status)
    return render(
        request,
        "checkins/claim_list.html",
        {
            "campaign": campaign,
            "selected_org": org,
            "org_options": org_options(user, campaign.org, org),
            "status": status,
            "statuses": ClaimStatus.choices,
            "page": page_of(request, claims),
            "totals": selectors.benefit_totals(user, campaign, org=org),
            "by_org": selectors.benefit_breakdown(user, campaign, by="org", org=org),
            "by_project": selectors.benefit_breakdown(
                user, campaign, by="project", org=org, limit=BREAKDOWN_LIMIT
            ),
            "breakdown_limit": BREAKDOWN_LIMIT,
        },
    )
