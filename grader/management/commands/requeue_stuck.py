from django.core.management.base import BaseCommand

from grader.tasks import requeue_stuck_submissions


class Command(BaseCommand):
    help = (
        "Queue again submissions the broker lost (queued for over a minute) or that a dead worker "
        "left running. The worker's beat schedule runs this every 30 s; run it by hand after an outage."
    )

    def handle(self, *args, **options):
        count = requeue_stuck_submissions()
        self.stdout.write(f"Requeued {count} submission(s).")
