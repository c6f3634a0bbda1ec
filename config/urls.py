from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from taizhang.api.api import api
from taizhang.api.views import api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    # Anything else under /api/v1/ answers in the API's JSON error shape, not an HTML 404.
    re_path(r"^api/v1/(?P<rest>.*)$", api_not_found),
    path("account/api-tokens/", include("taizhang.api.web_urls")),
    path("webhooks/", include("taizhang.webhooks.urls")),
    path("", include("taizhang.core.urls")),
    path("orgs/", include("taizhang.orgs.urls")),
    path("campaigns/", include("taizhang.campaigns.urls")),
    path("checkins/", include("taizhang.checkins.urls")),
    path("assessment/", include("taizhang.assessment.urls")),
    path("exports/ledger/", include("taizhang.exports.ledger_urls")),
    path("exports/", include("taizhang.exports.urls")),
    path("imports/", include("taizhang.imports.urls")),
    path("jobs/", include("taizhang.jobs.urls")),
    path("analysis/", include("taizhang.analysis.urls")),
    path("documents/", include("taizhang.exports.urls_docx")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
