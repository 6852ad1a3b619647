"""Locust user for ``benchmarks/bench.py``: each simulated client holds a verified session of one
persona (given in the file named by DIEF_BENCH_SPEC) and fetches that persona's pages in turn,
with no pause between them (16 such clients keep the server saturated).

``FastHttpUser`` (geventhttpclient) costs the client a fraction of the CPU of ``HttpUser``
(requests): the client shares the machine with the server, and a heavy client would slow the
cheap bare view most. Redirects are not followed: a page that answers 3xx is a failure here,
as is any status but 200. Every response time is written to the file named by
DIEF_BENCH_TIMES when the run stops, so that the benchmark computes exact percentiles over
several runs.
"""

import itertools
import json
import os
import random

from locust import FastHttpUser, constant, events, task

SPEC = json.loads(open(os.environ["DIEF_BENCH_SPEC"]).read())  # noqa: SIM115 - read once at import
_clients = itertools.cycle(SPEC["clients"])  # {"session": ..., "pages": [[label, url], ...]}
_times: list[tuple[str, float, bool]] = []


@events.request.add_listener
def _record(name, response_time, exception, **_kwargs):
    _times.append((name, response_time, exception is None))


@events.quitting.add_listener
def _write(**_kwargs):
    path = os.environ.get("DIEF_BENCH_TIMES")
    if path:
        with open(path, "w") as f:
            json.dump(_times, f)


class Participant(FastHttpUser):
    wait_time = constant(0)
    # One connection per client, kept alive where the server keeps it.
    concurrency = 1
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self):
        client = next(_clients)
        self.cookie = f"{SPEC['cookie']}={client['session']}"
        self.pages = list(client["pages"])
        random.shuffle(self.pages)
        self.cycle = itertools.cycle(self.pages)

    @task
    def page(self):
        label, url = next(self.cycle)
        with self.client.get(
            url, name=label, headers={"Cookie": self.cookie}, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                location = response.headers.get("Location", "") if response.headers else ""
                why = f" -> {location}" if location else (f" ({response.error!r})" if response.error else "")
                response.failure(f"{response.status_code} {url}{why}")
            else:
                response.success()
