#!/usr/bin/env python3
"""Runs the same workloads, in the same run, against a local Tern cluster,
dynalite (npm, in memory) and a static HTTP responder (the machine's
ceiling), and writes the comparison into docs/benchmarks.md (between its
results markers) with plots in docs/images/.

    /usr/bin/python3 tests/bench/compare.py [--duration 20] [--workloads get,put,a,b,c,d,e,f]

For each target and workload: a closed-loop run (peak throughput); for get
and put also an open-loop run at half that peak (latency at half load).
CPU-seconds per 1,000 operations count every server process (for Tern: 3
control replicas, 3 nodes, the router) and, separately, the load
generator. Every target gets a fresh table and the same preload.

With --rounds N every target runs N times, the targets taking turns (each
round starts with a different one), so that a machine whose speed drifts
over minutes weighs on all of them alike. The table shows each row's
median round and the range over rounds; the targets are judged on the
median of ratios taken within a round.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402

ROOT = servers.ROOT
BEGIN = "<!-- results:begin (tests/bench/compare.py writes this part) -->"
END = "<!-- results:end -->"


def run_bench(bin_dir, endpoint, label, workload, args, rate=0, preload=True, table=None,
              create_table=True):
    out = os.path.join(args.work, f"{label}-{workload}-{int(rate)}-{args.round}.json")
    cmd = [os.path.join(bin_dir, "tern-bench"), f"--endpoint={endpoint}", f"--label={label}",
           f"--workload={workload}", f"--records={args.records}",
           f"--connections={args.connections}", f"--threads={args.client_threads}",
           f"--duration_s={args.duration}", f"--warmup_s={args.warmup}",
           f"--value_size={args.value_size}", f"--table={table or 'bench_' + workload}",
           f"--preload={'true' if preload else 'false'}", f"--rate={rate}",
           f"--create_table={'true' if create_table else 'false'}",
           f"--seed={args.seed}", f"--json={out}", "--progress=false"]
    started = time.time()
    client = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return client, out, started


def measure(target, bin_dir, workload, args, rate=0, table=None):
    """One tern-bench run against target; adds CPU seconds of servers and
    client over the measured window (preload excluded by a separate run)."""
    if rate == 0 and target.tables:
        # Preload in its own run so its CPU does not count.
        client, _, _ = run_bench(bin_dir, target.endpoint, target.name, workload,
                                 argparse.Namespace(**{**vars(args), "duration": 0.5,
                                                       "warmup": 0}),
                                 table=table)
        stdout, stderr = client.communicate()
        if client.returncode != 0:
            raise RuntimeError(f"preload on {target.name}: {stdout}{stderr}")
    server_before = servers.cpu_seconds(target.pids())
    client, out, _ = run_bench(bin_dir, target.endpoint, target.name, workload, args, rate=rate,
                               preload=False, table=table, create_table=target.tables)
    # The client's own CPU: read it just before it exits (wait4 via the
    # resource module would include only reaped children).
    stdout, stderr = client.communicate()
    if client.returncode != 0:
        raise RuntimeError(f"{target.name} {workload}: {stdout}{stderr}")
    server_after = servers.cpu_seconds(target.pids())
    with open(out) as f:
        result = json.load(f)
    ops = max(1, result["ops"] + result["errors"])
    # Warm-up is part of the window the CPU was measured over.
    window_ops = ops * (args.duration + args.warmup) / max(args.duration, 1e-9)
    result["server_cpu_per_1k"] = (server_after - server_before) / window_ops * 1000
    result["rate"] = rate
    result["round"] = args.round
    print(f"  {stdout.strip()}", flush=True)
    return result


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Linux {platform.release()}"


def fmt_us(us):
    return f"{us / 1000:.2f}"


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if not ordered:
        return None
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def runs(results, target, workload, open_loop):
    """One result per round, in round order."""
    return [r for r in results if r["target"] == target and r["workload"] == workload and
            bool(r["rate"]) == open_loop]


def representative(rounds, open_loop):
    """The median round: by throughput for a peak, by p99 for a fixed rate
    (of two, the slower)."""
    if not rounds:
        return None
    if open_loop:
        return sorted(rounds, key=lambda r: r["latency"]["p99_us"])[len(rounds) // 2]
    return sorted(rounds, key=lambda r: r["throughput"])[(len(rounds) - 1) // 2]


def spread(values, fmt):
    return f"{fmt(min(values))}–{fmt(max(values))}" if len(values) > 1 else ""


def table_rows(results, workloads, targets, rounds):
    many = rounds > 1
    rows = ["| workload | target | load | ops/s | p50 ms | p99 ms | p99.9 ms | max ms | errors |"
            " server CPU-s / 1k ops |" + (f" ops/s, p99 ms over {rounds} rounds |" if many else ""),
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" +
            (" ---: |" if many else "")]
    for workload in workloads:
        for target in targets:
            for open_loop in (False, True):
                each = runs(results, target, workload, open_loop)
                r = representative(each, open_loop)
                if r is None:
                    continue
                lat = r["latency"]
                load = "peak (closed loop)" if not r["rate"] else f"open loop {r['rate']:.0f}/s"
                row = (f"| {workload} | {r['target']} | {load} | {r['throughput']:.0f} | "
                       f"{fmt_us(lat['p50_us'])} | {fmt_us(lat['p99_us'])} | "
                       f"{fmt_us(lat['p999_us'])} | {fmt_us(lat['max_us'])} | {r['errors']} | "
                       f"{r['server_cpu_per_1k']:.3f} |")
                if many:
                    row += (f" {spread([x['throughput'] for x in each], lambda v: f'{v:.0f}')}, "
                            f"{spread([x['latency']['p99_us'] for x in each], fmt_us)} |")
                rows.append(row)
    return rows


def peak(results, target, workload):
    return representative(runs(results, target, workload, False), False)


def half_load(results, target, workload):
    return representative(runs(results, target, workload, True), True)


def ratios(results, workload, target, other):
    """Peak throughput of target over other's, one ratio per round both ran."""
    mine = {r["round"]: r for r in runs(results, target, workload, False)}
    theirs = {r["round"]: r for r in runs(results, other, workload, False)}
    return [mine[n]["throughput"] / theirs[n]["throughput"] for n in sorted(mine)
            if n in theirs and theirs[n]["throughput"]]


