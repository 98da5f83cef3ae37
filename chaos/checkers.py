"""Checkers for fault-injection experiments: given the history of operations
clients ran against Tern (through the DynamoDB API) while faults were
injected, decide whether the database behaved.

An operation is a dict:
    {"process": P, "kind": "read"|"write"|"cas"|"add", "key": K,
     "value": V, "expected": E (cas), "start": t0, "end": t1,
     "outcome": "ok"|"fail"|"unknown", "result": R (ok reads: the value read)}

"fail" means the operation certainly did not take effect (for example a
ConditionalCheckFailed, or a refusal before anything was sent); "unknown"
means it may or may not have (a timeout, a 5xx after the request was sent):
checkers must accept both, and an unknown operation may take effect at any
time after its start, even after its client gave up.

- check_register: linearizability of a single-key register with reads,
  writes and compare-and-set (Wing & Gong's search, with memoization of
  (linearized set, value) states, as in Lowe's refinement).
- check_counter: increments (ADD) are neither lost nor duplicated.
- check_set: every acknowledged insert is present at the end.
Each returns (ok, explanation).

- prune_register_history: the operations on one key minus the unknown
  writes and compare-and-sets whose value nobody observed; check_register
  gives the same verdict on them, faster (see its docstring).
"""

from collections import defaultdict


def _register_ops(history, key):
    ops = [op for op in history if op.get("key") == key and op["outcome"] != "fail"]
    # A failed cas still says the value differed at some point, but it
    # changed nothing: only successful and unknown operations constrain or
    # change the state; failed reads tell nothing.
    return [op for op in ops if not (op["kind"] == "read" and op["outcome"] != "ok")]


def _apply(op, value):
    """(allowed, new value) of op applied to a register holding value."""
    kind = op["kind"]
    if kind == "read":
        return op["result"] == value, value
    if kind == "write":
        return True, op["value"]
    if kind == "cas":
        if op["outcome"] == "ok":
            return value == op["expected"], op["value"]
        # Unknown cas: if it took effect the register held expected.
        return value == op["expected"], op["value"]
    raise ValueError(f"not a register operation: {kind}")


def check_register(history, key, initial=None):
    """Whether the operations on key are linearizable: there is an order
    consistent with real time (an operation that ended before another started
    comes first) in which every completed read returns the latest write.
    Unknown operations may be left out (they never took effect) or placed
    anywhere after their start."""
    ops = _register_ops(history, key)
    infinity = float("inf")
    ends = [op["end"] if op["outcome"] == "ok" else infinity for op in ops]
    required = frozenset(i for i, op in enumerate(ops) if op["outcome"] == "ok")
    n = len(ops)
    seen = set()
    # Depth-first search over (linearized, value); an op can go next when
    # no unlinearized ok operation ended before it started.
    stack = [(frozenset(), initial)]
    while stack:
        done, value = stack.pop()
        if required <= done:
            return True, f"{len(ops)} operations on {key!r} linearizable"
        state = (done, value)
        if state in seen:
            continue
        seen.add(state)
        pending = [i for i in range(n) if i not in done]
        horizon = min((ends[i] for i in pending), default=infinity)
        for i in pending:
            if ops[i]["start"] > horizon:
                continue  # something that ended earlier must come first
            allowed, after = _apply(ops[i], value)
            if allowed:
                stack.append((done | {i}, after))
    return False, (f"no linearization of {len(ops)} operations on {key!r}; "
                   f"explored {len(seen)} states")


def prune_register_history(history, key):
    """The operations on key that check_register needs: those of history
    minus every unknown write or cas whose value no one observed (no ok read
    returned it, no remaining cas expected it), repeated until none is left.

    The verdict of check_register does not change. Without such an op, any
    linearization of the rest is one of the whole (an unknown op may be left
    out). With it, take a linearization that includes it: the next operation
    after it can be neither a read (it would have returned the unobserved
    value) nor a cas (it would have expected it), so it is a write or
    nothing, and dropping the op leaves every other result unchanged.
    Acknowledged writes are never dropped: they must take effect between
    their start and end, which constrains the order even when unobserved.

    Unknown writes pile up while a fault lasts (timeouts, 5xx answers) and
    each one doubles the states check_register may have to explore; most
    never took effect, and those are exactly the unobserved ones."""
    ops = [op for op in history if op.get("key") == key]
    while True:
        observed = {op["result"] for op in ops
                    if op["kind"] == "read" and op["outcome"] == "ok"}
        observed |= {op.get("expected") for op in ops
                     if op["kind"] == "cas" and op["outcome"] != "fail"}
        kept = [op for op in ops
                if not (op["kind"] in ("write", "cas") and op["outcome"] == "unknown"
                        and op["value"] not in observed)]
        if len(kept) == len(ops):
            return kept
        ops = kept


def check_counter(history, key, final_value):
    """Increments (kind "add", value = delta) against a final read: the final
    value must lie between the sum of acknowledged increments and that sum
    plus every unknown increment (none lost, none applied twice)."""
    acked = sum(op["value"] for op in history
                if op["kind"] == "add" and op.get("key") == key and op["outcome"] == "ok")
    maybe = sum(op["value"] for op in history
                if op["kind"] == "add" and op.get("key") == key and op["outcome"] == "unknown")
    low, high = acked, acked + maybe
    if low <= final_value <= high:
        return True, f"counter {key!r} = {final_value} within [{low}, {high}]"
    if final_value < low:
        return False, f"counter {key!r} = {final_value}: {low - final_value} acknowledged increments lost"
    return False, f"counter {key!r} = {final_value}: {final_value - high} increments more than sent"


def check_set(history, final_members):
    """Inserts (kind "write", key = member): every acknowledged insert is in
    final_members; members nobody inserted are reported too."""
    final = set(final_members)
    acked = {op["key"] for op in history if op["kind"] == "write" and op["outcome"] == "ok"}
    attempted = {op["key"] for op in history if op["kind"] == "write"}
    lost = sorted(acked - final)
    unexpected = sorted(final - attempted)
    if lost:
        return False, f"{len(lost)} acknowledged inserts lost, e.g. {lost[:5]}"
    if unexpected:
        return False, f"{len(unexpected)} members nobody inserted, e.g. {unexpected[:5]}"
    return True, f"all {len(acked)} acknowledged inserts present ({len(final)} members)"


def by_key(history):
    keys = defaultdict(list)
    for op in history:
        keys[op.get("key")].append(op)
    return keys
