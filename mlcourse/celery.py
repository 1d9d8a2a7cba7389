import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlcourse.settings")

app = Celery("mlcourse")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
