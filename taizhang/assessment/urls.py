from django.urls import path

from .views import entries, results_days, schemes, scores

app_name = "assessment"

urlpatterns = [
    # schemes
    path("campaigns/<int:campaign_id>/scheme/", schemes.scheme_detail, name="scheme_detail"),
    path(
        "campaigns/<int:campaign_id>/scheme/default/",
        schemes.scheme_create_default,
        name="scheme_create_default",
    ),
    path("campaigns/<int:campaign_id>/scheme/copy/", schemes.scheme_copy, name="scheme_copy"),
    path("schemes/<int:scheme_id>/edit/", schemes.scheme_edit, name="scheme_edit"),
    # scores, publication and the explanations
    path("campaigns/<int:campaign_id>/scores/", scores.scores, name="scores"),
    path("campaigns/<int:campaign_id>/scores/recompute/", scores.recompute, name="recompute"),
    path("campaigns/<int:campaign_id>/scores/publish/", scores.publish, name="publish"),
    path(
        "runs/<int:run_id>/projects/<int:project_id>/",
        scores.project_breakdown,
        name="project_breakdown",
    ),
    path("runs/<int:run_id>/orgs/<int:org_id>/", scores.org_breakdown, name="org_breakdown"),
    path(
        "projects/<int:project_id>/score/", scores.project_score_panel, name="project_score_panel"
    ),
    # manual entries
    path("campaigns/<int:campaign_id>/entries/", entries.entry_list, name="entry_list"),
    path("campaigns/<int:campaign_id>/entries/new/", entries.entry_new, name="entry_new"),
    path("entries/<int:entry_id>/evidence/", entries.entry_evidence, name="entry_evidence"),
    # results day
    path(
        "campaigns/<int:campaign_id>/results-days/",
        results_days.results_day_list,
        name="results_day_list",
    ),
    path("results-days/<int:day_id>/", results_days.results_day_detail, name="results_day_detail"),
    path(
        "results-days/<int:day_id>/candidates/",
        results_days.candidate_add,
        name="candidate_add",
    ),
    path(
        "results-days/<int:day_id>/publish/",
        results_days.results_day_publish,
        name="results_day_publish",
    ),
    path("candidates/<int:candidate_id>/review/", results_days.review, name="review"),
]
