from django.core.management.base import BaseCommand

from exercises.tasks import requeue_lost


class Command(BaseCommand):
    help = (
        "Send again the submissions whose grading message is gone: those the broker was down for at "
        "submit time, those it no longer holds (it restarted), and those a dead worker left running. "
        "A submission whose message is still in the broker is left alone. The worker's beat schedule "
        "runs this every few seconds; run it by hand after an outage."
    )

    def handle(self, *args, **options):
        count = requeue_lost()
        self.stdout.write(f"Requeued {count} submission(s).")
