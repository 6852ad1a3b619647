"""The Celery application: it enforces the ToR deadlines through one periodic sweep."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dief.settings")

app = Celery("dief")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
