from datetime import timedelta

import pytest
from django.utils import timezone
from lti_tool.models import Key, LtiContext, LtiDeployment, LtiMembership, LtiRegistration, LtiResourceLink, LtiUser

from exercises.models import Exercise, Regrading
from lti.models import CourseLink, Outcome, PassbackCursor, Placement, account_for, collect
from teaching.models import Regrade
from tests.conftest import SIGMOID_RIGHT, SIGMOID_WRONG


@pytest.fixture
def registration(db):
    return LtiRegistration.objects.create(
        name="LMS", issuer="https://lms.test", client_id="c1", auth_url="https://lms.test/auth",
        token_url="https://lms.test/token", keyset_url="https://lms.test/jwks",
    )  # fmt: skip


@pytest.fixture
def context(registration):
    deployment = LtiDeployment.objects.create(registration=registration, deployment_id="d1", is_active=True)
    return LtiContext.objects.create(
        deployment=deployment, id_on_platform="course-1", title="Linear algebra", can_publish_scores=True
    )


@pytest.fixture
def lti_user(registration, learner):
    return LtiUser.objects.create(registration=registration, sub="s-1", email="ada@lms.test", auth_user=learner)


def placement_for(context, target, link_id="link-1"):
    link = LtiResourceLink.objects.create(context=context, id_on_platform=link_id)
    return Placement.for_launch(link, target, "https://lms.test/lineitems/1")


def test_it_makes_an_account_once_and_never_matches_by_email(registration, learner):
    learner.email = "ada@lms.test"
    learner.save()
    lti_user = LtiUser.objects.create(registration=registration, sub="s-9", email="ada@lms.test", name="Ada")
    user = account_for(lti_user)
    assert user != learner and user.username.startswith("ada-") and not user.has_usable_password()
    assert account_for(LtiUser.objects.get(pk=lti_user.pk)) == user


def test_it_links_one_cohort_per_lms_course(context, learner, instructor):
    link = CourseLink.for_context(context)
    assert CourseLink.for_context(context) == link and link.cohort.name == "Linear algebra (LMS)"
    teacher = LtiMembership(is_instructor=True)
    link.add_member(instructor, teacher)
    link.add_member(learner, LtiMembership(is_learner=True))
    link.add_member(instructor, LtiMembership(is_mentor=True))
    assert list(link.cohort.instructors.all()) == [instructor] and list(link.cohort.learners.all()) == [learner]


def test_it_resolves_only_known_targets(course):
    assert Placement.resolve("exercise:sigmoid")["exercise"].slug == "sigmoid"
    assert Placement.resolve("quiz:activations")["module"].slug == "activations"
    assert (
        Placement.resolve("exercise:nope") is None
        and Placement.resolve("module") is None
        and Placement.resolve(None) is None
    )


def test_it_scores_an_exercise_module_and_quiz(course, context, lti_user, learner, submit):
    exercise = placement_for(context, "exercise:sigmoid", "l1")
    module = placement_for(context, "module:activations", "l2")
    assert exercise.score_for(learner.pk) is None and module.score_for(learner.pk) is None
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    assert exercise.score_for(learner.pk) == (1.0, True)
    problem_set = Exercise.objects.published().problem_set().filter(module__slug="activations").count()
    assert module.score_for(learner.pk) == (1.0 / problem_set, False)
    assert placement_for(context, "quiz:activations", "l3").score_for(learner.pk) is None


def test_it_counts_work_done_before_the_link_was_opened(course, context, lti_user, learner, submit):
    submit(learner, "sigmoid", SIGMOID_WRONG)
    outcome = Outcome.for_launch(placement_for(context, "exercise:sigmoid"), learner, lti_user)
    assert outcome.state == Outcome.State.PENDING and 0 < outcome.score < 1


def test_it_collects_new_grades_and_waits_for_pending_ones(course, context, lti_user, learner, other_learner, submit):
    outcome = Outcome.for_launch(placement_for(context, "exercise:sigmoid"), learner, lti_user)
    assert outcome.state == Outcome.State.IDLE
    exercise = Exercise.objects.get(slug="sigmoid")
    stuck = exercise.submissions.create(learner=other_learner, version=exercise.current_version, answer="x")
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    assert collect() == 1
    outcome.refresh_from_db()
    assert outcome.state == Outcome.State.PENDING and outcome.score == 1.0 and outcome.completed
    assert PassbackCursor.objects.get().submission_id == stuck.pk - 1  # read again once graded
    assert collect() == 0  # nothing new: the same score is not queued twice


