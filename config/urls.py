from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("taizhang.core.urls")),
    path("orgs/", include("taizhang.orgs.urls")),
    path("campaigns/", include("taizhang.campaigns.urls")),
    path("checkins/", include("taizhang.checkins.urls")),
    path("analysis/", include("taizhang.analysis.urls")),
    path("documents/", include("taizhang.exports.urls_docx")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