def goals(results):
    """The issue's targets, checked against this run (with rounds: the median
    of the ratios within each round, and every round's ratio)."""
    lines = ["| target | result |", "| --- | --- |"]

    def check(text, values, fmt, ok):
        if not values:
            return
        m = median(values)
        rounds = f" (rounds: {', '.join(fmt(v) for v in values)})" if len(values) > 1 else ""
        lines.append(f"| {text}: {fmt(m)}{rounds} | {'met' if ok(m) else 'NOT met'} |")

    times = lambda v: f"{v:.2f}×"  # noqa: E731
    percent = lambda v: f"{100 * v:.0f}%"  # noqa: E731
    check("GetItem (eventually consistent) ≥ 5× dynalite",
          ratios(results, "get", "tern", "dynalite"), times, lambda m: m >= 5)
    check("GetItem ≥ 40% of the static-HTTP ceiling",
          ratios(results, "get", "tern", "static"), percent, lambda m: m >= 0.4)
    check("PutItem (durable on 2 of 3) ≥ 2× dynalite",
          ratios(results, "put", "tern", "dynalite"), times, lambda m: m >= 2)
    for workload, limit_ms in (("get", 2), ("put", 5)):
        each = runs(results, "tern", workload, True)
        rates = "/".join(f"{r['rate']:.0f}" for r in each)
        check(f"{workload} p99 at half of peak ({rates}/s) < {limit_ms} ms",
              [r["latency"]["p99_us"] / 1000 for r in each], lambda v: f"{v:.2f} ms",
              lambda m: m < limit_ms)
    return lines


