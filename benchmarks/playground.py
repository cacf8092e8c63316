"""How responsive is the chapter 11 playground? Measured in process, then through a real kernel.

    .venv/bin/python benchmarks/playground.py            # both parts, a minute or so
    .venv/bin/python benchmarks/playground.py --no-kernel

Part 1 (in process) records every widget message as the comm would send it (Widget._send is wrapped)
and times, per update: the drawing, the bytes sent, the gap between updates. It also times a spiral
epoch and a 5,000-image Fashion-MNIST epoch (the default network of each), and Stop.
Part 2 starts the course's kernel with jupyter_client, displays a playground there and plays the
browser: it clicks Train and Stop by sending the comm messages a browser sends, and meanwhile runs
`1 + 1` in the kernel, timing the reply. Run with one BLAS thread, like the notebooks. Numbers are
medians over repeats; on a shared machine the seconds drift, so compare the ratios.
"""
import argparse
import dataclasses
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import ipywidgets  # noqa: E402

from mlp_core.playground import Playground, Run, Settings, load_data  # noqa: E402

FASHION = Settings(data="Fashion-MNIST", n_train=5000, width=64, batch_size=64, lr=1e-3, epochs=5)


def epoch_seconds(settings, repeats=3):
    """Median seconds per epoch of ``settings`` over ``repeats`` runs, the first epoch of each left out."""
    data = load_data(settings.data, settings.n_train)
    times = []
    for _ in range(repeats):
        run = Run(settings, data).run()
        times.extend(run.history.seconds[1:])
    return statistics.median(times)


def in_process(settings, label):
    sent = []
    original_send = ipywidgets.Widget._send
    ipywidgets.Widget._send = lambda self, msg, buffers=None: sent.append(len(json.dumps(msg)))
    try:
        pg = Playground(settings)
        updates = []  # (time the drawing ended, seconds it took, bytes it sent)
        draw = pg._draw

        def timed(run, final=False):
            before, start = len(sent), time.perf_counter()
            draw(run, final)
            updates.append((time.perf_counter(), time.perf_counter() - start, sum(sent[before:])))

        pg._draw = timed
        start = time.perf_counter()
        pg.train()
        pg.wait()
    finally:
        ipywidgets.Widget._send = original_send
    ends = [start] + [u[0] for u in updates]
    gaps = [b - a for a, b in zip(ends[1:-1], ends[2:-1])] or [ends[-1] - start]
    draws = [u[1] for u in updates[1:-1]] or [u[1] for u in updates]
    print(f"{label}: {len(updates)} updates in {ends[-1] - start:.2f} s; first update {updates[0][0] - start:.3f} s "
          f"after Train; median drawing {statistics.median(draws) * 1e3:.0f} ms = "
          f"{statistics.median(d / g for d, g in zip(draws, gaps)):.0%} of the median gap "
          f"{statistics.median(gaps) * 1e3:.0f} ms; bytes per update: median "
          f"{statistics.median(u[2] for u in updates) / 1e3:.0f} kB, max {max(u[2] for u in updates) / 1e3:.0f} kB; "
          f"state {pg.run.state}")


def stop_latency(repeats=3):
    latencies = []
    for _ in range(repeats):
        pg = Playground(dataclasses.replace(FASHION, epochs=100))
        pg.train()
        time.sleep(1.0)
        clicked = time.perf_counter()
        pg.stop()
        pg.wait()
        latencies.append(time.perf_counter() - clicked)
    print(f"Stop on Fashion-MNIST, click to the end of the last drawing: median {statistics.median(latencies):.3f} s")


KERNEL_SETUP = """
from mlp_core.playground import Playground, Settings, load_data
load_data("Fashion-MNIST", 5000)  # the data is loaded once per kernel; leave that out of the timing
pg = Playground(Settings(data="Fashion-MNIST", n_train=5000, width=64, batch_size=64, lr=1e-3, epochs=100))
display(pg)
print(pg.train_button.model_id, pg.stop_button.model_id, pg.status.model_id)
"""


def through_kernel():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    try:
        kc.execute(KERNEL_SETUP)
        ids = None
        while ids is None:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["msg_type"] == "stream":
                ids = msg["content"]["text"].split()
        train_id, stop_id, status_id = ids
        time.sleep(0.5)
        while True:  # drain
            try:
                kc.get_iopub_msg(timeout=0.2)
            except Exception:
                break

        def click(comm_id):
            msg = kc.session.msg("comm_msg", {"comm_id": comm_id,
                                              "data": {"method": "custom", "content": {"event": "click"}}})
            kc.shell_channel.send(msg)
            return time.perf_counter()

        clicked = click(train_id)
        first_update, update_bytes, replies, stopped_at, stop_clicked = None, [], [], None, None
        next_ping = clicked + 0.3
        pending = None
        while stopped_at is None:
            now = time.perf_counter()
            if pending is None and now >= next_ping and stop_clicked is None:
                pending = (kc.execute("1 + 1"), time.perf_counter())
            if stop_clicked is None and now - clicked > 1.5:
                stop_clicked = click(stop_id)
            try:
                msg = kc.get_iopub_msg(timeout=0.01)
            except Exception:
                msg = None
            if msg and msg["msg_type"] == "comm_msg":
                size = len(json.dumps(msg["content"]))
                update_bytes.append((time.perf_counter(), size))
                if first_update is None and msg["content"]["comm_id"] == status_id:
                    first_update = time.perf_counter() - clicked
                state = msg["content"]["data"].get("state", {})
                if msg["content"]["comm_id"] == status_id and str(state.get("value", "")).startswith("Stopped"):
                    stopped_at = time.perf_counter()
                elif msg["content"]["comm_id"] == status_id and str(state.get("value", "")).startswith("Done"):
                    raise RuntimeError("the run finished before Stop was clicked: " + state["value"])
            if pending is not None:
                try:
                    reply = kc.get_shell_msg(timeout=0.001)
                    if reply["parent_header"].get("msg_id") == pending[0]:
                        replies.append(time.perf_counter() - pending[1])
                        pending, next_ping = None, time.perf_counter() + 0.3
                except Exception:
                    pass
            if time.perf_counter() - clicked > 60:
                raise RuntimeError("no 'Stopped' status within 60 s")
        # group the messages into updates: a burst of comm messages less than 20 ms apart
        bursts, last = [], None
        for t, size in update_bytes:
            if last is None or t - last > 0.02:
                bursts.append(0)
            bursts[-1] += size
            last = t
        print(f"kernel: first widget update {first_update:.3f} s after the Train click; "
              f"'1 + 1' answered in median {statistics.median(replies) * 1e3:.0f} ms (max {max(replies) * 1e3:.0f} ms, "
              f"{len(replies)} tries) while training; Stop took effect {stopped_at - stop_clicked:.3f} s after the "
              f"click; {len(bursts)} updates, median {statistics.median(bursts) / 1e3:.0f} kB, "
              f"max {max(bursts) / 1e3:.0f} kB of comm messages")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-kernel", action="store_true", help="skip the part that starts a kernel")
    args = parser.parse_args(argv)
    print(f"epoch: spiral (default network) {epoch_seconds(Settings(epochs=10)) * 1e3:.1f} ms; "
          f"Fashion-MNIST, 5,000 images, 784-64-64-10 {epoch_seconds(FASHION):.3f} s")
    in_process(Settings(), "spiral, 30 epochs")
    in_process(FASHION, "Fashion-MNIST, 5,000 images, 5 epochs")
    stop_latency()
    if not args.no_kernel:
        through_kernel()


if __name__ == "__main__":
    sys.exit(main())
