"""Locust user for ``benchmarks/bench.py``: each simulated client holds a verified session of one
persona (given in the file named by DIEF_BENCH_SPEC) and fetches the given pages in turn."""

import itertools
import json
import os
import random

from locust import HttpUser, constant, task

SPEC = json.loads(open(os.environ["DIEF_BENCH_SPEC"]).read())  # noqa: SIM115 - read once at import
_sessions = itertools.cycle(SPEC["sessions"])


class Participant(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.client.cookies.set(SPEC["cookie"], next(_sessions))
        self.urls = list(SPEC["urls"])
        random.shuffle(self.urls)
        self.pages = itertools.cycle(self.urls)

    @task
    def page(self):
        url = next(self.pages)
        self.client.get(url, name=url if len(SPEC["urls"]) == 1 else "page mix", allow_redirects=False)
