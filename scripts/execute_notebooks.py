"""Re-execute chapter notebooks in place, so that their stored outputs are the ones the code gives today.

Runs every cell from the top in the course kernel (`backprop`, the virtual environment's Python),
with the working directory set to the notebook's folder, exactly as `make nbval` does, and with the
same single-threaded BLAS (set by the Makefile), then saves the notebook with

- its outputs and execution counts,
- the widget state (`metadata.widgets`), which the book needs to draw widgets such as sliders
  without a kernel,
- the kernelspec reset to the standard `python3`, so that Colab and Binder open it without asking.

Usage (through the Makefile, which sets the environment): make execute NB=book/03_backpropagation.ipynb
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL_NAME = "backprop"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def execute(path: Path, timeout: int) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        store_widget_state=True,
        record_timing=False,  # no per-cell timestamps: they would change the file on every run
    )
    start = time.perf_counter()
    client.execute()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nbformat.write(nb, path)
    print(f"executed {path} in {time.perf_counter() - start:.1f} s")


def main(argv: list[str]) -> int:
    timeout = 1200
    paths = [Path(a) for a in argv if not a.startswith("--")]
    if not paths:
        print(__doc__)
        return 2
    for path in paths:
        if path.is_dir():
            for nb in sorted(path.glob("*.ipynb")):
                execute(nb, timeout)
        else:
            execute(path, timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