def plots(results, workloads, targets, images):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = []
    colors = {"tern": "#1f77b4", "dynalite": "#ff7f0e", "static": "#7f7f7f"}
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    width = 0.8 / len(targets)
    rounds = len({result["round"] for result in results})
    for i, target in enumerate(targets):
        xs, tput, p99, tput_range, p99_range = [], [], [], [[], []], [[], []]
        for j, workload in enumerate(workloads):
            r = peak(results, target, workload)
            if r:
                xs.append(j + i * width)
                tput.append(r["throughput"])
                p99.append(r["latency"]["p99_us"] / 1000)
                # With rounds, a whisker spans the rounds' range around the
                # median round's bar.
                each = runs(results, target, workload, False)
                for values, mid, span in (
                        ([x["throughput"] for x in each], tput[-1], tput_range),
                        ([x["latency"]["p99_us"] / 1000 for x in each], p99[-1], p99_range)):
                    span[0].append(mid - min(values))
                    span[1].append(max(values) - mid)
        whiskers = {"error_kw": {"ecolor": "black", "capsize": 2}} if rounds > 1 else {}
        top.bar(xs, tput, width, label=target, color=colors.get(target),
                yerr=tput_range if rounds > 1 else None, **whiskers)
        bottom.bar(xs, p99, width, label=target, color=colors.get(target),
                   yerr=p99_range if rounds > 1 else None, **whiskers)
    top.set_ylabel("operations / s (peak)")
    top.legend()
    bottom.set_ylabel("p99 latency at peak, ms")
    bottom.set_yscale("log")
    bottom.set_xticks([j + width * (len(targets) - 1) / 2 for j in range(len(workloads))])
    bottom.set_xticklabels(workloads)
    fig.suptitle("Closed loop, same machine, same run" +
                 (f": median of {rounds} rounds, whiskers span the rounds" if rounds > 1 else ""))
    fig.tight_layout()
    path = os.path.join(images, "bench-peak.png")
    fig.savefig(path, dpi=90)
    names.append(path)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 3.5))
    for target in targets:
        r = peak(results, target, "get")
        if r and r.get("timeline"):
            ax.plot([p["t"] for p in r["timeline"]], [p["ops"] for p in r["timeline"]],
                    label=target, color=colors.get(target))
    ax.set_xlabel("seconds")
    ax.set_ylabel("GetItem / s")
    ax.set_ylim(bottom=0)
    ax.legend()
    fig.tight_layout()
    path = os.path.join(images, "bench-get-timeline.png")
    fig.savefig(path, dpi=90)
    names.append(path)
    plt.close(fig)
    return names


def write_doc(doc_path, section):
    text = open(doc_path).read() if os.path.exists(doc_path) else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        raise RuntimeError(f"{doc_path} lacks the results markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(doc_path, "w") as f:
        f.write(head + BEGIN + "\n" + section + "\n" + END + tail)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin_dir", default=os.path.join(ROOT, "build", "release", "bin"))
    parser.add_argument("--targets", default="tern,dynalite,static")
    parser.add_argument("--workloads", default="get,put,a,b,c,d,e,f")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--value_size", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--client_threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1,
                        help="run every target this many times, taking turns")
    parser.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--images", default=os.path.join(ROOT, "docs", "images"))
    parser.add_argument("--results", default="", help="also write all results here (JSON)")
    args = parser.parse_args()
    print(f"seed {args.seed}", flush=True)
    targets = args.targets.split(",")
    workloads = args.workloads.split(",")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    args.work = servers.scratch()
    results = []
    try:
        for args.round in range(1, args.rounds + 1):
            turn = (args.round - 1) % len(targets)
            for name in targets[turn:] + targets[:turn]:
                print(f"== {name}" + (f" (round {args.round})" if args.rounds > 1 else ""),
                      flush=True)
                target = servers.TARGETS[name](args.bin_dir, args.work)
                try:
                    for workload in workloads:
                        result = measure(target, args.bin_dir, workload, args)
                        results.append(result)
                        if workload in ("get", "put"):
                            rate = max(1, round(result["throughput"] / 2))
                            results.append(measure(target, args.bin_dir, workload, args,
                                                   rate=rate))
                finally:
                    target.stop()
    finally:
        servers.remove(args.work)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    command = ("/usr/bin/python3 tests/bench/compare.py " +
               f"--duration {args.duration:g} --warmup {args.warmup:g} "
               f"--workloads {args.workloads} "
               f"--records {args.records} --connections {args.connections}" +
               (f" --rounds {args.rounds}" if args.rounds > 1 else ""))
    images = plots(results, workloads, targets, args.images)
    section = "\n".join([
        f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC at {commit} on {machine()}; "
        f"every server and the load generator share the machine. Reproduce with:",
        "", "```sh", "./scripts/build.sh release", command, "```", "",
        f"{args.records} records of {args.value_size} bytes (10 string attributes), "
        f"{args.connections} connections, {args.warmup:g} s warm-up then {args.duration:g} s "
        "measured per run; latency is measured from when each request was due." +
        (f" Every target ran {args.rounds} times, the targets taking turns; each row is its "
         "median round (by ops/s at peak, by p99 at a fixed rate), the last column the range "
         "over the rounds." if args.rounds > 1 else ""), "",
        *table_rows(results, workloads, targets, args.rounds), "",
        "Against the targets of issue 9:", "", *goals(results), "",
        *[f"![{os.path.basename(p)}](images/{os.path.basename(p)})" for p in images],
    ])
    write_doc(args.doc, section)
    if args.results:
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)
    print(f"wrote {args.doc}", flush=True)


if __name__ == "__main__":
    main()
