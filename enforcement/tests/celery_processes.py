"""Helpers for the Celery integration test: real worker and beat subprocesses, and an SMTP
server that accepts connections and never answers (so that a send hangs while it holds the
outbox row lock)."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def celery_command() -> list[str]:
    """``.venv/bin/celery`` (the script next to the running interpreter), else ``python -m celery``."""
    script = Path(sys.executable).parent / "celery"
    return [str(script)] if script.exists() else [sys.executable, "-m", "celery"]


class CeleryProcess:
    """One ``celery -A dief <command>`` in its own process group, output to ``log_path``."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            [*celery_command(), "-A", "dief", *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg() reaches every child
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        self._log.flush()
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def _signal_group(self, sig) -> None:
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL the whole process group and reap the process."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; always reaps and closes the log."""
        try:
            if self.running():
                self._signal_group(signal.SIGTERM)
                try:
                    self.popen.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    pass
            # Also reaches children left behind by a leader that exited on SIGTERM.
            self._signal_group(signal.SIGKILL)
            self.popen.wait(timeout=10)
        finally:
            self._log.close()


class SilentSMTPServer:
    """Listens on 127.0.0.1 (ephemeral port), accepts connections and never sends a byte:
    an SMTP client waiting for the greeting blocks until its timeout (none by default)."""

    def __init__(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.accepted = 0
        self._connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="silent-smtp", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connections.append(conn)  # kept open, never answered
            self.accepted += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._connections:
            conn.close()
        self._sock.close()


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2):
    """Poll ``predicate`` until it returns a truthy value (returned) or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
