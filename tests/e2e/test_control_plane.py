"""The control plane is itself replicated: the catalog is a replication group
over the three tern-control replicas. Killing the replica that leads it
(kill -9) does not stop the cluster: tables can still be created, described
and deleted, items written and read; the restarted replica catches up."""

import time

import requests

from ddb_helpers import unique, wait_active
from test_replication import client, kill9, replicated, restart  # noqa: F401 (fixture)
from tern_cluster import pid_alive, reap_children


def controls(cluster):
    return [p for p in cluster.processes() if p["kind"] == "control"]


def catalog_leader(cluster, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for control in controls(cluster):
            if not pid_alive(control["pid"]):
                continue
            try:
                health = requests.get(f"http://{control['http']}/healthz", timeout=2).json()
            except (requests.RequestException, ValueError):
                continue
            if health.get("catalog_leader"):
                return control
        time.sleep(0.2)
    raise AssertionError("no catalog leader")


def make_table(ddb):
    name = unique("Catalog")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    wait_active(ddb, name)
    return name


def test_the_cluster_outlives_the_catalog_leader(replicated):
    cluster, restarted = replicated
    ddb = client(cluster, attempts=1)
    before = make_table(ddb)
    ddb.put_item(TableName=before, Item={"id": {"S": "a"}})

    leader = catalog_leader(cluster)
    kill9(leader)
    killed_at = time.time()

    # Items: the router's table cache expires within a second, so these go
    # through the new catalog leader.
    time.sleep(1.5)
    ddb.put_item(TableName=before, Item={"id": {"S": "b"}})
    got = ddb.get_item(TableName=before, Key={"id": {"S": "a"}}, ConsistentRead=True)
    assert got["Item"]["id"]["S"] == "a"
    # Tables: created, listed, described and deleted without the old leader.
    after = make_table(ddb)
    ddb.put_item(TableName=after, Item={"id": {"S": "c"}})
    assert {before, after} <= set(ddb.list_tables()["TableNames"])
    assert ddb.describe_table(TableName=before)["Table"]["TableStatus"] == "ACTIVE"
    new_leader = catalog_leader(cluster)
    assert new_leader["name"] != leader["name"]
    print(f"catalog leader {leader['name']} killed; {new_leader['name']} leads; "
          f"table created {time.time() - killed_at:.1f} s after the kill")

    # The killed replica comes back and learns what it missed.
    restart(leader, restarted)
    deadline = time.time() + 20
    tables = 0
    while time.time() < deadline:
        try:
            health = requests.get(f"http://{leader['http']}/healthz", timeout=2).json()
            tables = health.get("tables", 0)
            if tables >= 2:
                break
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.2)
    assert tables >= 2, "the restarted control replica did not catch up"
    ddb.delete_table(TableName=after)
    reap_children()
