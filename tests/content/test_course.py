"""The built-in course as a whole: it loads, it covers the syllabus, and every exercise agrees
with its own reference (the reference passes, the starter and every listed wrong answer fail).
All course code runs in the grading sandbox, never in this process."""

import re
from collections import defaultdict

import pytest

from exercises.content import CONTENT_ROOT, read_course
from exercises.models import Lesson, Module
from grader import engine

SYLLABUS, MODULES = read_course(CONTENT_ROOT)
EXERCISES = [exercise for module in MODULES for exercise in module.exercises]


def test_it_has_a_folder_for_every_module_of_the_syllabus():
    assert sorted(module.slug for module in MODULES) == sorted(SYLLABUS)


@pytest.mark.django_db
def test_it_loads_the_whole_course_into_the_database():
    from exercises.content import sync_course

    report = sync_course(CONTENT_ROOT)
    assert report.modules == len(SYLLABUS) == Module.objects.count()
    assert Lesson.objects.count() == len(SYLLABUS)
    assert report.exercises == len(EXERCISES)
    assert sync_course(CONTENT_ROOT).new_versions == 0  # idempotent


def test_it_covers_every_topic_with_every_required_kind():
    kinds_by_topic = defaultdict(set)
    for exercise in EXERCISES:
        if exercise.published:
            for topic in exercise.topics:
                kinds_by_topic[topic].add(exercise.kind)
    missing = []
    for module_id, module in SYLLABUS.items():
        for topic_id, topic in module["topics"].items():
            for kind in topic["kinds"]:
                have = kinds_by_topic[topic_id]
                if (kind == "any" and not have) or (kind != "any" and kind not in have):
                    missing.append(f"{module_id}: {topic_id} needs a published {kind} exercise")
    assert not missing, "\n".join(missing)


FIGURE_BLOCK = re.compile(r"^```figure\n.*?^```$", re.S | re.M)


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.slug)
def test_it_has_a_lesson_of_lecture_note_length_with_worked_examples(module):
    prose = FIGURE_BLOCK.sub(" ", module.lesson_markdown)  # a figure's text alternative is not lecture text
    words = len(re.findall(r"[A-Za-z]+", re.sub(r"\$[^$]*\$", " ", prose)))
    assert 1800 <= words <= 3200, f"{module.slug}: lesson has {words} words"
    examples = re.findall(r"^#+ Worked example", module.lesson_markdown, re.MULTILINE)
    assert len(examples) >= 2, f"{module.slug}: {len(examples)} worked examples"
    assert "<math" in module.lesson_html and "```python" in module.lesson_markdown


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.slug)
def test_it_illustrates_every_lesson_with_figures_that_have_a_caption_and_a_text_alternative(module):
    figures = re.findall(r"<figure class=\"lesson-figure\">(.*?)</figure>", module.lesson_html, re.S)
    assert len(figures) >= 2, f"{module.slug}: {len(figures)} figure(s); every lesson needs at least 2"
    for figure in figures:
        labelled = re.match(r'<svg role="img" aria-labelledby="([^"]+)"', figure)
        assert labelled, f"{module.slug}: a figure's SVG is not labelled"
        alt = re.search(rf'<title id="{labelled[1]}">([^<]*)</title>', figure)
        assert alt and len(alt[1].split()) >= 12, f"{module.slug}: a figure's text alternative is missing or too short"
        caption = re.search(r"<figcaption>(.+)</figcaption>$", figure, re.S)
        assert caption and caption[1].strip(), f"{module.slug}: a figure has no caption"
        assert len(figure.encode()) < 200_000, f"{module.slug}: a figure of {len(figure.encode()) // 1000} KB"


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.slug)
def test_it_has_a_mixed_quiz_of_five_to_ten_questions(module):
    quiz = [exercise for exercise in module.exercises if exercise.in_quiz and exercise.published]
    assert 5 <= len(quiz) <= 10, f"{module.slug}: {len(quiz)} quiz questions"
    assert len({exercise.kind for exercise in quiz}) >= 2, f"{module.slug}: the quiz uses one kind only"


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.slug)
def test_it_orders_the_problem_set_from_warm_up_to_challenge(module):
    rank = {"warm-up": 0, "core": 1, "challenge": 2}
    levels = [rank[exercise.difficulty] for exercise in module.exercises if not exercise.in_quiz]
    assert levels, f"{module.slug} has no problem set"
    assert levels == sorted(levels), f"{module.slug}: problem set is not ordered warm-up -> core -> challenge"


def test_it_uses_unique_slugs():
    slugs = [exercise.slug for exercise in EXERCISES]
    assert len(slugs) == len(set(slugs))


MODULE_OF = {exercise.slug: module.slug for module in MODULES for exercise in module.exercises}


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda exercise: exercise.slug)
def test_it_agrees_with_its_own_reference(exercise):
    seed = exercise.version(MODULE_OF[exercise.slug]).seed  # the seed load_course's version has
    cases = engine.prepare_code_cases(exercise.spec, seed) if exercise.kind == "code" else None
    if cases is not None:
        assert any(not case.hidden for case in cases), "no visible case"
        assert any(case.hidden for case in cases) or len(cases) <= 3, "no hidden case"
    failures = [
        f"{check.name} should {'pass' if check.should_pass else 'fail'}: {check.result.status} {check.result.message}"
        + "".join(
            f"\n    {case.name}: {case.message}" for case in check.result.cases if not case.passed and check.should_pass
        )
        for check in engine.validate(exercise.kind, exercise.spec, cases)
        if not check.ok
    ]
    assert not failures, "\n".join(failures)
