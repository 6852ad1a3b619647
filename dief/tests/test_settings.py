"""Production settings come from the environment and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

from dief import crypto

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DIEF_"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_with_production_settings_reports_nothing(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        env_extra={
            "DIEF_ENV": "production",
            "SECRET_KEY": "x" * 30 + "-production-secret-from-the-environment-" + "y" * 20,
            "ALLOWED_HOSTS": "dief.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "DIEF_VAR_DIR": str(tmp_path),
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "DIEF_DOCUMENT_KEYS": f"2026-11:{crypto.new_key()},2026-01:{crypto.new_key()}",
            "DIEF_BACKUP_KEYS": f"b1:{crypto.new_key()}",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_document_or_backup_keys(tmp_path):
    base = {
        "DIEF_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "dief.example.org",
        "DIEF_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    result = run_manage("check", env_extra={**base, "DIEF_BACKUP_KEYS": f"b1:{crypto.new_key()}"})
    assert result.returncode != 0 and "DIEF_DOCUMENT_KEYS" in result.stderr
    result = run_manage("check", env_extra={**base, "DIEF_DOCUMENT_KEYS": f"d1:{crypto.new_key()}"})
    assert result.returncode != 0 and "DIEF_BACKUP_KEYS" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage("check", env_extra={"DIEF_ENV": "production", "DIEF_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_clock_is_the_only_caller_of_now():
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or path.name == "clock.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "datetime.now(" in text or "timezone.now(" in text or "date.today(" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
