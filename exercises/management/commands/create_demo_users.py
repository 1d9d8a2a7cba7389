from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

DEMO_USERS = [
    # (username, password, is instructor)
    ("learner", "learner-demo-pass", False),
    ("instructor", "instructor-demo-pass", True),
]
INSTRUCTORS_GROUP = "instructors"


class Command(BaseCommand):
    help = "Create (or reset) the demo learner and instructor accounts that `make run` prints."

    def handle(self, *args, **options):
        User = get_user_model()
        instructors, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        for username, password, is_instructor in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.is_staff = is_instructor
            user.save()
            if is_instructor:
                user.groups.add(instructors)
            self.stdout.write(f"  {'instructor' if is_instructor else 'learner':<10}  {username} / {password}")
