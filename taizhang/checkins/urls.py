from django.urls import path

from .views import boards, claims, common, inbox, inspections, periods, projects, reports

app_name = "checkins"

urlpatterns = [
    # campaign level
    path("campaigns/<int:campaign_id>/periods/", periods.period_list, name="period_list"),
    path(
        "campaigns/<int:campaign_id>/periods/generate/",
        periods.period_generate,
        name="period_generate",
    ),
    path("campaigns/<int:campaign_id>/periods/add/", periods.period_add, name="period_add"),
    path("periods/<int:period_id>/edit/", periods.period_edit, name="period_edit"),
    path("periods/<int:period_id>/close/", periods.period_close, name="period_close"),
    path("campaigns/<int:campaign_id>/board/", boards.period_board, name="board"),
    path("campaigns/<int:campaign_id>/claims/", claims.claim_list, name="claim_list"),
    path(
        "campaigns/<int:campaign_id>/inspections/",
        inspections.inspection_list,
        name="inspection_list",
    ),
    path("supervision/", boards.supervision, name="supervision"),
    # project level
    path("projects/<int:project_id>/", projects.project_checkins, name="project_checkins"),
    path(
        "projects/<int:project_id>/periods/<int:period_id>/report/",
        reports.report_edit,
        name="report_edit",
    ),
    path("projects/<int:project_id>/claims/new/", claims.claim_new, name="claim_new"),
    # reports
    path("reports/<int:report_id>/", reports.report_detail, name="report_detail"),
    path("reports/<int:report_id>/review/", reports.report_review, name="report_review"),
    path("reports/<int:report_id>/light/", reports.report_light, name="report_light"),
    # benefit claims
    path("claims/<int:claim_id>/", claims.claim_detail, name="claim_detail"),
    path("claims/<int:claim_id>/decide/", claims.claim_decide, name="claim_decide"),
    path("claims/<int:claim_id>/evidence/", claims.claim_evidence, name="claim_evidence"),
    # inspections
    path("inspections/new/", inspections.inspection_new, name="inspection_new"),
    path(
        "inspections/<int:inspection_id>/",
        inspections.inspection_detail,
        name="inspection_detail",
    ),
    path(
        "rectifications/<int:item_id>/",
        inspections.rectification_update,
        name="rectification_update",
    ),
    # files, inbox, robots
    path("evidence/<int:evidence_id>/", common.evidence_download, name="evidence_download"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:notification_id>/read/", inbox.notification_read, name="notification_read"),
    path("inbox/read-all/", inbox.notification_read_all, name="notification_read_all"),
    path("orgs/<int:org_id>/robots/", inbox.robots, name="robots"),
]
