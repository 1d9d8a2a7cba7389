from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from exercises.access import INSTRUCTORS_GROUP
from teaching.models import Cohort

DEMO_USERS = [
    # (username, password, is instructor)
    ("learner", "learner-demo-pass", False),
    ("instructor", "instructor-demo-pass", True),
]
DEMO_COHORT = "Demo cohort"


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo learner and instructor accounts that `make run` prints, and a "
        "demo cohort taught by the instructor with the learner enrolled."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        users = {}
        instructors, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        for username, password, is_instructor in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = is_instructor
            user.save()
            if is_instructor:
                user.groups.add(instructors)
            users[username] = user
            self.stdout.write(f"  {'instructor' if is_instructor else 'learner':<10}  {username} / {password}")
        cohort = Cohort.objects.filter(name=DEMO_COHORT, instructors=users["instructor"]).first()
        if cohort is None:
            cohort = Cohort.objects.create(name=DEMO_COHORT)
            cohort.instructors.add(users["instructor"])
        cohort.enroll(users["learner"])
        self.stdout.write(f"  cohort      {cohort.name} (invite code {cohort.invite_code})")
