"""Fault-injection experiments: named combinations of workloads, a nemesis
and a schedule, and run_experiment, which runs one against a fresh local
cluster and writes its result, history and plot.

An experiment's timeline (seconds since the workloads started):
  0 .. WARMUP_S            workloads only
  then fault windows       4-6 s with the fault, 4-6 s healed, jittered by the
                           seed, until the duration ends (make_schedule)
  then QUIET_S             healed, workloads still running (recovery shows)
  then                     workloads stop; final reads (retried up to 60 s);
                           checkers.

Every experiment runs the three workloads (register, counter, set) at once,
each on its own table, on a cluster whose control plane only declares a
silent node dead after NODE_DEAD_AFTER_MS: a fault window is much shorter,
so replicas are never moved away from a killed, paused or cut-off node and
the experiment tests the replication groups themselves (elections, leases,
catch-up), not repair. (Repair has its own e2e tests; letting it run during
4-6 s windows would only add replica moves that the windows end before.)
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))

from nemeses import NEMESES, Context, HealError, NemesisError  # noqa: E402
from tern_cluster import BIN_DIR, LocalCluster, pid_alive, reap_children  # noqa: E402
from workloads import (DEFAULT_PROCESSES, WORKLOADS, ExperimentClock,  # noqa: E402
                       FinalReadError)

WARMUP_S = 3.0
WINDOW_ON_S = (4.0, 6.0)
WINDOW_OFF_S = (4.0, 6.0)
QUIET_S = 5.0
NODE_DEAD_AFTER_MS = 60000
# two_azs_down: writes acknowledged this long after the kill are violations.
MAJORITY_DOWN_GRACE_S = 1.5
MIN_DURATION_S = WARMUP_S + WINDOW_ON_S[0] + 1

BUGS = {"ack-before-commit": "--testonly_ack_before_commit"}


class HarnessError(Exception):
    """The experiment could not run (cluster did not start, missing binary or
    command): neither a pass nor a violation."""


@dataclass(frozen=True)
class Experiment:
    name: str
    nemesis: str
    workloads: tuple = ("register", "counter", "set")
    node_dead_after_ms: int = NODE_DEAD_AFTER_MS


EXPERIMENTS = {name: Experiment(name, name) for name in (
    "kill_leader", "partition_az", "pause_node", "two_azs_down", "clock_skew",
    "isolate_leader", "asymmetric", "loss_delay", "restart_all", "disk_full",
    "partition_az_links")}


def make_schedule(seed, duration, warmup=WARMUP_S, on=WINDOW_ON_S, off=WINDOW_OFF_S):
    """[(start, end)] fault windows in [warmup, duration], deterministic for a
    seed: windows last uniform(on) seconds, with uniform(off) seconds healed
    between them. At least one window (cut short if duration is short)."""
    rng = random.Random(f"schedule-{seed}")
    windows, t = [], warmup
    while True:
        length = rng.uniform(*on)
        if t + length > duration:
            break
        windows.append((round(t, 3), round(t + length, 3)))
        t += length + rng.uniform(*off)
    if not windows:
        windows.append((warmup, round(max(duration, warmup + 1.0), 3)))
    return windows


def check_no_ack_while_majority_down(history, faults, grace=MAJORITY_DOWN_GRACE_S):
    """With two of three nodes down no group has a quorum, so no write, cas
    or add may be acknowledged if it started more than grace seconds after
    the kill (fault["injected"]) and ended before the heal began
    (fault["end"]): a leader may still be finishing what it had replicated
    just before. (ok, explanation)."""
    bad = []
    for fault in faults:
        end = fault.get("end")
        injected = fault.get("injected", fault["start"])
        if end is None or injected is None:
            continue
        for op in history:
            if (op["kind"] in ("write", "cas", "add") and op["outcome"] == "ok"
                    and op["start"] > injected + grace and op["end"] < end):
                bad.append(op)
    if bad:
        first = min(bad, key=lambda op: op["start"])
        return False, (f"{len(bad)} writes acknowledged while two nodes were down, e.g. "
                       f"{first.get('workload')} {first['kind']} {first['key']!r} "
                       f"[{first['start']:.2f}, {first['end']:.2f}]")
    windows = sum(1 for f in faults if f.get("end") is not None)
    return True, f"no write acknowledged in {windows} windows with two nodes down"


def summarize(history, elapsed):
    """Per workload: counts of ok/fail/unknown, error codes, throughput of
    acknowledged operations and their latency (ms)."""
    from report import percentile
    summary = {}
    for name in sorted({op["workload"] for op in history}):
        ops = [op for op in history if op["workload"] == name]
        acked = [op["latency"] * 1000 for op in ops if op["outcome"] == "ok"]
        errors = {}
        for op in ops:
            if op.get("error"):
                errors[op["error"]] = errors.get(op["error"], 0) + 1
        summary[name] = {
            "counts": {outcome: sum(1 for op in ops if op["outcome"] == outcome)
                       for outcome in ("ok", "fail", "unknown")},
            "errors": errors,
            "throughput": round(len(acked) / elapsed, 1) if elapsed > 0 else 0.0,
            "latency_ms": {"p50": _round(percentile(acked, 0.5)),
                           "p99": _round(percentile(acked, 0.99)),
                           "max": _round(max(acked) if acked else None)},
        }
    return summary


def _round(value):
    return round(value, 1) if value is not None else None


def after_heal(history, faults):
    """Per workload, the operations that started after the last heal: how
    many were acknowledged and how many failed with an error or stayed
    unknown (a refused condition is an answer, not an error). Not a
    checker: a cluster that stays partly unavailable shows here."""
    healed = [f.get("healed") for f in faults if f.get("healed") is not None]
    if not healed:
        return {}
    last = max(healed)
    stats = {}
    for op in history:
        if op["start"] < last:
            continue
        entry = stats.setdefault(op["workload"], {"ok": 0, "errors": 0})
        if op["outcome"] == "ok":
            entry["ok"] += 1
        elif op.get("error") != "ConditionalCheckFailedException":
            entry["errors"] += 1
    return stats


def recovery_times(history, faults):
    """Seconds from the last heal to the first acknowledged operation that
    started after it, per workload (None: none)."""
    healed = [f.get("healed") for f in faults if f.get("healed") is not None]
    if not healed:
        return {}
    last = max(healed)
    times = {}
    for name in sorted({op["workload"] for op in history}):
        ends = [op["end"] for op in history
                if op["workload"] == name and op["outcome"] == "ok" and op["start"] >= last]
        times[name] = round(min(ends) - last, 2) if ends else None
    return times


def check_prerequisites(cluster, needs_faults, bug):
    """HarnessError when the binaries lack what this experiment needs."""
    ternctl = os.path.join(BIN_DIR, "ternctl")
    if not os.access(ternctl, os.X_OK):
        raise HarnessError(f"no ternctl in {BIN_DIR} (build first, or set TERN_BIN_DIR)")
    if not cluster.node_args:
        return
    help_text = subprocess.run([ternctl, "--helpfull"], capture_output=True,
                               text=True).stdout
    if "node_args" not in help_text:
        raise HarnessError("ternctl has no --node_args flag (needed to start the nodes "
                           f"with {cluster.node_args!r}); build a newer ternctl")
    usage = subprocess.run([ternctl, "--help"], capture_output=True, text=True).stdout
    if needs_faults and "fault" not in usage:
        raise HarnessError("ternctl has no `fault` command; build a newer ternctl")
    node_help = subprocess.run([os.path.join(BIN_DIR, "tern-node"), "--helpfull"],
                               capture_output=True, text=True).stdout
    for flag in cluster.node_args.split():
        if flag.lstrip("-").split("=")[0] not in node_help:
            raise HarnessError(f"tern-node has no {flag} flag; build a newer tern-node")


def sleep_until(clock, t):
    remaining = t - clock.now()
    if remaining > 0:
        time.sleep(remaining)


def run_experiment(name, seed, duration, out_dir, bug=None, log=print):
    """Runs experiment name once; returns its result dict (also written to
    out_dir/result.json with out_dir/history.json and out_dir/plot.png).
    result["status"]: "pass", "violation" or "error". Always tears the
    cluster down, also on KeyboardInterrupt (which it re-raises)."""
    experiment = EXPERIMENTS[name]
    nemesis = NEMESES[experiment.nemesis]()
    os.makedirs(out_dir, exist_ok=True)
    result = {"experiment": name, "seed": seed, "duration": duration, "bug": bug,
              "nemesis": nemesis.name, "nemesis_description": nemesis.description,
              "node_dead_after_ms": experiment.node_dead_after_ms,
              "ok": False, "status": "error", "error": None, "checkers": {}, "faults": [],
              "schedule": [], "workloads": {}, "recovery_s": {}, "after_heal": {},
              "out_dir": out_dir}
    work = tempfile.mkdtemp(prefix=f"tern-chaos-{name}-")
    cluster = LocalCluster(os.path.join(work, "tern-data"),
                           node_dead_after_ms=experiment.node_dead_after_ms)
    node_args = []
    if nemesis.needs_fault_injection or bug:
        node_args.append("--fault_injection")
    if bug:
        node_args.append(BUGS[bug])
    cluster.node_args = " ".join(node_args)
    result["node_args"] = cluster.node_args
    ctx = None
    stop = threading.Event()
    workloads = []
    clock = ExperimentClock()
    started = time.monotonic()
    try:
        check_prerequisites(cluster, nemesis.needs_fault_injection, bug)
        nemesis.prepare(cluster, random.Random(f"prepare-{seed}"))
        up = cluster.ternctl("up", *nemesis.up_args, timeout=180)
        if up.returncode != 0:
            raise HarnessError(f"ternctl up failed: {(up.stderr or up.stdout).strip()}")
        log(f"[{name} seed={seed}] cluster up at {cluster.endpoint} ({cluster.data_dir})")
        first = 0
        for workload in experiment.workloads:
            processes = DEFAULT_PROCESSES[workload]
            workloads.append(WORKLOADS[workload](cluster.endpoint, seed, clock, processes,
                                                 first_process=first))
            first += processes
        for workload in workloads:
            try:
                workload.setup()
            except FinalReadError as error:
                raise HarnessError(str(error)) from error
        ctx = Context(cluster, random.Random(f"nemesis-{seed}"),
                      [w.table for w in workloads], log=log)
        ctx.partitions()
        schedule = make_schedule(seed, duration)
        result["schedule"] = [{"start": s, "end": e} for s, e in schedule]

        clock.origin = time.monotonic()  # the experiment starts now
        for workload in workloads:
            workload.start(stop)
        heal_errors = []
        for window_start, window_end in schedule:
            sleep_until(clock, window_start)
            # start: when the nemesis began to inject (a `ternctl down` takes
            # seconds); injected: when it was done; end: when healing began;
            # healed: when it was done.
            fault = {"nemesis": nemesis.name, "start": round(clock.now(), 3),
                     "injected": None, "end": None, "healed": None, "detail": None}
            result["faults"].append(fault)
            fault["detail"] = nemesis.start(ctx)
            fault["injected"] = round(clock.now(), 3)
            log(f"[{name} seed={seed}] {fault['start']:6.2f}s {fault['detail']}")
            sleep_until(clock, window_end)
            fault["end"] = round(clock.now(), 3)
            try:
                fault["heal"] = nemesis.stop(ctx)
            except HealError as error:
                fault["heal"] = f"FAILED: {error}"
                heal_errors.append(f"at {fault['end']:.2f}s: {error}")
            fault["healed"] = round(clock.now(), 3)
            log(f"[{name} seed={seed}] {fault['healed']:6.2f}s {fault['heal']}")
        sleep_until(clock, duration)
        time.sleep(QUIET_S)
        stop.set()
        for workload in workloads:
            workload.join()
        elapsed = clock.now()
        log(f"[{name} seed={seed}] workloads stopped at {elapsed:.1f}s; final reads and checks")

        checkers = {}
        for workload in workloads:
            checkers.update(workload.final_check())
        if heal_errors:
            checkers["heal"] = {"ok": False, "explanation": "; ".join(heal_errors)}
        history = sorted((op for w in workloads for op in w.snapshot()),
                         key=lambda op: op["start"])
        if experiment.nemesis == "two_azs_down":
            ok, why = check_no_ack_while_majority_down(history, result["faults"])
            checkers["no_ack_while_majority_down"] = {"ok": ok, "explanation": why}
        result["checkers"] = checkers
        result["ok"] = all(c["ok"] for c in checkers.values())
        result["status"] = "pass" if result["ok"] else "violation"
        result["workloads"] = summarize(history, elapsed)
        result["recovery_s"] = recovery_times(history, result["faults"])
        result["after_heal"] = after_heal(history, result["faults"])
    except (HarnessError, NemesisError) as error:
        result["error"] = str(error)
        log(f"[{name} seed={seed}] harness error: {error}")
    except Exception as error:  # noqa: BLE001 - a harness bug is no violation
        result["error"] = f"{error!r}\n{traceback.format_exc()}"
        log(f"[{name} seed={seed}] harness error: {result['error']}")
    except KeyboardInterrupt:
        result["error"] = "interrupted"
        raise
    finally:
        stop.set()
        result["wall_time_s"] = round(time.monotonic() - started, 1)
        _teardown(cluster, ctx, nemesis, workloads, work, out_dir, log)
        _write_outputs(result, workloads, out_dir, log)
    return result


def _teardown(cluster, ctx, nemesis, workloads, work, out_dir, log):
    """Stops every process of the cluster, whatever state it is in, undoes
    what the nemesis set up (mounts), keeps the logs in out_dir/logs and
    deletes the cluster's folder. Each step runs even if one before failed;
    SIGINT and SIGTERM are ignored meanwhile, so that a second Ctrl-C cannot
    leave processes behind."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN)
                for sig in (signal.SIGINT, signal.SIGTERM)}
    logs = os.path.join(cluster.data_dir, "logs")
    steps = [
        # SIGCONT whatever is paused first, or it could not stop.
        ("resume", lambda: ctx and ctx.release()),
        ("ternctl down", lambda: cluster.ternctl("down", timeout=120)),
        ("kill", cluster.kill_everything),
        ("kill restarted", lambda: ctx and ctx.kill_spawned()),
        ("kill strays", lambda: kill_stray_daemons(log)),
        ("nemesis cleanup", lambda: nemesis.cleanup(log)),
        ("join workloads", lambda: [w.join(timeout=5) for w in workloads]),
        ("reap", reap_children),
        ("keep logs", lambda: os.path.isdir(logs) and shutil.copytree(
            logs, os.path.join(out_dir, "logs"), dirs_exist_ok=True)),
        ("remove data", lambda: shutil.rmtree(work, ignore_errors=True)),
    ]
    try:
        for what, step in steps:
            try:
                step()
            except Exception as error:  # noqa: BLE001 - cleanup must go on
                log(f"teardown ({what}): {error!r}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


DAEMONS = ("tern-node", "tern-control", "tern-router", "ternctl")


def kill_stray_daemons(log=print):
    """SIGKILLs every Tern process that is a child of this one. This process
    is a child subreaper, so a daemon whose parent died (one that `ternctl
    up` had started but not yet recorded in cluster.json when it was
    interrupted) is re-parented here: cluster.json cannot name it, this can.
    Returns the pids killed."""
    killed = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv0 = f.read().split(b"\0")[0].decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if parent == me and os.path.basename(argv0) in DAEMONS:
            for sig in (signal.SIGCONT, signal.SIGKILL):
                try:
                    os.kill(int(entry), sig)
                except ProcessLookupError:
                    pass
            killed.append(int(entry))
    if killed:
        log(f"teardown: killed stray processes {killed}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(
                pid_alive(pid) for pid in killed):
            reap_children()
            time.sleep(0.05)
    reap_children()
    return killed


def _write_outputs(result, workloads, out_dir, log):
    import json
    history = sorted((op for w in workloads for op in w.snapshot()), key=lambda op: op["start"])
    with open(os.path.join(out_dir, "history.json"), "w") as f:
        json.dump(history, f)
    with open(os.path.join(out_dir, "result.json"), "w") as f:
        json.dump(result, f, indent=2)
    try:
        from report import plot
        plot(history, result["faults"], os.path.join(out_dir, "plot.png"),
             title=f"{result['experiment']} seed={result['seed']}"
                   f"{' bug=' + result['bug'] if result['bug'] else ''}: {result['status']}")
    except Exception as error:  # noqa: BLE001 - a missing plot is no reason to fail
        log(f"plot: {error!r}")
