"""The checkers must fail when the history is wrong, or they prove nothing:
every rule has a history that passes and one that must not."""

import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from checkers import (check_counter, check_register, check_set,  # noqa: E402
                      prune_register_history)


def op(kind, start, end, outcome="ok", key="k", **fields):
    return {"process": 0, "kind": kind, "key": key, "start": start, "end": end,
            "outcome": outcome, **fields}


def test_sequential_register_history_is_linearizable():
    history = [op("write", 0, 1, value=1), op("read", 2, 3, result=1),
               op("write", 4, 5, value=2), op("read", 6, 7, result=2)]
    assert check_register(history, "k")[0]


def test_stale_read_after_a_completed_write_is_caught():
    history = [op("write", 0, 1, value=1), op("write", 2, 3, value=2),
               op("read", 4, 5, result=1)]
    ok, why = check_register(history, "k")
    assert not ok, why


def test_concurrent_operations_may_take_either_order():
    history = [op("write", 0, 10, value=1), op("read", 1, 2, result=None),
               op("read", 3, 4, result=1), op("read", 5, 6, result=1)]
    assert check_register(history, "k")[0]
    # ...but a read cannot go back once a later read saw the write.
    history.append(op("read", 11, 12, result=None))
    assert not check_register(history, "k")[0]


def test_unknown_writes_may_or_may_not_take_effect_even_late():
    never = [op("write", 0, 1, "unknown", value=9), op("read", 2, 3, result=None)]
    late = [op("write", 0, 1, "unknown", value=9), op("read", 2, 3, result=None),
            op("read", 4, 5, result=9)]
    assert check_register(never, "k")[0]
    assert check_register(late, "k")[0]
    # A value nobody wrote is never readable.
    assert not check_register(late + [op("read", 6, 7, result=5)], "k")[0]


def test_compare_and_set():
    good = [op("write", 0, 1, value=1), op("cas", 2, 3, expected=1, value=2),
            op("read", 4, 5, result=2)]
    assert check_register(good, "k")[0]
    # An acknowledged cas whose expected value was never there.
    bad = [op("write", 0, 1, value=1), op("cas", 2, 3, expected=7, value=2)]
    assert not check_register(bad, "k")[0]
    # A failed cas changes nothing.
    failed = [op("write", 0, 1, value=1), op("cas", 2, 3, "fail", expected=7, value=2),
              op("read", 4, 5, result=1)]
    assert check_register(failed, "k")[0]


def test_random_sequential_histories_pass_and_a_corrupted_read_fails():
    seed = 20261126
    print(f"seed={seed}")
    rng = random.Random(seed)
    for _ in range(50):
        value, t, history = None, 0, []
        for _ in range(12):
            if rng.random() < 0.5:
                value = rng.randrange(5)
                history.append(op("write", t, t + 1, value=value))
            else:
                history.append(op("read", t, t + 1, result=value))
            t += 2
        assert check_register(history, "k")[0]
        reads = [o for o in history if o["kind"] == "read"]
        if reads:
            reads[-1]["result"] = "corrupt"
            assert not check_register(history, "k")[0]


def test_counter_bounds():
    history = [op("add", 0, 1, value=1), op("add", 1, 2, value=1),
               op("add", 2, 3, "unknown", value=1), op("add", 3, 4, "fail", value=1)]
    assert check_counter(history, "k", 2)[0]
    assert check_counter(history, "k", 3)[0]
    assert not check_counter(history, "k", 1)[0]  # an acknowledged increment lost
    assert not check_counter(history, "k", 4)[0]  # applied twice (or a failed one applied)


def test_set_of_acknowledged_inserts():
    history = [op("write", 0, 1, key="a"), op("write", 0, 1, key="b"),
               op("write", 0, 1, "unknown", key="c")]
    assert check_set(history, {"a", "b"})[0]
    assert check_set(history, {"a", "b", "c"})[0]
    assert not check_set(history, {"a"})[0]
    assert not check_set(history, {"a", "b", "zz"})[0]


def test_pruning_drops_only_unobserved_unknown_writes():
    history = [op("write", 0, 1, value=1),
               op("write", 0, 9, "unknown", value=2),             # never seen: dropped
               op("write", 0, 9, "unknown", value=3),             # read below: kept
               op("cas", 0, 9, "unknown", expected=3, value=4),   # never seen: dropped
               op("write", 0, 9, "unknown", value=5),             # expected by a cas...
               op("cas", 0, 9, "unknown", expected=5, value=6),   # ...never seen: both go
               op("write", 2, 3, value=7),                        # acknowledged: kept
               op("read", 10, 11, result=3),
               op("write", 0, 1, key="other", value=1)]
    kept = prune_register_history(history, "k")
    assert [o.get("value", o.get("result")) for o in kept] == [1, 3, 7, 3]


def random_concurrent_history(rng, ops=8):
    """A register history from a simulated run: each op takes effect at a
    random instant inside [start, end]; some outcomes are unknown (some of
    those never took effect); reads return the value at their instant."""
    events = []
    for i in range(ops):
        start = rng.uniform(0, 10)
        end = start + rng.uniform(0.1, 3)
        kind = rng.choice(["read", "write", "write", "cas"])
        events.append({"kind": kind, "start": start, "end": end,
                       "at": rng.uniform(start, end), "value": 100 + i,
                       "applied": rng.random() < 0.7})
    value, history = None, []
    for event in sorted(events, key=lambda e: e["at"]):
        entry = op(event["kind"], event["start"], event["end"])
        if event["kind"] == "read":
            entry["result"] = value
        else:
            entry["value"] = event["value"]
            if event["kind"] == "cas":
                entry["expected"] = value if rng.random() < 0.8 else 999
                if entry["expected"] != value:
                    entry["outcome"] = "fail"
            if entry["outcome"] == "ok" and rng.random() < 0.4:
                entry["outcome"] = "unknown"
                if not event["applied"]:
                    history.append(entry)
                    continue
            if entry["outcome"] != "fail":
                value = entry["value"]
        history.append(entry)
    return history


def test_pruning_keeps_the_verdict_on_random_histories():
    seed = 20261127
    print(f"seed={seed}")
    rng = random.Random(seed)
    verdicts = set()
    for _ in range(300):
        history = random_concurrent_history(rng)
        if rng.random() < 0.5:  # corrupt a read now and then
            reads = [o for o in history if o["kind"] == "read"]
            if reads:
                rng.choice(reads)["result"] = rng.choice([None, 100, 101, 102])
        full = check_register(history, "k")[0]
        pruned = check_register(prune_register_history(history, "k"), "k")[0]
        assert full == pruned, history
        verdicts.add(full)
    assert verdicts == {True, False}  # both kinds of history were tried
