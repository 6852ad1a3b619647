"""Beyond one machine: documents in an S3-compatible bucket, uploaded through one web process
and downloaded through another that has a different local folder, byte for byte.

Real processes: an S3 protocol endpoint (moto's standalone server on loopback) and two
gunicorn web processes on the test's PostgreSQL database. The test skips when PostgreSQL or
its parts are missing, and fails instead when DIEF_REQUIRE_INTEGRATION=1 (CI).
"""

import base64
import datetime
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections

from dief.testing import pdf_bytes

ROOT = Path(__file__).resolve().parents[2]
SECRET_TEXT = b"Consignment 7731 re-exported through the free zone"
PDF = pdf_bytes(SECRET_TEXT.decode())  # a real PDF: downloads stamp it
BUCKET = "dief-documents"


def _unavailable() -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "needs PostgreSQL: DATABASE_URL is not a postgres:// URL"
    for module in ("moto.server", "boto3", "storages", "gunicorn", "requests"):
        try:
            __import__(module)
        except ImportError as exc:
            return f"needs {module}: {exc}"
    return None


@pytest.fixture(scope="session")
def multiprocess_parts():
    reason = _unavailable()
    if reason:
        if os.environ.get("DIEF_REQUIRE_INTEGRATION") == "1":
            pytest.fail(f"{reason} (DIEF_REQUIRE_INTEGRATION=1: the multi-process test must run)", pytrace=False)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process exited early:\n{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listened on {port}:\n{log.read_text(errors='replace')[-3000:]}")


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], tmp: Path, port: int):
        self.log = tmp / f"{name}.log"
        self._out = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.port = port
        _wait_for_port(port, self.popen, self.log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        self._out.close()


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = quote(s.get("USER") or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = (s.get("HOST") or "") + (f":{s['PORT']}" if s.get("PORT") else "")
    return f"postgres://{auth}@{host}/{quote(s['NAME'], safe='')}"


@pytest.fixture
def s3_endpoint(multiprocess_parts, tmp_path):
    port = _free_port()
    server = Process(
        "s3",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        dict(os.environ),
        tmp_path,
        port,
    )
    import boto3

    client = boto3.client(
        "s3", endpoint_url=server.url, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket=BUCKET)
    yield server, client
    server.stop()


def _web_env(var_dir: Path, s3_url: str) -> dict[str, str]:
    keys = ",".join(f"{k}:{base64.b64encode(v).decode()}" for k, v in settings.DIEF_DOCUMENT_KEYS.items())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIEF_", "CELERY_")) and k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=_test_database_url(),
        SECRET_KEY=settings.SECRET_KEY,
        DIEF_VAR_DIR=str(var_dir),
        DIEF_DOCUMENT_STORAGE="s3",
        DIEF_S3_BUCKET=BUCKET,
        DIEF_S3_ENDPOINT_URL=s3_url,
        DIEF_S3_REGION="us-east-1",
        DIEF_S3_ACCESS_KEY_ID="test",
        DIEF_S3_SECRET_ACCESS_KEY="test",
        DIEF_DOCUMENT_KEYS=keys,
        CELERY_BROKER_URL="memory://",
        CELERY_TASK_ALWAYS_EAGER="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def _gunicorn(name: str, env: dict[str, str], tmp: Path) -> Process:
    port = _free_port()
    script = Path(sys.executable).parent / "gunicorn"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]
    return Process(
        name, [*command, "dief.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env, tmp, port
    )


@pytest.mark.multiprocess
@pytest.mark.django_db(transaction=True)
def test_a_document_uploaded_through_one_web_process_downloads_through_another(s3_endpoint, tmp_path):
    import requests
    from django.test import Client

    from accounts.enums import Role
    from dief.testing import UserFactory, login_verified, make_state, meeting_factory, pdf_text, tor_version
    from documents.models import Document, DocumentAccess
    from presentations import services as presentation_services

    server, s3 = s3_endpoint
    tor_version()
    secretariat = UserFactory(username="sec", role=Role.SECRETARIAT, participant_role="")
    president = UserFactory(username="pres", role=Role.CSP_PRESIDENT, participant_role="")
    state = make_state("CHE", name="Switzerland")
    delegate = UserFactory(username="delegate", state=state)
    meeting = meeting_factory(start_date=datetime.date(2099, 3, 20), created_by=secretariat, convened_by=president)
    presentation = presentation_services.register_presentation(
        by=delegate, meeting=meeting, kind="case", title="Case", summary="S"
    )
    client = Client()
    login_verified(client, delegate)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    connections.close_all()

    web_a = _gunicorn("web_a", _web_env(tmp_path / "var_a", server.url), tmp_path)
    web_b = _gunicorn("web_b", _web_env(tmp_path / "var_b", server.url), tmp_path)
    try:
        browser = requests.Session()
        browser.cookies.set(settings.SESSION_COOKIE_NAME, session_cookie)
        page = browser.get(f"{web_a.url}/presentations/{presentation.pk}/", timeout=30)
        assert page.status_code == 200, page.text[:500]
        token = browser.cookies.get(settings.CSRF_COOKIE_NAME)
        upload = browser.post(
            f"{web_a.url}/presentations/{presentation.pk}/documents/",
            data={"csrfmiddlewaretoken": token},
            files={"file": ("Zone franche rapport.pdf", PDF, "application/pdf")},
            headers={"Referer": f"{web_a.url}/presentations/{presentation.pk}/"},
            timeout=30,
            allow_redirects=False,
        )
        assert upload.status_code in (302, 303), upload.text[:800]
        document = Document.objects.get()

        # The bucket holds ciphertext under a random name; neither local folder holds the file.
        (stored,) = s3.list_objects_v2(Bucket=BUCKET)["Contents"]
        raw = s3.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read()
        assert SECRET_TEXT not in raw and b"%PDF" not in raw
        assert "Zone" not in stored["Key"] and "rapport" not in stored["Key"]
        for var in ("var_a", "var_b"):
            documents = tmp_path / var / "documents"
            assert not documents.exists() or not any(p.is_file() for p in documents.rglob("*"))

        download = browser.get(f"{web_b.url}/documents/{document.token}/", timeout=30)
        assert download.status_code == 200, download.text[:500]
        # A PDF comes back stamped for this download; the log holds the served file's SHA-256.
        (page_text,) = pdf_text(download.content)
        assert SECRET_TEXT.decode() in page_text and "Download id" in page_text
        access = DocumentAccess.objects.get(download_id=download.headers["X-Download-Id"])
        assert access.sha256 == hashlib.sha256(download.content).hexdigest()
        assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    finally:
        web_a.stop()
        web_b.stop()
        connections.close_all()
        shutil.rmtree(tmp_path / "var_a", ignore_errors=True)
        shutil.rmtree(tmp_path / "var_b", ignore_errors=True)
