"""`make test`: run the set-up and every part of the test suite, time each, and fail if any part fails.

Each part is a Makefile target, so that it can also be run on its own:

    setup       virtual environment, Debian packages, data, front-end assets, kernel
    unit        unit tests of mlp_core                      (make unit)
    nbval       strict nbval over every notebook in book/   (make nbval)
    build       clean book build, warnings as errors        (make build)
    site-check  headless Chromium over the built site       (make site-check)

A failed set-up stops the run (nothing after it could be trusted). A failed unit, nbval or build part
does not stop the parts after it, so one run reports everything; the site check needs the build and
is reported as failed, not run, when the build failed. Standard library only: it runs before the
virtual environment exists.

Usage: python3 scripts/run_tests.py PART [PART ...]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEEDS = {"site-check": "build"}


def run_part(name: str) -> tuple[bool, float]:
    banner = f"==== make {name} "
    print("\n" + banner + "=" * max(0, 100 - len(banner)), flush=True)
    start = time.perf_counter()
    result = subprocess.run(["make", "--no-print-directory", name], cwd=ROOT)
    return result.returncode == 0, time.perf_counter() - start


def main(parts: list[str]) -> int:
    if not parts:
        print(__doc__)
        return 2
    results: list[tuple[str, str, float]] = []
    status: dict[str, bool] = {}
    total_start = time.perf_counter()
    for name in parts:
        needed = NEEDS.get(name)
        if needed in status and not status[needed]:
            results.append((name, f"NOT RUN ({needed} failed)", 0.0))
            status[name] = False
            continue
        ok, seconds = run_part(name)
        status[name] = ok
        results.append((name, "passed" if ok else "FAILED", seconds))
        if name == "setup" and not ok:
            print("\nThe set-up failed: nothing else was run.", flush=True)
            break
    total = time.perf_counter() - total_start

    print("\n==== summary of make test " + "=" * 74)
    for name, outcome, seconds in results:
        print(f"  {name:<12} {outcome:<24} {seconds:8.1f} s")
    print(f"  {'total':<12} {'':<24} {total:8.1f} s")
    passed = sum(1 for ok in status.values() if ok)
    failed = len(parts) - passed
    # The closing line counts parts, not tests; each part printed its own counts above.
    print(f"parts: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
