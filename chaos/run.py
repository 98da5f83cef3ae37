#!/usr/bin/python3
"""Runs Tern's fault-injection experiments against local clusters.

  run.py --experiment NAME [--seed N] [--duration S] [--out DIR]
         [--bug ack-before-commit] [--runs K]
  run.py --suite short|full [--seed N] [--duration S] [--out DIR] [--runs K]

Prints the seed first ("seed=N"; random unless given). Run i of a series
uses seed N+i. Each run writes result.json, history.json, plot.png and the
cluster's logs to its folder: --out DIR for a single run, else
DIR/<experiment>-<seed>[-bug]/ (DIR defaults to chaos/results/ for
experiments and chaos/results/suite-<name>-<seed>/ for suites, which also get
a summary.json).

--suite short (for CI, a few minutes): kill_leader, partition_az, and
isolate_leader with the ack-before-commit bug injected, which must be caught.
--suite full: kill_leader, partition_az, pause_node, two_azs_down and
clock_skew, --runs times each (default 10), then isolate_leader, asymmetric,
loss_delay, restart_all and disk_full (needs root) once.

With --bug the expectation is inverted: a run passes when a checker catches
the bug ("bug caught") and fails when none does.

Exit status: 0 when every run passed, 1 when a checker found a violation (or
an injected bug went unnoticed), 2 on a harness error (a cluster that did
not start, a missing command) or an interruption.
"""

import argparse
import json
import os
import random
import signal
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from experiments import (BUGS, EXPERIMENTS, MIN_DURATION_S,  # noqa: E402
                         run_experiment)
from nemeses import netns_available  # noqa: E402
from tern_cluster import become_subreaper, reap_children  # noqa: E402

DEFAULT_DURATION_S = 30.0
SHORT_DURATION_S = 20.0
ACCEPTANCE = ("kill_leader", "partition_az", "pause_node", "two_azs_down", "clock_skew")
OTHERS = ("isolate_leader", "asymmetric", "loss_delay", "restart_all", "disk_full",
          "partition_az_links")


def plan(args):
    """[(experiment, bug)] the arguments ask for, in order."""
    if args.suite == "short":
        # A whole-AZ cut needs network namespaces (root, iproute2, nftables);
        # without them the short suite cuts the AZ's node in the transport.
        cut = "partition_az" if netns_available() else "partition_az_links"
        return [("kill_leader", None), (cut, None),
                ("isolate_leader", "ack-before-commit")]
    if args.suite == "full":
        runs = args.runs or 10
        return ([(name, None) for name in ACCEPTANCE for _ in range(runs)]
                + [(name, None) for name in OTHERS])
    return [(args.experiment, args.bug)] * (args.runs or 1)


def verdict(result):
    """(verdict, exit code) of one run: a bug run passes when caught."""
    status = result["status"]
    if status == "error":
        return "error", 2
    if result.get("bug"):
        return ("bug caught", 0) if status == "violation" else ("bug missed", 1)
    return ("pass", 0) if status == "pass" else ("violation", 1)


def print_result(result, verdict_text):
    print(f"== {result['experiment']} seed={result['seed']}"
          f"{' bug=' + result['bug'] if result['bug'] else ''}: {verdict_text.upper()} "
          f"({result['wall_time_s']} s) -> {result['out_dir']}")
    if result.get("error"):
        print(f"   error: {result['error']}")
    for name, checker in sorted(result["checkers"].items()):
        print(f"   {'ok  ' if checker['ok'] else 'FAIL'} {name}: {checker['explanation']}")
    for name, stats in sorted(result["workloads"].items()):
        counts = stats["counts"]
        latency = stats["latency_ms"]
        print(f"   {name:9} ok={counts['ok']} fail={counts['fail']} "
              f"unknown={counts['unknown']} {stats['throughput']}/s "
              f"p50={latency['p50']}ms p99={latency['p99']}ms max={latency['max']}ms")
    if result.get("recovery_s"):
        print(f"   acked again after the last heal (s): {result['recovery_s']}")
    if result.get("after_heal"):
        print("   after the last heal: " + ", ".join(
            f"{name} {stats['ok']} ok / {stats['errors']} errors"
            for name, stats in sorted(result["after_heal"].items())))
    sys.stdout.flush()


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--experiment", choices=sorted(EXPERIMENTS))
    what.add_argument("--suite", choices=("short", "full"))
    parser.add_argument("--seed", type=int, help="default: random (printed)")
    parser.add_argument("--duration", type=float,
                        help=f"seconds of workload and faults per run, before the "
                             f"quiet period (default {DEFAULT_DURATION_S:.0f}, "
                             f"{SHORT_DURATION_S:.0f} in the short suite)")
    parser.add_argument("--out", help="output folder (see above)")
    parser.add_argument("--bug", choices=sorted(BUGS),
                        help="start the nodes with a test-only bug; the run must catch it")
    parser.add_argument("--runs", type=int, help="runs per experiment (seeds N, N+1, ...)")
    args = parser.parse_args(argv)
    if args.suite and args.bug:
        parser.error("--bug applies to --experiment (the short suite has its own bug run)")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    print(f"seed={seed}", flush=True)
    duration = args.duration or (SHORT_DURATION_S if args.suite == "short"
                                 else DEFAULT_DURATION_S)
    if duration < MIN_DURATION_S:
        parser.error(f"--duration must be at least {MIN_DURATION_S:.0f} s")

    # Daemons that ternctl starts are re-parented to this process, which can
    # then reap them; SIGTERM unwinds like Ctrl-C so that cleanup runs.
    become_subreaper()
    signal.signal(signal.SIGTERM, _terminate)

    runs = plan(args)
    single = len(runs) == 1 and not args.suite
    if args.suite:
        base = args.out or os.path.join(HERE, "results", f"suite-{args.suite}-{seed}")
    else:
        base = args.out or os.path.join(HERE, "results")
    summary, codes = [], []
    try:
        for i, (name, bug) in enumerate(runs):
            run_seed = seed + i
            out = (args.out if single and args.out else
                   os.path.join(base, f"{name}-{run_seed}{'-bug' if bug else ''}"))
            result = run_experiment(name, run_seed, duration, out, bug=bug)
            text, code = verdict(result)
            print_result(result, text)
            codes.append(code)
            summary.append({"experiment": name, "seed": run_seed, "bug": bug,
                            "verdict": text, "status": result["status"], "out_dir": out})
    except KeyboardInterrupt:
        print("interrupted; the cluster was torn down", flush=True)
        codes.append(2)
    finally:
        reap_children()
    if args.suite or len(runs) > 1:
        os.makedirs(base, exist_ok=True)
        with open(os.path.join(base, "summary.json"), "w") as f:
            json.dump({"seed": seed, "duration": duration, "runs": summary}, f, indent=2)
        print(f"== summary ({os.path.join(base, 'summary.json')})")
        for run in summary:
            print(f"   {run['verdict']:11} {run['experiment']} seed={run['seed']}"
                  f"{' bug=' + run['bug'] if run['bug'] else ''}")
    if 1 in codes:
        return 1
    return 2 if 2 in codes else 0


if __name__ == "__main__":
    sys.exit(main())
