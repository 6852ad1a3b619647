"""Profile one page of the benchmark data set: ``python benchmarks/profile_page.py PERSONA URL [N]``.

Runs after ``make bench`` has built its database (``BENCH_DATABASE_URL``); prints the functions
that take the most time over N requests (cumulative and own), for finding what to make faster.
"""

import cProfile
import os
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/diefbench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"


def main():
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from dief.testing import login_verified

    persona, url = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    client = Client()
    login_verified(client, User.objects.get(username=persona))
    for _ in range(3):
        response = client.get(url)
    print("status", response.status_code)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
