"""Real-browser tests: Playwright driving Debian's chromium against pytest-django's live_server."""
