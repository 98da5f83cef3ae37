"""Splits with real processes: a partition that grows past the split size is
split in two by its own replication group (no data copied), while a client
keeps writing and reading: no request fails, every acknowledged item is
readable afterwards (GetItem and a full Scan), and the children are
replicated in three AZs. An operator's split (ternctl split) works the same
way, and Scan pages that started before a split go on across it."""

import re
import time

import pytest
import requests

from ddb_helpers import unique, wait_active
from test_repair import Workload, placement, settled
from test_replication import client

SPLIT_BYTES = 60_000


@pytest.fixture
def splitting(cluster):
    cluster.control_args = f"--split_size_bytes={SPLIT_BYTES}"
    up = cluster.ternctl("up")
    assert up.returncode == 0, up.stdout + up.stderr
    yield cluster


def router_map_version(cluster):
    text = requests.get(f"{cluster.endpoint}/metrics", timeout=2).text
    match = re.search(r"^tern_router_partition_map_version (\S+)$", text, re.M)
    return float(match.group(1)) if match else -1


def scan_all(ddb, table, limit=None):
    items, start = [], None
    while True:
        args = {"TableName": table, "ConsistentRead": True}
        if limit:
            args["Limit"] = limit
        if start:
            args["ExclusiveStartKey"] = start
        page = ddb.scan(**args)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def test_a_growing_partition_splits_while_clients_read_and_write(splitting):
    cluster = splitting
    ddb = client(cluster)
    table = unique("Split")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    wait_active(ddb, table)
    before, _ = placement(cluster)
    assert len(before) == 2
    with Workload(cluster, [table]) as work:
        # ~110 bytes per item: the table passes 2 x SPLIT_BYTES in ~1,100 writes.
        deadline = time.time() + 120
        while time.time() < deadline:
            partitions, status = placement(cluster)
            if len(partitions) >= 4 and settled(partitions):
                break
            time.sleep(1)
        else:
            raise AssertionError(f"no split within 120 s:\n{status}")
        time.sleep(1)
    written = work.check()
    items = scan_all(ddb, table, limit=97)
    ids = [int(item["id"]["N"]) for item in items]
    assert len(ids) == len(set(ids))
    assert set(work.acknowledged[table]) <= set(ids)
    partitions, status = placement(cluster)
    print(status)
    print(f"{len(partitions)} partitions after size splits; {written} acknowledged writes "
          f"all readable; 0 failed requests")
    assert settled(partitions)


def test_an_operator_splits_a_partition_under_a_running_scan(cluster):
    up = cluster.ternctl("up")
    assert up.returncode == 0, up.stdout + up.stderr
    ddb = client(cluster)
    table = unique("Split")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    wait_active(ddb, table)
    for i in range(300):
        ddb.put_item(TableName=table, Item={"id": {"N": str(i)}})
    first = ddb.scan(TableName=table, Limit=50)
    partitions, _ = placement(cluster)
    target = min(partitions)
    version = router_map_version(cluster)
    assert version > 0  # the router watches the partition map
    split = cluster.ternctl("split", str(target))
    assert split.returncode == 0, split.stdout + split.stderr
    assert "split at" in split.stdout
    # The new map reaches the router through its watch stream.
    deadline = time.time() + 10
    while router_map_version(cluster) <= version and time.time() < deadline:
        time.sleep(0.1)
    assert router_map_version(cluster) > version
    # The scan goes on from where it stopped, across the split.
    items, start = first["Items"], first["LastEvaluatedKey"]
    while start:
        page = ddb.scan(TableName=table, Limit=50, ExclusiveStartKey=start)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
    assert sorted(int(i["id"]["N"]) for i in items) == list(range(300))
    partitions, status = placement(cluster)
    assert target not in partitions and len(partitions) == 3, status
    for i in range(300, 320):
        ddb.put_item(TableName=table, Item={"id": {"N": str(i)}})
    for i in range(320):
        got = ddb.get_item(TableName=table, Key={"id": {"N": str(i)}}, ConsistentRead=True)
        assert "Item" in got, i
    # Splitting it again reports the split already made.
    again = cluster.ternctl("split", str(target))
    print(split.stdout, again.stdout, again.stderr)


def test_hot_partitions_split_by_load_but_not_for_one_hot_key(cluster):
    cluster.control_args = "--split_load_qps=25"
    up = cluster.ternctl("up")
    assert up.returncode == 0, up.stdout + up.stderr
    ddb = client(cluster)
    hot_key_table = unique("HotKey")
    spread_table = unique("Spread")
    for name in (hot_key_table, spread_table):
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        wait_active(ddb, name)

    # One key hammered: splitting cannot spread it, so nothing splits.
    deadline = time.time() + 8
    while time.time() < deadline:
        ddb.update_item(TableName=hot_key_table, Key={"id": {"N": "7"}},
                        UpdateExpression="ADD n :one",
                        ExpressionAttributeValues={":one": {"N": "1"}})
    # Many keys: the load divides, the partitions split.
    with Workload(cluster, [spread_table]) as work:
        deadline = time.time() + 90
        while time.time() < deadline:
            partitions, status = placement(cluster)
            if len(partitions) >= 5 and settled(partitions):  # 2 hot-key + 3+ spread
                break
            time.sleep(1)
        else:
            raise AssertionError(f"no load split within 90 s:\n{status}")
    written = work.check()
    partitions, status = placement(cluster)
    print(status)
    hot_rows = [l for l in status.splitlines() if l.startswith(hot_key_table)]
    spread_rows = [l for l in status.splitlines() if l.startswith(spread_table)]
    assert len(hot_rows) == 2, status
    assert len(spread_rows) >= 3, status
    got = ddb.get_item(TableName=hot_key_table, Key={"id": {"N": "7"}}, ConsistentRead=True)
    assert int(got["Item"]["n"]["N"]) > 0
    print(f"{len(spread_rows)} partitions of the evenly loaded table after load splits, "
          f"the hot-key table left at 2; {written} writes, 0 failed requests")
