from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("modules/<slug:slug>/", views.module_detail, name="module"),
    path("modules/<slug:slug>/quiz/", views.quiz, name="quiz"),
    path("quiz/attempts/<int:pk>/", views.quiz_attempt, name="quiz_attempt"),
    path("quiz/attempts/<int:pk>/finish/", views.quiz_finish, name="quiz_finish"),
    path("quiz/attempts/<int:pk>/<slug:slug>/", views.quiz_answer, name="quiz_answer"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise"),
    path("exercises/<slug:slug>/preview/", views.exercise_preview, name="exercise_preview"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/answer.txt", views.submission_answer, name="submission_answer"),
    path("submissions/<int:pk>/cases/<int:index>/plot/", views.submission_plot, name="submission_plot"),
]
