"""The campaign's scoring scheme: view a version, create from the default, copy, edit.

Only the campaign owner's admins configure (permissions.can_configure_scheme); everyone who
sees the campaign reads the scheme. The editor posts the whole scheme; services.scheme_update
validates it before it writes anything, and a scheme with published results becomes a new
version instead of being changed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taizhang.campaigns.permissions import access_campaign
from taizhang.core.exceptions import DomainError

from .. import permissions as perms
from .. import selectors, services
from ..forms import CRITERION_PARAMS, SchemeCopyForm, SchemeEditor
from ..models import CriterionKind, DeductionKind, RollupRule, RunKind


def _param_text(criterion) -> str:
    """The criterion's adjustable parameter as the scheme page shows it."""
    key_label = CRITERION_PARAMS.get(criterion.kind)
    params = criterion.params or {}
    if not key_label or key_label[0] not in params:
        return ""
    return f"{key_label[1]}：{params[key_label[0]]}"


@login_required
@require_GET
def scheme_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, campaign_id)
    versions = list(selectors.scheme_versions(campaign))
    wanted = request.GET.get("version", "").strip()
    if wanted:
        chosen = next((s for s in versions if str(s.version) == wanted), None)
        if chosen is None:
            raise Http404
    else:
        chosen = next((s for s in versions if s.is_active), versions[0] if versions else None)
    scheme = selectors.scheme_with_items(chosen.pk) if chosen else None
    can_configure = perms.can_configure_scheme(user, campaign)
    if scheme is not None:
        kinds = dict(CriterionKind.choices)
        for dimension in scheme.dimensions.all():
            for criterion in dimension.criteria.all():
                criterion.kind_label = kinds.get(criterion.kind, criterion.kind)
                criterion.param_text = _param_text(criterion)
        deduction_kinds = dict(DeductionKind.choices)
        for deduction in scheme.deductions.all():
            deduction.kind_label = deduction_kinds.get(deduction.kind, deduction.kind)
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "campaign": campaign,
            "scheme": scheme,
            "chosen": chosen,
            "versions": versions,
            "rollup_label": dict(RollupRule.choices).get(scheme.rollup_rule) if scheme else "",
            "can_configure": can_configure,
            "copy_form": SchemeCopyForm(sources=selectors.copy_sources(user, campaign))
            if can_configure
            else None,
        },
    )


@login_required
@require_POST
def scheme_create_default(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access_campaign(request.user, campaign_id)
    try:
        scheme = services.scheme_create(
            actor=request.user, campaign=campaign, spec=services.default_scheme_spec()
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("assessment:scheme_detail", campaign_id=campaign.pk)
    messages.success(
        request, _("已按默认方案创建 v%(version)s，可在下方修改。") % {"version": scheme.version}
    )
    return redirect("assessment:scheme_edit", scheme_id=scheme.pk)


@login_required
@require_POST
def scheme_copy(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, campaign_id)
    form = SchemeCopyForm(request.POST, sources=selectors.copy_sources(user, campaign))
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("assessment:scheme_detail", campaign_id=campaign.pk)
    try:
        scheme = services.scheme_copy(
            actor=user, source=form.cleaned_data["source"], campaign=campaign
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("assessment:scheme_detail", campaign_id=campaign.pk)
    messages.success(
        request,
        _("已复制为新版本 v%(version)s 并启用；草稿成绩需重新计算。") % {"version": scheme.version},
    )
    return redirect("assessment:scheme_edit", scheme_id=scheme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, scheme_id: int) -> HttpResponse:
    user = request.user
    # Out of scope, or not the owner: 404, like a scheme that does not exist.
    scheme = perms.access_scheme(user, scheme_id, for_edit=True)
    campaign = scheme.campaign
    if not scheme.is_active:
        messages.info(request, _("只能修改当前启用的版本；如需沿用旧版本，请先复制它。"))
        url = reverse("assessment:scheme_detail", args=[campaign.pk])
        return redirect(f"{url}?version={scheme.version}")
    has_published = scheme.runs.filter(kind=RunKind.PUBLISHED).exists()
    if request.method == "POST":
        editor = SchemeEditor(
            request.POST, org_choices=selectors.weight_org_choices(campaign, scheme)
        )
        if not editor.adding and editor.is_valid():
            try:
                saved = services.scheme_update(actor=user, scheme=scheme, spec=editor.to_spec())
            except DomainError as error:
                editor.add_domain_error(error)
            else:
                if saved.pk != scheme.pk:
                    messages.success(
                        request,
                        _(
                            "原方案已有发布结果，修改已保存为新版本 v%(version)s 并启用；已发布的结果不变。"
                        )
                        % {"version": saved.version},
                    )
                else:
                    messages.success(request, _("方案已保存。草稿成绩已清除，请重新计算。"))
                return redirect("assessment:scheme_detail", campaign_id=campaign.pk)
        elif not editor.adding:
            editor.error = _("有填写错误，方案未保存。请按提示修改。")
    else:
        editor = SchemeEditor(
            spec=services.spec_of(scheme),
            org_choices=selectors.weight_org_choices(campaign, scheme),
        )
    return render(
        request,
        "assessment/scheme_form.html",
        {
            "campaign": campaign,
            "scheme": scheme,
            "editor": editor,
            "has_published": has_published,
            "band_labels": editor.band_labels(),
            "param_help": [
                (CriterionKind(kind).label, label)
                for kind, (_key, label) in CRITERION_PARAMS.items()
            ],
        },
    )
