"""Workloads for fault-injection experiments: client threads that run
operations against Tern through the public DynamoDB API (boto3) and record
every one in the checkers' history format (see checkers.py).

Three workloads, each on a table of its own (PAY_PER_REQUEST, hash key `k`
of type S):

- RegisterWorkload: a few keys used as registers; reads (GetItem with
  ConsistentRead), writes (PutItem) and compare-and-set (UpdateItem with a
  ConditionExpression). Checked for linearizability, key by key.
- CounterWorkload: increments (UpdateItem ADD) on a few counters, checked
  against a consistent read of each counter at the end.
- SetWorkload: inserts of unique keys (PutItem), checked against a
  consistent Scan at the end.

The SDK never retries (a retried ADD could count twice, and a retry would
hide the outcome of the first attempt): every attempt is one operation in the
history, and its outcome is classified conservatively by classify_error.
Besides the checkers' fields, every operation records "workload", "latency"
(seconds) and "error" (an error code, or None when it succeeded).
"""

import random
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import (ClientError, ConnectTimeoutError,
                                 EndpointConnectionError, ParamValidationError)

from checkers import check_counter, check_register, check_set, prune_register_history

# Error codes after which the operation certainly did not take effect: the
# server rejected the request before doing anything, or its condition failed.
DEFINITE_FAILURE_CODES = frozenset({
    "ConditionalCheckFailedException",
    "ValidationException",
    "ResourceNotFoundException",
    "SerializationException",
    "UnknownOperationException",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
})

# How long the end-of-run reads may keep retrying before giving up.
FINAL_READ_TIMEOUT_S = 60.0


def classify_error(kind, error):
    """(outcome, error code) of an operation of this kind that raised error.

    "fail" means it certainly did not take effect, "unknown" that it may
    have. Reads change nothing, so a failed read is always "fail" (it
    constrains nothing). For writes, compare-and-sets and adds:
      - a definite refusal by the server (ConditionalCheckFailed,
        ValidationException, ResourceNotFound, ...) is "fail";
      - an error raised before the request left the client (no connection
        could be made, parameter validation) is "fail";
      - anything else (read timeouts, 5xx answers such as
        ServiceUnavailable or InternalServerError, throttling, connections
        closed or reset after the request was sent, unexpected exceptions)
        is "unknown".
    """
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code") or "ClientError"
        if kind == "read" or code in DEFINITE_FAILURE_CODES:
            return "fail", code
        return "unknown", code
    code = type(error).__name__
    if kind == "read":
        return "fail", code
    # EndpointConnectionError is a refused connection (nothing listens) and
    # ConnectTimeoutError one never established: not a byte was sent.
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError,
                          ParamValidationError)):
        return "fail", code
    return "unknown", code


def make_client(endpoint, read_timeout=3.0, connect_timeout=1.0):
    """A DynamoDB client that never retries. Each gets its own session:
    boto3's default session must not be shared by threads creating clients."""
    session = boto3.session.Session()
    return session.client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="tern", aws_secret_access_key="tern",
        config=Config(retries={"max_attempts": 0, "mode": "standard"},
                      connect_timeout=connect_timeout, read_timeout=read_timeout))


class ExperimentClock:
    """Seconds since the experiment started, on the monotonic clock."""

    def __init__(self):
        self.origin = time.monotonic()

    def now(self):
        return time.monotonic() - self.origin


class FinalReadError(Exception):
    """An end-of-run read (or the table's creation) never succeeded."""


def _retry_until(deadline, call, what):
    """call() until it succeeds; FinalReadError, quoting the last error, once
    the monotonic deadline has passed."""
    last = None
    while time.monotonic() < deadline:
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - every failure is retried
            last = error
            time.sleep(0.5)
    raise FinalReadError(f"{what}: no answer within the deadline (last error: {last!r})")


