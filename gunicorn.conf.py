"""gunicorn's configuration for dief's web processes (read from the working directory by
``gunicorn dief.wsgi:application``; the benchmark starts its server with it too).

Every value can be set from the environment; the defaults suit a small server:

- ``WEB_CONCURRENCY`` worker processes (default 2 per CPU core + 1, gunicorn's own rule of
  thumb: a page spends part of its time waiting for PostgreSQL, another worker uses the CPU
  meanwhile). Sync workers: one request at a time each, no thread sharing an interpreter.
  Each keeps its database connection between requests (``CONN_MAX_AGE``, checked before reuse:
  ``CONN_HEALTH_CHECKS``, in dief/settings.py).
- ``PORT`` (default 8000) on all interfaces, behind the load balancer or reverse proxy that
  terminates TLS (``GUNICORN_BIND`` for anything else).
- ``GUNICORN_TIMEOUT`` seconds before a stuck worker is replaced (default 30).
- ``GUNICORN_MAX_REQUESTS``: a worker is replaced after that many requests, with jitter, so
  that memory cannot creep (default 2000; 0 turns it off).
"""

import os

_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

wsgi_app = "dief.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * _cores + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Load the application once, before forking: workers start warm and share its memory. (No
# database connection is opened at import, so none is shared across the fork.)
preload_app = True
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def when_ready(server):
    """In the master, once the application is preloaded and before any worker is forked: build
    what each worker would otherwise build on its first requests (URL patterns, translation
    catalogues, State names, every template: ``dief.warm``), so a new worker, or one replaced
    after ``max_requests``, starts warm. No database connection is opened."""
    from django.apps import apps

    if not apps.ready:
        return
    from dief.warm import warm

    warm()
