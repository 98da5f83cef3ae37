"""Unit tests of the fault-injection harness's pure pieces: how outcomes are
classified, the schedule, the two_azs_down acknowledgement check, the
workloads' recording and final reads (with fake clients), verdicts, and the
plot. No cluster is started."""

import argparse
import json
import os
import sys

import pytest
from botocore.exceptions import (ClientError, ConnectionClosedError, ConnectTimeoutError,
                                 EndpointConnectionError, ReadTimeoutError)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import experiments  # noqa: E402
import run  # noqa: E402
import workloads  # noqa: E402
from experiments import check_no_ack_while_majority_down, make_schedule, summarize  # noqa: E402
from workloads import classify_error  # noqa: E402


def client_error(code, status=400):
    return ClientError({"Error": {"Code": code, "Message": "m"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "PutItem")


# -- outcome classification ---------------------------------------------------

@pytest.mark.parametrize("code", ["ConditionalCheckFailedException", "ValidationException",
                                  "ResourceNotFoundException"])
def test_definite_refusals_are_failures(code):
    for kind in ("write", "cas", "add"):
        assert classify_error(kind, client_error(code)) == ("fail", code)


@pytest.mark.parametrize("code,status", [("ServiceUnavailableException", 503),
                                         ("InternalServerError", 500),
                                         ("ThrottlingException", 400)])
def test_server_errors_leave_writes_unknown(code, status):
    for kind in ("write", "cas", "add"):
        assert classify_error(kind, client_error(code, status)) == ("unknown", code)


def test_errors_before_the_request_was_sent_are_failures():
    refused = EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
    never_connected = ConnectTimeoutError(endpoint_url="http://127.0.0.1:1")
    assert classify_error("write", refused) == ("fail", "EndpointConnectionError")
    assert classify_error("add", never_connected) == ("fail", "ConnectTimeoutError")


def test_errors_after_the_request_was_sent_are_unknown():
    timeout = ReadTimeoutError(endpoint_url="http://127.0.0.1:1")
    reset = ConnectionClosedError(endpoint_url="http://127.0.0.1:1")
    assert classify_error("write", timeout) == ("unknown", "ReadTimeoutError")
    assert classify_error("cas", reset) == ("unknown", "ConnectionClosedError")
    assert classify_error("add", RuntimeError("surprise")) == ("unknown", "RuntimeError")


def test_failed_reads_are_failures_whatever_the_error():
    for error in (client_error("ServiceUnavailableException", 503),
                  ReadTimeoutError(endpoint_url="http://x"), RuntimeError("x")):
        assert classify_error("read", error)[0] == "fail"


# -- schedule -------------------------------------------------------------------

def test_schedule_is_deterministic_per_seed():
    assert make_schedule(7, 60) == make_schedule(7, 60)
    assert make_schedule(7, 60) != make_schedule(8, 60)


def test_schedule_windows_respect_warmup_lengths_gaps_and_duration():
    (on_min, on_max), (off_min, off_max) = experiments.WINDOW_ON_S, experiments.WINDOW_OFF_S
    for seed in range(50):
        windows = make_schedule(seed, 45)
        assert windows, seed
        assert windows[0][0] == experiments.WARMUP_S
        for start, end in windows:
            assert on_min - 1e-3 <= end - start <= on_max + 1e-3
            assert end <= 45
        for (_, end), (start, _) in zip(windows, windows[1:]):
            assert off_min - 1e-3 <= start - end <= off_max + 1e-3


def test_short_durations_still_get_one_window():
    assert make_schedule(1, experiments.MIN_DURATION_S) != []


# -- two_azs_down: nothing acknowledged without a quorum ------------------------------

def op(kind, start, end, outcome="ok", workload="set", key="k", **fields):
    return {"process": 0, "kind": kind, "key": key, "start": start, "end": end,
            "outcome": outcome, "workload": workload, "latency": end - start,
            "error": None, **fields}


FAULTS = [{"nemesis": "two_azs_down", "start": 10.0, "injected": 10.1, "end": 16.0,
           "healed": 17.0}]


def test_acks_inside_the_window_are_violations():
    history = [op("write", 12.0, 12.5)]
    ok, why = check_no_ack_while_majority_down(history, FAULTS)
    assert not ok and "1 writes acknowledged" in why
    for kind in ("cas", "add"):
        assert not check_no_ack_while_majority_down([op(kind, 14, 15)], FAULTS)[0]


def test_what_the_rule_allows():
    history = [
        op("write", 11.0, 11.2),                     # within the grace after the kill
        op("write", 12.0, 16.5),                     # ended after the heal began
        op("write", 5.0, 6.0),                       # before the window
        op("read", 12.0, 12.1, result=3),            # reads may be answered
        op("write", 12.0, 13.0, outcome="unknown"),  # refused or timed out
        op("add", 12.0, 13.0, outcome="fail"),
    ]
    assert check_no_ack_while_majority_down(history, FAULTS)[0]


def test_an_unhealed_window_is_ignored():
    faults = [{"nemesis": "two_azs_down", "start": 10.0, "injected": 10.1, "end": None}]
    assert check_no_ack_while_majority_down([op("write", 12, 13)], faults)[0]


# -- workloads, with fake clients ---------------------------------------------------

class FakeClock:
    def __init__(self):
        self.t = 0.0

    def now(self):
        self.t += 0.5
        return self.t


def test_execute_records_timing_outcome_and_error():
    workload = workloads.SetWorkload("http://unused", 1, FakeClock(), processes=1)

    def refused():
        raise client_error("ServiceUnavailableException", 503)
    workload._execute({"process": 0, "kind": "write", "key": "a", "value": "a"}, lambda: None)
    workload._execute({"process": 0, "kind": "write", "key": "b", "value": "b"}, refused)
    first, second = workload.history
    assert first["outcome"] == "ok" and first["error"] is None
    assert (first["start"], first["end"], first["latency"]) == (0.5, 1.0, 0.5)
    assert first["workload"] == "set"
    assert second["outcome"] == "unknown" and second["error"] == "ServiceUnavailableException"


def test_register_values_are_unique_and_cas_uses_the_last_seen_value():
    import random
    workload = workloads.RegisterWorkload("http://unused", 1, FakeClock(), processes=1,
                                          first_process=2)
    state = {"counter": 0, "last": {}}
    rng = random.Random(3)
    values, kinds = [], set()
    for _ in range(200):
        op, _ = workload.operation(2, None, rng, state)
        kinds.add(op["kind"])
        if op["kind"] != "read":
            values.append(op["value"])
            assert op["value"] // 1_000_000 == 2
        if op["kind"] == "cas":
            assert op["expected"] == state["last"].get(op["key"])
        op.update(outcome="ok", result=None)
        workload.observe(op, state)
    assert kinds == {"read", "write", "cas"}
    assert len(values) == len(set(values))


class FakeScanClient:
    """Two pages; the second fails once before it answers."""

    def __init__(self):
        self.calls = []

    def scan(self, **request):
        self.calls.append(request.get("ExclusiveStartKey"))
        if "ExclusiveStartKey" not in request:
            return {"Items": [{"k": {"S": "a"}}], "LastEvaluatedKey": {"k": {"S": "a"}}}
        if self.calls.count(request["ExclusiveStartKey"]) == 1:
            raise client_error("ServiceUnavailableException", 503)
        return {"Items": [{"k": {"S": "b"}}]}


def test_final_scan_retries_a_failed_page_and_checks_the_set(monkeypatch):
    fake = FakeScanClient()
    monkeypatch.setattr(workloads, "make_client", lambda *a, **k: fake)
    monkeypatch.setattr(workloads.time, "sleep", lambda s: None)
    workload = workloads.SetWorkload("http://unused", 1, FakeClock(), processes=1)
    workload.history = [op("write", 0, 1, key="a"), op("write", 0, 1, key="b"),
                        op("write", 0, 1, key="c", outcome="unknown")]
    result = workload.final_check()
    assert result["set"]["ok"], result
    assert workload.final_members == {"a", "b"}
    assert fake.calls == [None, {"k": {"S": "a"}}, {"k": {"S": "a"}}]


def test_a_final_read_that_never_succeeds_is_a_violation(monkeypatch):
    class Down:
        def get_item(self, **request):
            raise EndpointConnectionError(endpoint_url="http://x")
    monkeypatch.setattr(workloads, "make_client", lambda *a, **k: Down())
    monkeypatch.setattr(workloads, "FINAL_READ_TIMEOUT_S", 0.01)
    workload = workloads.CounterWorkload("http://unused", 1, FakeClock(), processes=1)
    result = workload.final_check()
    assert not result["counter"]["ok"]
    assert "final read" in result["counter"]["explanation"]


# -- results ---------------------------------------------------------------------------

def test_summary_counts_throughput_and_latency():
    history = [op("write", 0, 0.01), op("write", 0, 0.03),
               op("write", 0, 1, outcome="unknown"),
               op("add", 0, 0.02, workload="counter"),
               op("add", 0, 0.5, workload="counter", outcome="fail")]
    history[2]["error"] = "ReadTimeoutError"
    summary = summarize(history, elapsed=2.0)
    assert summary["set"]["counts"] == {"ok": 2, "fail": 0, "unknown": 1}
    assert summary["set"]["errors"] == {"ReadTimeoutError": 1}
    assert summary["set"]["throughput"] == 1.0
    assert summary["set"]["latency_ms"] == {"p50": 10.0, "p99": 30.0, "max": 30.0}
    assert summary["counter"]["counts"] == {"ok": 1, "fail": 1, "unknown": 0}


def test_a_bug_run_passes_only_when_caught():
    assert run.verdict({"status": "violation", "bug": "ack-before-commit"}) == ("bug caught", 0)
    assert run.verdict({"status": "pass", "bug": "ack-before-commit"}) == ("bug missed", 1)
    assert run.verdict({"status": "pass", "bug": None}) == ("pass", 0)
    assert run.verdict({"status": "violation", "bug": None}) == ("violation", 1)
    assert run.verdict({"status": "error", "bug": "ack-before-commit"}) == ("error", 2)


def test_suites():
    short = run.plan(argparse.Namespace(suite="short", runs=None))
    assert ("isolate_leader", "ack-before-commit") in short
    assert {name for name, _ in short} <= set(experiments.EXPERIMENTS)
    full = run.plan(argparse.Namespace(suite="full", runs=2))
    for name in run.ACCEPTANCE:
        assert full.count((name, None)) == 2
    assert {name for name, _ in full} == set(experiments.EXPERIMENTS)
    single = run.plan(argparse.Namespace(suite=None, experiment="kill_leader", bug=None, runs=3))
    assert single == [("kill_leader", None)] * 3


# -- plot ---------------------------------------------------------------------------------

def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    import report
    history = []
    for i in range(200):
        t = i * 0.1
        outcome = "unknown" if 8 < t < 9 else ("fail" if i % 7 == 0 else "ok")
        history.append(op("write" if i % 2 else "add", t, t + 0.02, outcome=outcome,
                          workload="set" if i % 2 else "counter"))
    faults = [{"nemesis": "kill_leader", "start": 8.0, "end": 12.0, "healed": 12.5,
               "detail": "kill -9 node-1"},
              {"nemesis": "kill_leader", "start": 15.0, "end": None, "detail": "never healed"}]
    path = tmp_path / "plot.png"
    report.plot(history, faults, str(path), title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # Standalone: from a result folder.
    (tmp_path / "history.json").write_text(json.dumps(history))
    (tmp_path / "result.json").write_text(json.dumps({"experiment": "x", "seed": 1,
                                                      "faults": faults}))
    path.unlink()
    assert report.main(["report.py", str(tmp_path)]) == 0
    assert path.exists()


def test_percentile():
    import report
    assert report.percentile([], 0.5) is None
    assert report.percentile([3, 1, 2], 0.5) == 2
    assert report.percentile(list(range(1, 101)), 0.99) == 99


def fake_runs(monkeypatch, statuses):
    """Makes run.run_experiment return the given statuses in turn."""
    calls = []

    def fake(name, seed, duration, out, bug=None):
        status = statuses[len(calls)]
        calls.append((name, seed, bug, out))
        return {"experiment": name, "seed": seed, "bug": bug, "status": status,
                "wall_time_s": 0.0, "out_dir": out, "checkers": {}, "workloads": {},
                "error": "boom" if status == "error" else None}
    monkeypatch.setattr(run, "run_experiment", fake)
    monkeypatch.setattr(run, "become_subreaper", lambda: None)
    return calls


def test_exit_status_of_a_suite(monkeypatch, tmp_path, capsys):
    out = str(tmp_path / "suite")
    calls = fake_runs(monkeypatch, ["pass", "pass", "violation"])
    assert run.main(["--suite", "short", "--seed", "5", "--out", out]) == 0
    assert capsys.readouterr().out.startswith("seed=5\n")
    assert [c[1] for c in calls] == [5, 6, 7]  # one seed per run
    summary = json.loads((tmp_path / "suite" / "summary.json").read_text())
    assert [r["verdict"] for r in summary["runs"]] == ["pass", "pass", "bug caught"]

    fake_runs(monkeypatch, ["violation", "pass", "violation"])
    assert run.main(["--suite", "short", "--seed", "5", "--out", out]) == 1
    fake_runs(monkeypatch, ["pass", "pass", "pass"])  # the bug went unnoticed
    assert run.main(["--suite", "short", "--seed", "5", "--out", out]) == 1
    fake_runs(monkeypatch, ["pass", "error", "violation"])
    assert run.main(["--suite", "short", "--seed", "5", "--out", out]) == 2


def test_a_single_run_writes_where_it_is_told(monkeypatch, tmp_path):
    calls = fake_runs(monkeypatch, ["pass"])
    out = str(tmp_path / "one")
    assert run.main(["--experiment", "pause_node", "--seed", "3", "--out", out]) == 0
    assert calls == [("pause_node", 3, None, out)]
    calls = fake_runs(monkeypatch, ["violation"])
    assert run.main(["--experiment", "kill_leader", "--out", out]) == 1


def test_after_heal_counts_errors_but_not_refused_conditions():
    faults = [{"nemesis": "x", "start": 1, "end": 2, "healed": 3.0}]
    history = [op("write", 1, 2, outcome="unknown"),           # before the heal
               op("write", 3.5, 4), op("write", 4, 5, outcome="unknown"),
               op("cas", 4, 5, outcome="fail", workload="register")]
    history[-1]["error"] = "ConditionalCheckFailedException"
    assert experiments.after_heal(history, faults) == {
        "set": {"ok": 1, "errors": 1}, "register": {"ok": 0, "errors": 0}}
    assert experiments.recovery_times(history, faults) == {"register": None, "set": 1.0}


def test_first_violation_points_at_the_stale_read():
    history = [op("write", 0, 1, key="r0", value=1), op("read", 1.5, 2, key="r0", result=1),
               op("write", 2, 3, key="r0", value=2), op("read", 4, 5, key="r0", result=1),
               op("read", 6, 7, key="r0", result=2)]
    why = workloads.first_violation(history, "r0")
    assert "read 1 [4.000, 5.000]" in why, why
