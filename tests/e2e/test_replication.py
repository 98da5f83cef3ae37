"""Replication with real processes: every table's partition is a group of
three replicas on the three nodes (az-a, az-b, az-c). Killing the leader's
node loses no acknowledged write; with two of three nodes down writes are
refused while eventually consistent reads still answer; a restarted node
catches up."""

import os
import re
import signal
import subprocess
import threading
import time

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from ddb_helpers import unique, wait_active
from tern_cluster import pid_alive, reap_children


def client(cluster, attempts=1, read_timeout=30):
    return boto3.client(
        "dynamodb", endpoint_url=cluster.endpoint, region_name="us-east-1",
        aws_access_key_id="tern", aws_secret_access_key="tern",
        config=Config(retries={"max_attempts": attempts}, read_timeout=read_timeout,
                      connect_timeout=5))


def node_metrics(node):
    """{metric name with labels: value} of a node's /metrics, {} if it is down."""
    try:
        text = requests.get(f"http://{node['http']}/metrics", timeout=2).text
    except requests.RequestException:
        return {}
    values = {}
    for line in text.splitlines():
        match = re.match(r"^(tern_replica_\w+\{[^}]*\}) (\S+)$", line)
        if match:
            values[match.group(1)] = float(match.group(2))
    return values


def nodes(cluster):
    return [p for p in cluster.processes() if p["kind"] == "node"]


