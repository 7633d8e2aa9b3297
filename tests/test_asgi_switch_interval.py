"""config/asgi.py shortens CPython's GIL switch interval: with a busy thread beside it (a sync
view, the programme's catch-up), the event loop's thread otherwise waits up to 5 ms for the GIL
after its waits on sockets (the convoy effect), which put seconds between a door scan and the
staff dashboard under a rush. The effect itself is measured by bench/checkin.py (README); a
timing test of it was too noisy on a shared machine, so this guards the setting."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A fresh interpreter: importing config.asgi sets the interval (and freezes the GC) for the
# whole process, which the test run itself should not get.
PROBE = "import json, sys; before = sys.getswitchinterval(); import config.asgi; print(json.dumps([before, sys.getswitchinterval()]))"


def test_serving_processes_run_with_a_short_gil_switch_interval():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    before, after = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == 0.005  # CPython's default, which the app must not keep
    assert after <= 0.001
