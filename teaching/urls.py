from django.urls import path

from . import views

app_name = "teaching"

urlpatterns = [
    path("teach/", views.home, name="home"),
    path("teach/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("teach/cohorts/<int:pk>/", views.cohort_detail, name="cohort"),
    path("teach/cohorts/<int:pk>/invite/", views.cohort_new_invite, name="cohort_new_invite"),
    path("teach/cohorts/<int:pk>/completion/", views.cohort_completion, name="cohort_completion"),
    path("teach/cohorts/<int:pk>/hardest/", views.cohort_hardest, name="cohort_hardest"),
    path("teach/cohorts/<int:pk>/grid.csv", views.cohort_grid_csv, name="cohort_grid_csv"),
    path("teach/cohorts/<int:pk>/gradebook.csv", views.cohort_gradebook_csv, name="cohort_gradebook_csv"),
    path("teach/cohorts/<int:pk>/settings/", views.cohort_settings, name="cohort_settings"),
    path("teach/cohorts/<int:pk>/scores.csv", views.cohort_scores_csv, name="cohort_scores_csv"),
    path("teach/cohorts/<int:pk>/exercises/<slug:slug>/", views.cohort_exercise, name="cohort_exercise"),
    path("teach/cohorts/<int:pk>/exercises/<slug:slug>/regrade/", views.regrade_start, name="regrade_start"),
    path("teach/cohorts/<int:pk>/learners/<int:learner_id>/", views.cohort_learner, name="cohort_learner"),
    path("teach/regrades/<int:pk>/", views.regrade_detail, name="regrade"),
    path("teach/exercises/new/", views.exercise_new, name="exercise_new"),
    path("teach/exercises/import/", views.import_files, name="import"),
    path("teach/preview/", views.preview, name="preview"),
    path("teach/preview/expression/", views.expression_preview, name="expression_preview"),
    path("teach/exercises/<slug:slug>/", views.exercise_detail, name="exercise"),
    path("teach/exercises/<slug:slug>/edit/", views.exercise_edit, name="exercise_edit"),
    path("teach/exercises/<slug:slug>/validate/", views.exercise_validate, name="exercise_validate"),
    path("teach/exercises/<slug:slug>/publish/", views.exercise_publish, name="exercise_publish"),
    path("teach/exercises/<slug:slug>/unpublish/", views.exercise_unpublish, name="exercise_unpublish"),
    path("teach/exercises/<slug:slug>/copy/", views.exercise_copy, name="exercise_copy"),
    path("teach/exercises/<slug:slug>/coauthors/", views.exercise_coauthors, name="exercise_coauthors"),
    path("teach/exercises/<slug:slug>/audit.csv", views.exercise_audit_csv, name="exercise_audit_csv"),
    path("teach/exercises/<slug:slug>/versions/<int:number>/", views.exercise_version_diff, name="exercise_version"),
    path(
        "teach/exercises/<slug:slug>/versions/<int:number>/rollback/", views.exercise_rollback, name="exercise_rollback"
    ),
    path("teach/exercises/<slug:slug>/export.yaml", views.exercise_export, name="exercise_export"),
    path("teach/modules/<slug:slug>/export.zip", views.module_export, name="module_export"),
    path("teach/validations/<int:pk>/", views.validation_detail, name="validation"),
    path("join/<slug:code>/", views.join, name="join"),
    path("progress/", views.my_progress, name="my_progress"),
    path("progress/join/", views.join_by_code, name="join_by_code"),
]
