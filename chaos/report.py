"""Plots of fault-injection experiments: plot(history, faults, path) draws a
PNG with three panels over time (0.5 s buckets, by the time an operation
ended): acknowledged operations per second per workload, the latency of
acknowledged operations (p50 and p99, ms, log scale), and the operations
that failed with an error or whose outcome is unknown (a compare-and-set
refused by its condition is a normal answer, not counted there). Fault
windows are shaded and labelled.

Standalone: `python3 chaos/report.py DIR` plots DIR/history.json and the
fault windows of DIR/result.json again, into DIR/plot.png.
"""

import json
import math
import os
import sys
from collections import defaultdict

BUCKET_S = 0.5


def percentile(values, fraction):
    """The nearest-rank percentile of values (fraction in [0, 1]); None when
    values is empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def bucketize(history, bucket=BUCKET_S):
    """Per bucket index: ok counts per workload, ok latencies (ms), fail and
    unknown counts. Returns (number of buckets, dict of series)."""
    ok = defaultdict(lambda: defaultdict(int))
    latencies = defaultdict(list)
    failed = defaultdict(int)
    unknown = defaultdict(int)
    last = 0
    for op in history:
        index = int(op["end"] // bucket)
        last = max(last, index)
        if op["outcome"] == "ok":
            ok[op.get("workload", op["kind"])][index] += 1
            latencies[index].append(op.get("latency", op["end"] - op["start"]) * 1000)
        elif op["outcome"] == "unknown":
            unknown[index] += 1
        elif op.get("error") != "ConditionalCheckFailedException":
            failed[index] += 1
    return last + 1, {"ok": ok, "latencies": latencies, "fail": failed, "unknown": unknown}


def plot(history, faults, path, title=None):
    """Writes the PNG to path. faults: [{"nemesis", "start", "end",
    "healed", ...}] (seconds, as the operations' times)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    count, series = bucketize(history)
    times = [i * BUCKET_S for i in range(count)]
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(12, 8), sharex=True)

    for workload in sorted(series["ok"]):
        per_bucket = series["ok"][workload]
        top.plot(times, [per_bucket.get(i, 0) / BUCKET_S for i in range(count)],
                 label=workload, linewidth=1)
    top.set_ylabel("acknowledged ops/s")

    for fraction, label in ((0.5, "p50"), (0.99, "p99")):
        values = [percentile(series["latencies"].get(i, []), fraction) for i in range(count)]
        middle.plot(times, [v if v is not None else float("nan") for v in values],
                    label=label, linewidth=1)
    if any(series["latencies"].values()):
        middle.set_yscale("log")
    middle.set_ylabel("latency of acked ops (ms)")

    bottom.bar(times, [series["fail"].get(i, 0) for i in range(count)], width=BUCKET_S,
               align="edge", label="fail", color="tab:orange")
    bottom.bar(times, [series["unknown"].get(i, 0) for i in range(count)], width=BUCKET_S,
               align="edge", bottom=[series["fail"].get(i, 0) for i in range(count)],
               label="unknown", color="tab:red")
    bottom.set_ylabel(f"errors (per {BUCKET_S} s)")
    bottom.set_xlabel("seconds since the experiment started")

    for fault in faults:
        # Shaded from when the nemesis began to inject until healing was
        # done (or, if it never was, the end of the plot).
        end = fault.get("healed") or fault.get("end")
        end = end if end is not None else (times[-1] + BUCKET_S if times else fault["start"])
        for axis in (top, middle, bottom):
            axis.axvspan(fault["start"], end, color="tab:gray", alpha=0.2, linewidth=0)
        top.annotate(fault["nemesis"], xy=(fault["start"], 1), xycoords=("data", "axes fraction"),
                     xytext=(2, -10), textcoords="offset points", fontsize="x-small",
                     va="top")
    for axis in (top, middle, bottom):
        axis.grid(True, alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(loc="upper right", fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv):
    if len(argv) != 2:
        print("usage: report.py RESULT_DIR (with history.json and result.json)",
              file=sys.stderr)
        return 2
    directory = argv[1]
    with open(os.path.join(directory, "history.json")) as f:
        history = json.load(f)
    with open(os.path.join(directory, "result.json")) as f:
        result = json.load(f)
    path = os.path.join(directory, "plot.png")
    plot(history, result.get("faults", []), path,
         title=f"{result.get('experiment')} seed={result.get('seed')}")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
