"""The transport fault layer and clock skew of `ternctl fault`, against a
real cluster: an isolated leader is replaced and loses nothing acknowledged,
a skewed clock keeps the cluster correct, and nodes refuse fault injection
unless started for it."""

import os
import shutil
import subprocess
import threading
import time

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from test_replication import client, leader_node, make_table, node_metrics, nodes


def leaders_on(node):
    return sum(1 for k, v in node_metrics(node).items()
               if k.startswith("tern_replica_is_leader") and v == 1)


def fault(cluster, node, *flags):
    result = cluster.ternctl("fault", node["name"], *flags)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Writer:
    """Writes ids 0, 1, ... until stopped; remembers which were acknowledged."""

    def __init__(self, cluster, table):
        self.ddb = client(cluster, read_timeout=3)
        self.table = table
        self.acknowledged = []  # (id, started, done)
        self.failed = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        i = 0
        while not self.stop.is_set():
            started = time.time()
            try:
                self.ddb.put_item(TableName=self.table, Item={"id": {"N": str(i)}})
                self.acknowledged.append((i, started, time.time()))
            except (ClientError, ReadTimeoutError):
                self.failed += 1
            i += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=60)

    def wait_for(self, count, timeout=30):
        deadline = time.time() + timeout
        while len(self.acknowledged) < count and time.time() < deadline:
            time.sleep(0.02)
        assert len(self.acknowledged) >= count, f"only {len(self.acknowledged)} writes"


def assert_all_readable(cluster, table, acknowledged):
    reads = client(cluster, attempts=3)
    for i, _, _ in acknowledged:
        got = reads.get_item(TableName=table, Key={"id": {"N": str(i)}}, ConsistentRead=True)
        assert "Item" in got, f"acknowledged write {i} is missing"


@pytest.fixture
def faulty(cluster):
    """A running cluster whose nodes accept `ternctl fault`, and a table."""
    cluster.node_args = "--fault_injection"
    up = cluster.ternctl("up")
    assert up.returncode == 0, up.stdout + up.stderr
    ddb = client(cluster)
    table = make_table(ddb)
    ddb.put_item(TableName=table, Item={"id": {"N": "-1"}})
    return cluster, table


def test_fault_injection_is_refused_unless_the_node_allows_it(cluster):
    up = cluster.ternctl("up")
    assert up.returncode == 0, up.stdout + up.stderr
    result = cluster.ternctl("fault", "node-1", "--drop_out=1")
    assert result.returncode == 1
    assert "fault injection is off" in result.stderr


def test_an_isolated_leader_is_replaced_and_loses_nothing_acknowledged(faulty):
    cluster, table = faulty
    leader = leader_node(cluster)
    with Writer(cluster, table) as writer:
        writer.wait_for(30)
        isolated_at = time.time()
        state = fault(cluster, leader, "--drop_out=1", "--drop_in=1")
        assert "link to every peer: drop out 1, drop in 1" in state
        # The others elect a leader among themselves and take writes again.
        deadline = time.time() + 30
        while time.time() < deadline and not any(
                started > isolated_at + 1 for _, started, _ in writer.acknowledged):
            time.sleep(0.1)
        after = [w for w in writer.acknowledged if w[1] > isolated_at + 1]
        assert after, f"no write acknowledged with the leader isolated ({writer.failed} failed)"
        others = [n for n in nodes(cluster) if n["name"] != leader["name"]]
        assert sum(leaders_on(n) for n in others) > 0
        print(f"isolated {leader['name']}: writes acknowledged again "
              f"{after[0][2] - isolated_at:.2f} s later")
        assert "no link faults" in fault(cluster, leader, "--clear")
        writer.wait_for(len(writer.acknowledged) + 20)
    assert_all_readable(cluster, table, writer.acknowledged)
    print(f"{len(writer.acknowledged)} acknowledged writes readable, {writer.failed} failed")


def test_skewed_clocks_and_lossy_slow_links_keep_writes_durable(faulty):
    cluster, table = faulty
    skews = [("0.95", "-4000"), ("1.05", "2500"), ("1.0", "9000")]
    with Writer(cluster, table) as writer:
        writer.wait_for(20)
        for node, (rate, offset) in zip(nodes(cluster), skews):
            state = fault(cluster, node, f"--clock_rate={rate}", f"--clock_offset_ms={offset}",
                          "--drop_out=0.2", "--delay_ms=20")
            assert f"wall clock offset {offset} ms" in state
        writer.wait_for(len(writer.acknowledged) + 50, timeout=60)
        for node in nodes(cluster):
            fault(cluster, node, "--clear")
    assert_all_readable(cluster, table, writer.acknowledged)


NFT_CUT = """table inet tern_chaos {
  chain input { type filter hook input priority 0; policy drop; iif "lo" accept; }
  chain output { type filter hook output priority 0; policy drop; oif "lo" accept; }
}
"""


def netns_available():
    """Whether namespaces can be made here (root in a container may lack
    CAP_NET_ADMIN): tried, not guessed."""
    if os.geteuid() != 0 or shutil.which("nft") is None or shutil.which("ip") is None:
        return False
    probe = f"tern-probe-{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        return False
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return True


@pytest.mark.skipif(not netns_available(), reason="network namespaces need root and nftables")
def test_netns_cluster_survives_one_az_cut_off_by_the_firewall(cluster):
    up = cluster.ternctl("up", "--netns")
    assert up.returncode == 0, up.stdout + up.stderr
    by_name = {p["name"]: p for p in cluster.processes()}
    assert by_name["node-2"]["netns"].endswith("-b")
    assert not by_name["node-2"]["http"].startswith("127.")
    ddb = client(cluster)
    table = make_table(ddb)
    ddb.put_item(TableName=table, Item={"id": {"N": "-1"}})
    netns = by_name["node-2"]["netns"]
    with Writer(cluster, table) as writer:
        writer.wait_for(20)
        cut_at = time.time()
        subprocess.run(["ip", "netns", "exec", netns, "nft", "-f", "-"], input=NFT_CUT,
                       text=True, check=True)
        try:
            deadline = time.time() + 30
            while time.time() < deadline and not any(
                    started > cut_at + 1 for _, started, _ in writer.acknowledged):
                time.sleep(0.1)
        finally:
            subprocess.run(["ip", "netns", "exec", netns, "nft", "delete", "table", "inet",
                            "tern_chaos"], check=True)
        assert any(started > cut_at + 1 for _, started, _ in writer.acknowledged), \
            f"no write acknowledged with az-b cut off ({writer.failed} failed)"
        writer.wait_for(len(writer.acknowledged) + 20)
    assert_all_readable(cluster, table, writer.acknowledged)
    down = cluster.ternctl("down")
    assert down.returncode == 0
    assert netns not in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                       text=True).stdout
