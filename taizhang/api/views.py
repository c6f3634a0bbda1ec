"""The personal token page, and the JSON 404 for unknown /api/v1/ addresses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error

from . import services
from .errors import error_body
from .forms import TokenForm
from .permissions import access_token, tokens_visible_to


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens; a new one is shown once, on the page that created it."""
    created_token = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                token, created_token = services.token_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                form = TokenForm()
                messages.success(
                    request,
                    _("令牌“%(name)s”已创建。请立即复制，它只显示这一次。") % {"name": token.name},
                )
    else:
        form = TokenForm()
    response = render(
        request,
        "api/token_list.html",
        {
            "tokens": tokens_visible_to(request.user).order_by("revoked_at", "-created_at", "-id"),
            "form": form,
            "created_token": created_token,
        },
    )
    # The page may hold a secret: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access_token(request.user, token_id)
    try:
        services.token_revoke(actor=request.user, token=token)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("令牌“%(name)s”已撤销，立即失效。") % {"name": token.name})
    return redirect("tokens:token_list")


@csrf_exempt
def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown addresses under /api/v1/ answer in the API's error shape, not an HTML page."""
    return JsonResponse(
        error_body("not_found", _("没有这个接口地址，请查看 /api/v1/docs。")),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
