"""Run every benchmark script in this directory (each prints one JSON object per
line on stdout) and print their JSON lines. Exits non-zero if any script fails.

The scripts of OPT_IN start the whole production stack and take minutes: they run only
when named (`bench/run.py surge faults`, or `make bench BENCH="surge faults"`); names
given run only the scripts named."""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPT_IN = {"surge.py", "faults.py"}


def main() -> int:
    failed = 0
    named = {f"{name.removesuffix('.py')}.py" for name in sys.argv[1:]}
    for script in sorted(HERE.glob("*.py")):
        if script.name == "run.py" or script.name.startswith("_"):
            continue
        if (named and script.name not in named) or (not named and script.name in OPT_IN):
            continue
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent
        )
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        if done.returncode != 0 or not lines:
            failed += 1
            print(f"{script.name} failed:\n{done.stderr}", file=sys.stderr)
            continue
        for line in lines:
            json.loads(line)  # each line must be one JSON object
            print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
