"""Results day (成果发布): create it, add candidate projects, reviewers score them, publish
the ranking with its awards. The rules are in results_day.py; these views parse and show."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from taizhang.campaigns.permissions import access_campaign
from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error

from .. import permissions as perms
from .. import results_day as rd
from .. import selectors
from ..forms import CandidateForm, ResultsDayForm, ReviewForm
from ..models import ResultsDay, ResultsDayStatus, Review

# One visibility rule for the pages and the API (permissions.py).
_access_day = perms.access_results_day
_candidates_visible_to = perms.candidates_visible_to
_access_candidate = perms.access_candidate


def _default_form() -> ResultsDayForm:
    initial = {"excellent_share_cap": "50", "excellent_min": "85"}
    for n, criterion in enumerate(ResultsDay().criteria):
        initial[f"criterion_{n}_name"] = criterion["name"]
        initial[f"criterion_{n}_points"] = criterion["points"]
    return ResultsDayForm(initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def results_day_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, campaign_id)
    can_create = perms.can_configure_scheme(user, campaign)
    form = _default_form() if can_create else None
    if request.method == "POST":
        form = ResultsDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                day = rd.results_day_create(
                    actor=user,
                    campaign=campaign,
                    name=data["name"],
                    date=data["date"],
                    criteria=form.criteria(),
                    excellent_share_cap=data["excellent_share_cap"],
                    excellent_min=data["excellent_min"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("成果发布“%(name)s”已创建。") % {"name": day.name})
                return redirect("assessment:results_day_detail", day_id=day.pk)
    return render(
        request,
        "assessment/results_day_list.html",
        {
            "campaign": campaign,
            "days": campaign.results_days.select_related("published_by"),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET"])
def results_day_detail(request: HttpRequest, day_id: int) -> HttpResponse:
    user = request.user
    day = _access_day(user, day_id)
    return _render_day(request, day)


def _render_day(request: HttpRequest, day: ResultsDay, candidate_form=None) -> HttpResponse:
    user = request.user
    candidates = list(
        _candidates_visible_to(user)
        .filter(results_day=day)
        .select_related("project", "project__lead", "project__org")
        .prefetch_related(Prefetch("reviews", queryset=Review.objects.select_related("reviewer")))
        .order_by("rank", "project__code", "pk")
    )
    for candidate in candidates:
        reviews = list(candidate.reviews.all())
        candidate.review_count = len(reviews)
        candidate.my_review = next((r for r in reviews if r.reviewer_id == user.pk), None)
        candidate.can_review = day.status == ResultsDayStatus.OPEN and rd.can_review(
            user, day, candidate.project
        )
    is_open = day.status == ResultsDayStatus.OPEN
    can_manage = is_open and perms.can_configure_scheme(user, day.campaign)
    return render(
        request,
        "assessment/results_day_detail.html",
        {
            "campaign": day.campaign,
            "day": day,
            "candidates": candidates,
            "is_open": is_open,
            "can_manage": can_manage,
            "can_publish": is_open and perms.can_publish_results_day(user, day),
            "candidate_form": candidate_form or (CandidateForm() if can_manage else None),
        },
    )


@login_required
@require_POST
def candidate_add(request: HttpRequest, day_id: int) -> HttpResponse:
    user = request.user
    day = _access_day(user, day_id)
    form = CandidateForm(request.POST)
    if form.is_valid():
        project = selectors.find_project(user, day.campaign, form.cleaned_data["code"])
        if project is None:
            form.add_error(
                "code",
                _("没有找到编号为“%(code)s”的项目。") % {"code": form.cleaned_data["code"]},
            )
        else:
            try:
                rd.candidate_add(actor=user, day=day, project=project)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("已将“%(project)s”列为候选项目。") % {"project": project}
                )
                return redirect("assessment:results_day_detail", day_id=day.pk)
    return _render_day(request, day, candidate_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, candidate_id: int) -> HttpResponse:
    user = request.user
    candidate = _access_candidate(user, candidate_id)
    day = candidate.results_day
    mine = Review.objects.filter(candidate=candidate, reviewer=user).first()
    if request.method == "POST":
        form = ReviewForm(request.POST, criteria=day.criteria)
        if form.is_valid():
            try:
                rd.review_submit(
                    actor=user,
                    candidate=candidate,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(
                    request, _("已保存对“%(project)s”的评审打分。") % {"project": candidate.project}
                )
                return redirect("assessment:results_day_detail", day_id=day.pk)
    else:
        initial = {"comment": mine.comment} if mine else {}
        if mine:
            for n, criterion in enumerate(day.criteria):
                initial[f"score_{n}"] = mine.scores.get(criterion["name"], "")
        form = ReviewForm(initial=initial, criteria=day.criteria)
    return render(
        request,
        "assessment/review_form.html",
        {
            "campaign": day.campaign,
            "day": day,
            "candidate": candidate,
            "form": form,
            "mine": mine,
            "can_review": day.status == ResultsDayStatus.OPEN
            and rd.can_review(user, day, candidate.project),
        },
    )


@login_required
@require_POST
def results_day_publish(request: HttpRequest, day_id: int) -> HttpResponse:
    day = _access_day(request.user, day_id)
    try:
        rd.results_day_publish(actor=request.user, day=day)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("成果发布结果已公布，今后不再改变。"))
    return redirect("assessment:results_day_detail", day_id=day.pk)