def leader_node(cluster, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for node in nodes(cluster):
            if not pid_alive(node["pid"]):
                continue
            if any(k.startswith("tern_replica_is_leader") and v == 1
                   for k, v in node_metrics(node).items()):
                return node
        time.sleep(0.1)
    raise AssertionError("no leader within timeout")


def applied(node):
    values = [v for k, v in node_metrics(node).items()
              if k.startswith("tern_replica_applied_index")]
    return max(values) if values else -1


def kill9(node):
    os.kill(node["pid"], signal.SIGKILL)
    deadline = time.time() + 10
    while pid_alive(node["pid"]) and time.time() < deadline:
        reap_children()
        time.sleep(0.02)


def restart(node, restarted):
    """Starts the node again with its original command line; records the pid."""
    log = open(node["log"], "a")
    process = subprocess.Popen([node["binary"], *node["args"]], stdout=log, stderr=log,
                               stdin=subprocess.DEVNULL)
    restarted.append(process)
    return process


@pytest.fixture
def replicated(cluster):
    up = cluster.ternctl("up")
    assert up.returncode == 0, up.stdout + up.stderr
    restarted = []
    try:
        yield cluster, restarted
    finally:
        for process in restarted:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def make_table(ddb):
    name = unique("Replicated")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    wait_active(ddb, name)
    return name


def test_status_shows_each_partition_in_three_azs_with_one_leader(replicated):
    cluster, _ = replicated
    ddb = client(cluster)
    table = make_table(ddb)
    ddb.put_item(TableName=table, Item={"id": {"N": "1"}})
    deadline = time.time() + 15
    while True:
        status = cluster.ternctl("status")
        assert status.returncode == 0, status.stdout + status.stderr
        rows = [l.split() for l in status.stdout.splitlines() if l.startswith(table)]
        leaders = [sum(r.endswith(":leader") for r in row[3:6]) for row in rows]
        if rows and all(n == 1 for n in leaders) or time.time() > deadline:
            break
        time.sleep(0.3)
    print(status.stdout)
    assert len(rows) == 2, status.stdout  # two hash slices by default
    assert [row[2] for row in rows] == ["0000..8000", "8000..ffff"]
    for row in rows:
        replicas = row[3:6]
        assert sorted(r.split(":")[1] for r in replicas) == ["az-a", "az-b", "az-c"]
        assert sum(r.endswith(":leader") for r in replicas) == 1, row
    assert sum(int(row[6]) for row in rows) == 1  # the one item, counted by its leader


def leaders_per_node(cluster):
    status = cluster.ternctl("status").stdout
    counts = {}
    for line in status.splitlines():
        for replica in line.split():
            parts = replica.split(":")
            if len(parts) == 3 and parts[2] == "leader":
                counts[parts[0]] = counts.get(parts[0], 0) + 1
    return counts


def test_leaders_spread_evenly_over_the_nodes(replicated):
    cluster, _ = replicated
    ddb = client(cluster)
    for _ in range(3):  # 6 partitions
        make_table(ddb)
    deadline = time.time() + 90
    counts = {}
    while time.time() < deadline:
        counts = leaders_per_node(cluster)
        if sorted(counts.values()) == [2, 2, 2]:
            break
        time.sleep(1)
    assert sorted(counts.values()) == [2, 2, 2], counts


def test_kill_the_leaders_node_during_writes_loses_nothing(replicated):
    cluster, restarted = replicated
    ddb = client(cluster)
    table = make_table(ddb)
    ddb.put_item(TableName=table, Item={"id": {"N": "-1"}})  # a leader exists
    leader = leader_node(cluster)

    acknowledged, failures, stop = [], [], threading.Event()

    def writer():
        writes = client(cluster)
        i = 0
        while not stop.is_set():
            started = time.time()
            try:
                writes.put_item(TableName=table, Item={"id": {"N": str(i)}, "v": {"S": "x" * 100}})
                acknowledged.append((i, started, time.time()))
            except ClientError as error:
                failures.append((i, error.response["Error"]["Code"], time.time()))
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(acknowledged) < 50:
            time.sleep(0.01)
        killed_at = time.time()
        kill9(leader)
        time.sleep(6)
    finally:
        stop.set()
        thread.join(timeout=60)
    # The first write started after the kill that was acknowledged: when the
    # group could take writes again.
    after_kill = [done for _, started, done in acknowledged if started > killed_at]
    assert after_kill, f"no write succeeded after the kill; failures: {failures[-5:]}"
    recovery = after_kill[0] - killed_at
    slowest = max(done - started for _, started, done in acknowledged)
    print(f"writes acknowledged again {recovery:.2f} s after kill -9 of {leader['name']}; "
          f"{len(acknowledged)} acknowledged, {len(failures)} failed, slowest {slowest:.2f} s")
    assert recovery < 5, recovery

    new_leader = leader_node(cluster)
    assert new_leader["name"] != leader["name"]
    reads = client(cluster, attempts=3)
    for i, _, _ in acknowledged:
        got = reads.get_item(TableName=table, Key={"id": {"N": str(i)}}, ConsistentRead=True)
        assert "Item" in got, f"acknowledged write {i} is missing"

    # The killed node comes back and catches up through its log.
    restart(leader, restarted)
    deadline = time.time() + 30
    while time.time() < deadline and applied(leader) < applied(new_leader):
        time.sleep(0.2)
    assert applied(leader) >= applied(new_leader) > 0


def test_two_of_three_down_refuses_writes_but_reads_answer(replicated):
    cluster, restarted = replicated
    ddb = client(cluster)
    table = make_table(ddb)
    for i in range(20):
        ddb.put_item(TableName=table, Item={"id": {"N": str(i)}})
    # Every replica has applied the writes before the outage.
    deadline = time.time() + 10
    while time.time() < deadline and len({applied(n) for n in nodes(cluster)}) != 1:
        time.sleep(0.1)
    down = nodes(cluster)[:2]
    for node in down:
        kill9(node)

    started = time.time()
    with pytest.raises(ClientError) as refused:
        ddb.put_item(TableName=table, Item={"id": {"N": "100"}})
    assert refused.value.response["Error"]["Code"] in (
        "ServiceUnavailableException", "ServiceUnavailable", "InternalServerError")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] in (500, 503)
    print(f"write refused after {time.time() - started:.2f} s")

    eventual = ddb.get_item(TableName=table, Key={"id": {"N": "7"}})
    assert eventual["Item"] == {"id": {"N": "7"}}
    scanned = ddb.scan(TableName=table)
    assert scanned["Count"] >= 20

    # Both come back: the group has a quorum again and takes writes.
    for node in down:
        restart(node, restarted)
    writes = client(cluster, attempts=5)
    deadline = time.time() + 30
    while True:
        try:
            writes.put_item(TableName=table, Item={"id": {"N": "101"}})
            break
        except ClientError:
            assert time.time() < deadline, "no write accepted after the nodes came back"
            time.sleep(0.5)
    got = writes.get_item(TableName=table, Key={"id": {"N": "101"}}, ConsistentRead=True)
    assert "Item" in got
