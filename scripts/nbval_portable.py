"""`make nbval-portable`: run strict nbval as other readers' machines would, by emulating their kernels.

The stored outputs of the chapters must hold on every reader's machine, whatever matrix-product kernel
its BLAS uses (CONTRIBUTING.md, "Exact and banded outputs"). This script re-runs `make nbval` once per
configuration below, each in a fresh environment, and prints a table of what passed:

    as-is           the environment as you have it (what `make test` sees)
    auto            OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed: OpenBLAS picks kernels by the CPU
    haswell         OpenBLAS forced to its Haswell kernels (AVX2 with FMA)
    sandybridge     OpenBLAS forced to its Sandybridge kernels (AVX, no FMA: other rounding)
    skylakex        OpenBLAS forced to its SkylakeX kernels (AVX-512); skipped, with the reason, on a
                    CPU without AVX-512
    numpy-no-avx512 NumPy's own AVX-512 loops switched off (NPY_DISABLE_CPU_FEATURES), for the
                    element-wise work (exp, log, sums); skipped where NumPy dispatches to none

Every configuration but `as-is` starts from the environment with the kernel-choosing variables removed
(OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, NPY_DISABLE_CPU_FEATURES, NPY_ENABLE_CPU_FEATURES), then sets its own.

It is NOT part of `make test` or CI, on purpose: some machines set OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE
in their environment for good reasons, and the test suite leaves both as it finds them. Run it before
committing a notebook. Configurations run side by side (`--jobs`, default: the number of cores); each
notebook run uses one BLAS thread, as `make nbval` does.

Usage: python3 scripts/nbval_portable.py [--jobs N] [--only NAME[,NAME...]] [NOTEBOOK_OR_DIR ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
LOGS = ROOT / "test-artifacts" / "nbval-portable"
# Variables that choose kernels: removed from every configuration's environment, then set as it says.
KERNEL_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES")


IGNORE_TAG = "nbval-ignore-output"
KINDS = ("banded", "volatile")


def output_kind(cell: dict) -> str:
    """'exact', 'banded', 'volatile', or 'unexplained' (output ignored without a reason) for a code cell.

    The rule of CONTRIBUTING.md: a cell whose output nbval ignores is tagged `nbval-ignore-output` and
    says why on its first line, `# banded: ...` (a training result, asserted in the cell within a band)
    or `# volatile: ...` (timings, progress bars); every other code cell is exact.
    """
    source = "".join(cell.get("source", ""))
    first = source.lstrip().split("\n", 1)[0]
    ignored = IGNORE_TAG in cell.get("metadata", {}).get("tags", []) or "NBVAL_IGNORE_OUTPUT" in source
    if not ignored:
        return "exact"
    match = re.match(r"#\s*(banded|volatile):\s*\S", first)
    return match.group(1) if match else "unexplained"


def output_kinds(path: Path) -> dict[str, int]:
    """How many code cells of a notebook are of each kind."""
    counts = {"exact": 0, "banded": 0, "volatile": 0, "unexplained": 0}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code" and "".join(cell.get("source", "")).strip():
            counts[output_kind(cell)] += 1
    return counts


def cpu_has_avx512() -> tuple[bool, str]:
    probe = "from numpy._core._multiarray_umath import __cpu_features__ as f; print(f.get('AVX512F', False))"
    out = subprocess.run([str(PY), "-c", probe], capture_output=True, text=True)
    ok = out.stdout.strip() == "True"
    return ok, "" if ok else "this CPU has no AVX-512, so OpenBLAS cannot run its SkylakeX kernels here"


def numpy_avx512_targets() -> tuple[list[str], str]:
    """The AVX-512 targets NumPy dispatches to on this CPU (names differ between NumPy versions)."""
    probe = ("from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f\n"
             "print(','.join(n for n in d if f.get(n) and (n.startswith('AVX512') or n == 'X86_V4')))")
    out = subprocess.run([str(PY), "-c", probe], capture_output=True, text=True)
    names = [n for n in out.stdout.strip().split(",") if n]
    return names, "" if names else "NumPy dispatches to no AVX-512 loop on this CPU"


def configurations() -> list[tuple[str, dict[str, str] | None, str]]:
    """(name, variables to set (None: the environment untouched), reason to skip or '')."""
    avx512, why_not = cpu_has_avx512()
    npy_targets, why_not_npy = numpy_avx512_targets()
    return [
        ("as-is", None, ""),
        ("auto", {}, ""),
        ("haswell", {"OPENBLAS_CORETYPE": "Haswell"}, ""),
        ("sandybridge", {"OPENBLAS_CORETYPE": "Sandybridge"}, ""),
        ("skylakex", {"OPENBLAS_CORETYPE": "SkylakeX"}, why_not),
        ("numpy-no-avx512", {"NPY_DISABLE_CPU_FEATURES": " ".join(npy_targets)}, why_not_npy),
    ]


def summary_line(log: str) -> str:
    lines = [l for l in log.splitlines() if re.search(r"\b(passed|failed|error)\b", l) and "==" in l]
    return lines[-1].strip("= ") if lines else "no pytest summary (see the log)"


def failed_cells(log: str) -> list[str]:
    cells = set(re.findall(r"^FAILED (\S+::Cell \d+)", log, flags=re.M))
    return sorted(cells, key=lambda c: (c.split("::")[0], int(c.rsplit(" ", 1)[1])))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="", help="comma-separated configuration names")
    parser.add_argument("notebooks", nargs="*", default=["book"])
    args = parser.parse_args(argv)
    if not PY.exists():
        print("No .venv yet: run `make test` or `make book` once first.")
        return 2

    wanted = {n for n in args.only.split(",") if n}
    configs = [c for c in configurations() if not wanted or c[0] in wanted]
    LOGS.mkdir(parents=True, exist_ok=True)
    pending = [c for c in configs if not c[2]]
    running: list[tuple[str, subprocess.Popen, float, Path]] = []
    results: dict[str, tuple[str, float, str, list[str]]] = {}
    for name, _, reason in configs:
        if reason:
            results[name] = ("skipped", 0.0, reason, [])
    start = time.perf_counter()
    while pending or running:
        while pending and len(running) < max(1, args.jobs):
            name, variables, _ = pending.pop(0)
            env = dict(os.environ)
            if variables is not None:
                env = {k: v for k, v in env.items() if k not in KERNEL_VARS}
                env.update(variables)
            log_path = LOGS / f"{name}.log"
            cmd = ["make", "--no-print-directory", "nbval", f"NB={' '.join(args.notebooks)}"]
            if variables is None:
                shown = "environment as found: " + (" ".join(
                    f"{k}={os.environ[k]!r}" for k in KERNEL_VARS if k in os.environ) or "no kernel variable set")
            else:
                shown = " ".join(f"{k}={v!r}" for k, v in variables.items()) or "no kernel variable set"
            print(f"[{name}] {shown}", flush=True)
            with open(log_path, "w") as log:
                proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            running.append((name, proc, time.perf_counter(), log_path))
        time.sleep(0.5)
        for item in list(running):
            name, proc, began, log_path = item
            if proc.poll() is None:
                continue
            running.remove(item)
            log = log_path.read_text(errors="replace")
            outcome = "passed" if proc.returncode == 0 else "FAILED"
            results[name] = (outcome, time.perf_counter() - began, summary_line(log), failed_cells(log))
            print(f"[{name}] {outcome} ({summary_line(log)})", flush=True)

    print("\n==== code cells by kind of output (CONTRIBUTING.md, 'Exact and banded outputs') " + "=" * 20)
    for target in args.notebooks:
        target = ROOT / target
        for path in sorted(target.glob("*.ipynb")) if target.is_dir() else [target]:
            kinds = output_kinds(path)
            print(f"  {path.name:<36} " + ", ".join(f"{n} {k}" for k, n in kinds.items() if n or k != "unexplained"))

    print(f"\n==== nbval on emulated machines ({time.perf_counter() - start:.0f} s in all; logs in "
          f"{LOGS.relative_to(ROOT)}/) " + "=" * 20)
    for name, _, _ in configs:
        outcome, seconds, detail, cells = results[name]
        print(f"  {name:<16} {outcome:<8} {seconds:6.1f} s   {detail}")
        for cell in cells:
            print(f"  {'':<16}   {cell}")
    return 0 if all(r[0] != "FAILED" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