class Workload:
    """Client threads ("processes") running operations on one table until a
    stop event, each operation recorded in self.history.

    Subclasses define name, operation(), and final_check(); observe() lets a
    process remember what its acknowledged operations told it.
    """

    name = "workload"

    def __init__(self, endpoint, seed, clock, processes, first_process=0,
                 read_timeout=3.0):
        self.endpoint = endpoint
        self.seed = seed
        self.clock = clock
        self.process_ids = list(range(first_process, first_process + processes))
        self.read_timeout = read_timeout
        suffix = random.Random(f"{seed}-{self.name}-table").getrandbits(32)
        self.table = f"chaos-{self.name}-{suffix:08x}"
        self.history = []
        self._lock = threading.Lock()
        self._threads = []

    # -- setup -------------------------------------------------------------

    def setup(self, timeout=60.0):
        """Creates the table (again after an ambiguous failure: then it may
        already exist) and waits until it is ACTIVE."""
        client = make_client(self.endpoint, read_timeout=10)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.create_table(
                    TableName=self.table, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
                break
            except ClientError as error:
                if error.response["Error"]["Code"] == "ResourceInUseException":
                    break
                if time.monotonic() > deadline:
                    raise FinalReadError(f"CreateTable {self.table}: {error}") from error
            except Exception as error:  # noqa: BLE001 - retried until the deadline
                if time.monotonic() > deadline:
                    raise FinalReadError(f"CreateTable {self.table}: {error!r}") from error
            time.sleep(0.5)
        while time.monotonic() < deadline:
            try:
                table = client.describe_table(TableName=self.table)["Table"]
                if table["TableStatus"] == "ACTIVE":
                    return
            except Exception:  # noqa: BLE001 - retried until the deadline
                pass
            time.sleep(0.2)
        raise FinalReadError(f"table {self.table} not ACTIVE within {timeout:.0f} s")

    # -- running -----------------------------------------------------------

    def start(self, stop):
        """Starts one thread per process; they run until stop is set."""
        for process in self.process_ids:
            client = make_client(self.endpoint, read_timeout=self.read_timeout)
            rng = random.Random(f"{self.seed}-{self.name}-{process}")
            thread = threading.Thread(target=self._loop, args=(process, client, rng, stop),
                                      name=f"{self.name}-{process}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def join(self, timeout=30.0):
        """Waits for the threads (each finishes its operation in flight)."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _loop(self, process, client, rng, stop):
        state = {"counter": 0, "last": {}}
        while not stop.is_set():
            op, call = self.operation(process, client, rng, state)
            self._execute(op, call)
            if op["outcome"] == "ok":
                self.observe(op, state)
            elif op["error"] != "ConditionalCheckFailedException":
                # Back off a little after an error, so that an outage does
                # not turn into thousands of unknown operations.
                stop.wait(rng.uniform(0.05, 0.2))

    def _execute(self, op, call):
        """Runs call(), then completes op with its timing and outcome."""
        op["workload"] = self.name
        op["start"] = self.clock.now()
        try:
            op["result"] = call()
            op["outcome"], op["error"] = "ok", None
        except Exception as error:  # noqa: BLE001 - every failure is recorded
            op["outcome"], op["error"] = classify_error(op["kind"], error)
        op["end"] = self.clock.now()
        op["latency"] = op["end"] - op["start"]
        with self._lock:
            self.history.append(op)

    def operation(self, process, client, rng, state):
        """(op dict, function running it and returning its result)."""
        raise NotImplementedError

    def observe(self, op, state):
        """Called with every acknowledged operation of the process."""

    def final_check(self):
        """{checker name: {"ok": bool, "explanation": str}} after the run."""
        raise NotImplementedError

    def snapshot(self):
        with self._lock:
            return list(self.history)


class RegisterWorkload(Workload):
    """Registers: random reads, writes and compare-and-sets on a few keys.
    Written values are unique (process * 1e6 + a per-process counter), which
    keeps the linearizability search small."""

    name = "register"

    def __init__(self, *args, keys=3, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = [f"r{i}" for i in range(keys)]

    def operation(self, process, client, rng, state):
        key = rng.choice(self.keys)
        roll = rng.random()
        op = {"process": process, "key": key}
        if roll < 0.4:
            op["kind"] = "read"

            def read():
                item = client.get_item(TableName=self.table, Key={"k": {"S": key}},
                                       ConsistentRead=True).get("Item")
                return int(item["v"]["N"]) if item and "v" in item else None
            return op, read

        state["counter"] += 1
        value = process * 1_000_000 + state["counter"]
        op["value"] = value
        if roll < 0.7:
            op["kind"] = "write"

            def write():
                client.put_item(TableName=self.table,
                                Item={"k": {"S": key}, "v": {"N": str(value)}})
            return op, write

        # Compare-and-set from the value this process last saw; when it has
        # seen none (None), the condition is that v does not exist.
        expected = state["last"].get(key)
        op["kind"] = "cas"
        op["expected"] = expected
        values = {":new": {"N": str(value)}}
        if expected is None:
            condition = "attribute_not_exists(v)"
        else:
            condition = "v = :expected"
            values[":expected"] = {"N": str(expected)}

        def cas():
            client.update_item(
                TableName=self.table, Key={"k": {"S": key}}, UpdateExpression="SET v = :new",
                ConditionExpression=condition, ExpressionAttributeValues=values)
        return op, cas

    def observe(self, op, state):
        state["last"][op["key"]] = op["result"] if op["kind"] == "read" else op["value"]

    def final_check(self):
        history = self.snapshot()
        results = {}
        for key in self.keys:
            started = time.monotonic()
            ops = prune_register_history(history, key)
            ok, why = check_register(ops, key)
            if not ok:
                why += "; " + first_violation(ops, key)
            results[f"register:{key}"] = {
                "ok": ok,
                "explanation": f"{why} (after pruning unobserved unknown writes; "
                               f"{time.monotonic() - started:.1f} s)"}
        return results


def first_violation(ops, key):
    """Where a register history stops being linearizable, for the report:
    the acknowledged operation whose completion makes the shortest failing
    prefix (the acknowledged operations that ended by then, with the
    unknown ones that had started), found by bisection."""
    acked = sorted((op for op in ops if op["outcome"] == "ok"), key=lambda op: op["end"])

    def prefix(n):
        cutoff = acked[n - 1]["end"]
        return [op for op in ops if (op["outcome"] == "ok" and op["end"] <= cutoff)
                or (op["outcome"] != "ok" and op["start"] <= cutoff)]
    low, high = 1, len(acked)  # invariant: prefix(high) fails
    if not acked or check_register(prefix(high), key)[0]:
        return "no failing prefix found"
    while low < high:
        middle = (low + high) // 2
        if check_register(prefix(middle), key)[0]:
            low = middle + 1
        else:
            high = middle
    op = acked[high - 1]
    what = (f"read {op['result']}" if op["kind"] == "read" else
            f"cas {op.get('expected')}->{op['value']}" if op["kind"] == "cas" else
            f"write {op['value']}")
    return (f"first violation when process {op['process']}'s {what} "
            f"[{op['start']:.3f}, {op['end']:.3f}] completed")


class CounterWorkload(Workload):
    """Counters: ADD c :1 on a few keys; the final values are read with
    ConsistentRead once the faults are healed."""

    name = "counter"

    def __init__(self, *args, keys=3, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = [f"c{i}" for i in range(keys)]
        self.final_values = {}

    def operation(self, process, client, rng, state):
        key = rng.choice(self.keys)
        op = {"process": process, "kind": "add", "key": key, "value": 1}

        def add():
            client.update_item(
                TableName=self.table, Key={"k": {"S": key}}, UpdateExpression="ADD c :one",
                ExpressionAttributeValues={":one": {"N": "1"}})
        return op, add

    def read_final(self):
        client = make_client(self.endpoint, read_timeout=5)
        deadline = time.monotonic() + FINAL_READ_TIMEOUT_S
        for key in self.keys:
            def read(key=key):
                return client.get_item(TableName=self.table, Key={"k": {"S": key}},
                                       ConsistentRead=True)
            item = _retry_until(deadline, read, f"final read of counter {key}").get("Item")
            self.final_values[key] = int(item["c"]["N"]) if item and "c" in item else 0

    def final_check(self):
        history = self.snapshot()
        try:
            self.read_final()
        except FinalReadError as error:
            return {"counter": {"ok": False, "explanation": str(error)}}
        results = {}
        for key in self.keys:
            ok, why = check_counter(history, key, self.final_values[key])
            results[f"counter:{key}"] = {"ok": ok, "explanation": why}
        return results


class SetWorkload(Workload):
    """A set: inserts of unique keys (PutItem); the final members come from a
    paged consistent Scan."""

    name = "set"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.final_members = None

    def operation(self, process, client, rng, state):
        state["counter"] += 1
        member = f"s{process}-{state['counter']}"
        op = {"process": process, "kind": "write", "key": member, "value": member}

        def insert():
            client.put_item(TableName=self.table, Item={"k": {"S": member}})
        return op, insert

    def read_final(self):
        """Scans the table page by page; a page that fails is asked again."""
        client = make_client(self.endpoint, read_timeout=10)
        deadline = time.monotonic() + FINAL_READ_TIMEOUT_S
        members, start_key = set(), None
        while True:
            request = {"TableName": self.table, "ConsistentRead": True}
            if start_key:
                request["ExclusiveStartKey"] = start_key

            def scan(request=request):
                return client.scan(**request)
            page = _retry_until(deadline, scan, "final scan of the set")
            members.update(item["k"]["S"] for item in page.get("Items", []))
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                break
        self.final_members = members

    def final_check(self):
        history = self.snapshot()
        try:
            self.read_final()
        except FinalReadError as error:
            return {"set": {"ok": False, "explanation": str(error)}}
        ok, why = check_set(history, self.final_members)
        return {"set": {"ok": ok, "explanation": why}}


WORKLOADS = {"register": RegisterWorkload, "counter": CounterWorkload, "set": SetWorkload}

# Client threads per workload.
DEFAULT_PROCESSES = {"register": 3, "counter": 2, "set": 2}
