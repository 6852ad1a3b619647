"""Security headers: a CSP nonce for scripts, Permissions-Policy, no-store on credential pages,
__Host- cookies in production."""

import re

from django.urls import reverse

from dief import crypto
from dief.testing import login_password_only, login_verified
from dief.tests.test_settings import run_manage


def test_scripts_need_the_request_nonce(client, delegate_party):
    login_verified(client, delegate_party)
    policies = [client.get(reverse("meetings:list"))["Content-Security-Policy"] for _ in range(2)]
    scripts = [re.search(r"script-src ([^;]*)", p).group(1) for p in policies]
    assert all(re.fullmatch(r"'nonce-[A-Za-z0-9+/=]{16,}'", s) for s in scripts), scripts
    assert scripts[0] != scripts[1]
    assert "'self'" not in scripts[0] and "unsafe-inline" not in scripts[0]


def test_the_admin_loads_django_static_scripts_and_nothing_inline(client, superuser):
    login_verified(client, superuser)
    response = client.get(reverse("admin:index"))
    script_src = re.search(r"script-src ([^;]*)", response["Content-Security-Policy"]).group(1)
    assert "'self'" in script_src and "unsafe-inline" not in script_src


def test_no_page_template_has_an_inline_script_without_the_nonce():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for path in root.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text(encoding="utf-8")):
            assert "csp_nonce" in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", path.read_text(encoding="utf-8")), path
        # A form's scripts go through {% nonced_scripts form.media %}, never bare {{ form.media }}.
        assert not re.search(r"\{\{[^}]*\.media\b", path.read_text(encoding="utf-8")), path


def test_permissions_policy_denies_browser_features(client):
    header = client.get(reverse("login"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in header


def test_credential_pages_are_never_stored(client, delegate_party):
    for url in (reverse("login"), reverse("password_reset"), reverse("password_reset_done")):
        assert "no-store" in client.get(url)["Cache-Control"], url
    login_password_only(client, delegate_party)
    for url in (reverse("twofactor:verify"), reverse("twofactor:enrol")):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_production_cookies_are_host_prefixed(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN, s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH)",
        env_extra={
            "DIEF_ENV": "production",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "dief.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "DIEF_VAR_DIR": str(tmp_path),
            "DIEF_DOCUMENT_KEYS": f"d1:{crypto.new_key()}",
            "DIEF_BACKUP_KEYS": f"b1:{crypto.new_key()}",
        },
    )
    assert result.stdout.split()[-8:] == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "None",
        "None",
        "/",
        "/",
    ], result.stdout + result.stderr
