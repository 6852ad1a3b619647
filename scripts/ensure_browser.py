"""Make sure Debian's chromium is there for the browser tests; install it with apt when root.

Without it (and without root) the browser tests are skipped, unless DIEF_REQUIRE_BROWSER=1
(as in CI), when they fail.
"""

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"

if os.path.exists(CHROMIUM):
    sys.exit(0)
if os.geteuid() == 0 and shutil.which("apt-get"):
    print("Installing Debian's chromium for the browser tests…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
    sys.exit(0 if result.returncode == 0 or not os.environ.get("DIEF_REQUIRE_BROWSER") else result.returncode)
print(f"{CHROMIUM} is missing and cannot be installed here: the browser tests will be skipped.")