def test_it_reads_a_finished_regrade(course, context, lti_user, learner, instructor, submit):
    outcome = Outcome.for_launch(placement_for(context, "exercise:sigmoid"), learner, lti_user)
    first = submit(learner, "sigmoid", SIGMOID_WRONG)
    collect()
    link = CourseLink.for_context(context)
    link.cohort.enroll(learner)
    Outcome.objects.filter(pk=outcome.pk).update(score=0.25)  # as if the version had graded it lower
    regrade = Regrade.objects.create(
        cohort=link.cohort, exercise=first.exercise, version=first.version, requested_by=instructor
    )
    regrading = Regrading.objects.create(submission=first, version=first.version, status="graded", score=first.score)
    regrade.regradings.set([regrading])
    assert collect() == 1
    outcome.refresh_from_db()
    assert outcome.score == pytest.approx(first.score) and PassbackCursor.objects.get().regrade_id == regrade.pk


def test_it_claims_once_and_backs_off_on_failure(course, context, lti_user, learner, submit):
    submit(learner, "sigmoid", SIGMOID_WRONG)
    outcome = Outcome.for_launch(placement_for(context, "exercise:sigmoid"), learner, lti_user)
    claimed = Outcome.claim(outcome.pk)
    assert claimed is not None and Outcome.claim(outcome.pk) is None  # a second worker gets nothing
    assert claimed.mark_failed("the LMS answered 503") == timedelta(seconds=30)
    assert Outcome.claim(outcome.pk) is None  # not due before the backoff
    later = timezone.now() + timedelta(seconds=31)
    again = Outcome.claim(outcome.pk, now=later)
    assert again.mark_failed("still down", now=later) == timedelta(seconds=60)


def test_a_dead_workers_claim_expires(course, context, lti_user, learner, submit):
    submit(learner, "sigmoid", SIGMOID_WRONG)
    outcome = Outcome.for_launch(placement_for(context, "exercise:sigmoid"), learner, lti_user)
    assert Outcome.claim(outcome.pk) is not None
    assert Outcome.claim(outcome.pk, now=timezone.now() + Outcome.LEASE + timedelta(seconds=1)) is not None


def test_a_score_changed_while_sending_is_sent_again(course, context, lti_user, learner, submit):
    submit(learner, "sigmoid", SIGMOID_WRONG)
    outcome = Outcome.for_launch(placement_for(context, "exercise:sigmoid"), learner, lti_user)
    claimed = Outcome.claim(outcome.pk)
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    collect()
    claimed.mark_sent()
    outcome.refresh_from_db()
    assert outcome.state == Outcome.State.PENDING and outcome.score == 1.0 and outcome.sent_score is None
    assert Outcome.objects.due().filter(pk=outcome.pk).exists()


def test_the_configure_command_loads_the_key_and_platforms(db, tmp_path, settings):
    from django.core.management import call_command
    from jwcrypto.jwk import JWK

    key_file = tmp_path / "tool.pem"
    key_file.write_bytes(JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None))
    platforms = tmp_path / "platforms.yaml"
    platforms.write_text(
        "- name: Canvas\n  issuer: https://canvas.instructure.com\n  client_id: 10000000000001\n"
        "  auth_url: https://sso.canvaslms.com/api/lti/authorize_redirect\n  token_url: https://sso.canvaslms.com/login/oauth2/token\n"
        "  keyset_url: https://sso.canvaslms.com/api/lti/security/jwks\n  deployments: ['1:abc']\n"
    )
    settings.LTI_PRIVATE_KEY_FILE, settings.LTI_PLATFORMS_FILE = str(key_file), str(platforms)
    call_command("lti_configure")
    call_command("lti_configure")  # idempotent
    assert Key.objects.count() == 1
    registration = LtiRegistration.objects.get()
    assert registration.client_id == "10000000000001" and registration.deployments.get().is_active
    platforms.write_text("- name: Broken\n  issuer: https://x\n")
    with pytest.raises(Exception, match="lacks client_id"):
        call_command("lti_configure")


def test_it_keeps_a_score_it_cannot_deliver(course, context, lti_user, learner, submit, settings):
    """An LMS that cannot be reached: the score stays queued with the reason, for a later try."""
    from lti.tasks import send_outcome_now

    settings.LTI_HTTP_TIMEOUT_SECONDS = 2
    Key.objects.generate()
    LtiRegistration.objects.filter(pk=context.deployment.registration_id).update(token_url="http://127.0.0.1:9/token")
    submit(learner, "sigmoid", SIGMOID_RIGHT)
    outcome = send_outcome_now(Outcome.for_launch(placement_for(context, "exercise:sigmoid"), learner, lti_user).pk)
    assert outcome.state == Outcome.State.PENDING and outcome.score == 1.0 and outcome.attempts == 1
    assert "could not be reached" in outcome.last_error and outcome.leased_until is None
    assert outcome.next_attempt_at > timezone.now()
