from django.contrib import admin

from .models import (
    Exercise,
    ExerciseProgress,
    ExerciseVersion,
    Lesson,
    Module,
    QuizAttempt,
    Submission,
    Topic,
)


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("order", "slug", "title")


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("slug", "module", "kind", "difficulty", "in_quiz", "published")
    list_filter = ("module", "kind", "published", "in_quiz")
    search_fields = ("slug", "title")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "exercise", "learner", "status", "score", "submitted_at")
    list_filter = ("status",)
    raw_id_fields = ("learner", "exercise", "version", "quiz_attempt")


admin.site.register([Lesson, Topic, ExerciseVersion, ExerciseProgress, QuizAttempt])
