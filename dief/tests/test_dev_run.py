"""`make run` on a laptop: the port can be changed and the on-disk broker keeps to var/."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.skipif(not shutil.which("make"), reason="GNU make is not installed")
def test_port_from_the_environment_reaches_the_web_process():
    env = {**os.environ, "PORT": "8001"}
    dry_run = subprocess.run(["make", "-n", "-B", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "honcho -f Procfile.dev start --port 8001" in dry_run.stdout
    web = next(line for line in (ROOT / "Procfile.dev").read_text().splitlines() if line.startswith("web:"))
    assert "127.0.0.1:$PORT" in web


@pytest.mark.skipif(not shutil.which("make"), reason="GNU make is not installed")
def test_port_defaults_to_8000():
    env = {k: v for k, v in os.environ.items() if k != "PORT"}
    dry_run = subprocess.run(["make", "-n", "-B", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert "--port 8000" in dry_run.stdout


def test_filesystem_broker_keeps_its_exchange_tables_under_the_given_folder(tmp_path, monkeypatch):
    from django.conf import settings

    monkeypatch.chdir(tmp_path)
    broker = tmp_path / "var" / "broker"
    options = {
        **getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
    }
    for sub in ("queue", "processed"):
        (broker / sub).mkdir(parents=True)
    exchange = Exchange("dief-test", type="direct")
    with Connection("filesystem://", transport_options=options) as conn:
        queue = Queue("dief-test", exchange, routing_key="dief-test")
        queue(conn.channel()).declare()
    assert (broker / "control" / "dief-test.exchange").exists()
    assert not (tmp_path / "control").exists()


def test_laptop_settings_put_the_broker_control_folder_under_var():
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("filesystem"):
        pytest.skip("a network broker is configured")
    control = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["control_folder"])
    assert control.is_relative_to(settings.VAR_DIR)


def test_no_broker_folder_is_committed():
    tracked = subprocess.run(["git", "ls-files", "control"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode:
        pytest.skip("not a git checkout")
    assert tracked.stdout == ""
    assert "control/" in (ROOT / ".gitignore").read_text().splitlines()
