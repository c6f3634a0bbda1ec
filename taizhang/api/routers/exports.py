"""Where a campaign's files (xlsx, docx) are downloaded.

The files are built by the exports app's pages; the API only points at them (a download
there needs the browser session, as the exports app's own checks are login-based).
"""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy
from ninja import Router, Schema

from taizhang.campaigns.permissions import access_campaign

from ..lookups import actor
from ..schemas.common import Id

router = Router(tags=["exports"])

# (URL name, label, format); an export the exports app does not (yet) offer is left out.
CAMPAIGN_EXPORTS = [
    ("ledger_export:xlsx", gettext_lazy("项目台账"), "xlsx"),
    ("exports:assessment_sheet", gettext_lazy("考核表"), "xlsx"),
    ("documents:summary", gettext_lazy("分析总结"), "docx"),
]


class ExportLink(Schema):
    name: str
    format: str
    url: str


class ExportLinks(Schema):
    items: list[ExportLink]


@router.get(
    "/campaigns/{campaign_id}/exports",
    response=ExportLinks,
    summary="Download links of the campaign's files (opened with the browser session)",
)
def campaign_exports(request: HttpRequest, campaign_id: Id):
    campaign = access_campaign(actor(request), campaign_id)
    items = []
    for name, label, kind in CAMPAIGN_EXPORTS:
        try:
            path = reverse(name, kwargs={"campaign_id": campaign.pk})
        except NoReverseMatch:
            continue
        items.append({"name": str(label), "format": kind, "url": request.build_absolute_uri(path)})
    return {"items": items}
