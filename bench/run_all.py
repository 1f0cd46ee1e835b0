"""Run every benchmark in bench/ one after another (each prints its own figures).

.venv/bin/python bench/run_all.py            # full province scale, takes a while
.venv/bin/python bench/run_all.py --quick    # passes --quick to scripts that accept it
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"common.py", "run_all.py", "locust_peak.py"}  # the last is peak_day's locustfile


def main() -> int:
    quick = "--quick" in sys.argv
    failures = 0
    for script in sorted(HERE.glob("*.py")):
        if script.name in SKIP:
            continue
        args = [sys.executable, str(script)]
        if quick and "--quick" in script.read_text(encoding="utf-8"):
            args.append("--quick")
        print(f"== {script.name}", flush=True)
        failures += subprocess.run(args, check=False).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
