"""Small pieces the check-in views share: paging, org filter options, evidence files."""

from collections.abc import Iterable

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, QueryDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from taizhang.campaigns.views.projects import (
    StaleChange,
    _add_stale_errors,
    _stale_context,
    _with_version,
)
from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error

from .. import permissions as perms
from .. import services
from ..models import BenefitClaim, Evidence, ProgressReport, RectificationItem


def page_of(request: HttpRequest, rows: QuerySet | list, per_page: int = 100) -> Page:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def attach_files(
    *,
    actor,
    uploads: Iterable,
    stored: list[Evidence],
    report: ProgressReport | None = None,
    claim: BenefitClaim | None = None,
    rectification: RectificationItem | None = None,
) -> None:
    """Add each upload as evidence, remembering what was written to storage in `stored`."""
    for upload in uploads:
        stored.append(
            services.evidence_add(
                actor=actor,
                upload=upload,
                report=report,
                claim=claim,
                rectification=rectification,
            )
        )


def discard_files(stored: list[Evidence]) -> None:
    """A refused request rolls its rows back; the files those rows pointed to go too, so
    storage keeps nothing that no record names."""
    for evidence in stored:
        evidence.file.delete(save=False)
    stored.clear()


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """Files are served through the owner's visibility check, never from a public media URL."""
    evidence = perms.access_evidence(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


# --------------------------------------------------------------------------- stale forms
# The project forms' "someone changed this since you opened it": the same history diff,
# shown the same way, for the check-in forms that carry a `version`.


def stale_changes(model: type[Model], obj: Model, since_version: int | None) -> list[StaleChange]:
    """The saves of `obj` after the version the form was opened at, each with its diff."""
    return _stale_context(model, obj, since_version)


def with_version(data: QueryDict, version: int) -> QueryDict:
    """The submitted data with the version just shown: saving again overwrites knowingly."""
    return _with_version(data, version)


def stale_decision_form(
    form_class: type[forms.Form], data: QueryDict, obj: Model, error: DomainError
) -> forms.Form:
    """A decision form on a detail page (review, verify, close out) refused as stale: bound
    again with the current version (a second click decides knowingly), with the 409 message
    and the other person's changes as lines under it. Nothing was saved."""
    since = data.get("version", "")
    form = form_class(with_version(data, obj.lock_version))  # type: ignore[attr-defined]
    form.is_valid()
    add_domain_error(form, error)
    _add_stale_errors(form, type(obj), obj, int(since) if since.isdigit() else None)
    return form


def stale_lines(obj: Model, since_version: int | None) -> list[str]:
    """The other person's changes as sentences, for a page that answers with messages."""
    lines = []
    for entry in stale_changes(type(obj), obj, since_version):
        who = str(entry.user) if entry.user else _("系统")
        lines += [
            _("%(who)s 把“%(label)s”由“%(old)s”改为“%(new)s”")
            % {"who": who, "label": change.label, "old": change.old, "new": change.new}
            for change in entry.changes
        ]
    return lines
