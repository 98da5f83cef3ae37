"""ternctl up / status / down against real processes, checked over HTTP."""

import json
import os
import socket
import subprocess
import zlib

import requests

from tern_cluster import pid_alive

EXPECTED = {
    "control-1": ("control", ""), "control-2": ("control", ""), "control-3": ("control", ""),
    "node-1": ("node", "az-a"), "node-2": ("node", "az-b"), "node-3": ("node", "az-c"),
    "router": ("router", "az-a"),
}


def test_up_serves_health_and_metrics_everywhere_then_down_stops_all(cluster):
    up = cluster.ternctl("up")
    assert up.returncode == 0, up.stdout + up.stderr
    assert cluster.endpoint in up.stdout
    assert f"aws dynamodb list-tables --endpoint-url {cluster.endpoint}" in up.stdout

    # DynamoDB's own health check answer.
    root = requests.get(cluster.endpoint + "/", timeout=5)
    assert root.status_code == 200
    assert root.text == f"healthy: 127.0.0.1:{cluster.router_port}"

    processes = cluster.processes()
    assert {p["name"]: (p["kind"], p["az"]) for p in processes} == EXPECTED
    for p in processes:
        assert pid_alive(p["pid"]), p["name"]
        health = requests.get(f"http://{p['http']}/healthz", timeout=5)
        assert health.status_code == 200, p["name"]
        body = health.json()
        assert body["status"] == "SERVING"
        assert body["process"] == f"tern-{p['kind']}"
        if p["kind"] == "node":
            assert body["az"] == p["az"]
            assert body["controls_reachable"] == 3
        if p["kind"] == "router":
            assert body["nodes_alive"] == 3
            assert sorted(n["az"] for n in body["nodes"]) == ["az-a", "az-b", "az-c"]

        metrics = requests.get(f"http://{p['http']}/metrics", timeout=5)
        assert metrics.status_code == 200, p["name"]
        assert metrics.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = metrics.text
        assert f'tern_build_info{{process="tern-{p["kind"]}",version=' in text
        assert "\nprocess_start_time_seconds " in text
        assert "\nprocess_resident_memory_bytes " in text
    # Each kind reports something of its own.
    node_metrics = requests.get(f"http://{processes[3]['http']}/metrics", timeout=5).text
    assert 'tern_node_heartbeats_total{result="ok"}' in node_metrics
    router_metrics = requests.get(cluster.endpoint + "/metrics", timeout=5).text
    assert 'tern_router_http_requests_total{code="200",kind="health"}' in router_metrics

    status = cluster.ternctl("status")
    assert status.returncode == 0, status.stdout + status.stderr
    # The process table comes first, up to the first blank line.
    lines = status.stdout.split("\n\n")[0].splitlines()[1:]
    assert len(lines) == 7
    assert all("healthy" in l and "UNHEALTHY" not in l for l in lines), status.stdout
    nodes = [l for l in lines if l.lstrip().startswith("node-")]
    for az in ("az-a", "az-b", "az-c"):
        assert sum(az in l for l in nodes) == 1

    again = cluster.ternctl("up")
    assert again.returncode == 0
    assert "already running" in again.stdout

    pids = cluster.pids()
    down = cluster.ternctl("down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert not any(pid_alive(pid) for pid in pids)
    assert "did not stop in time" not in down.stdout
    for p in processes:
        assert "stopped cleanly" in cluster.log(p["name"]), p["name"]

    stopped = cluster.ternctl("status")
    assert stopped.returncode != 0
    assert stopped.stdout.count("stopped") == 7


def test_restart_on_existing_data(cluster):
    assert cluster.ternctl("up").returncode == 0
    assert cluster.ternctl("down").returncode == 0
    again = cluster.ternctl("up")
    assert again.returncode == 0, again.stdout + again.stderr
    assert requests.get(cluster.endpoint + "/", timeout=5).status_code == 200


def test_tables_and_items_survive_a_restart(cluster):
    import boto3
    assert cluster.ternctl("up").returncode == 0
    client = boto3.client("dynamodb", endpoint_url=cluster.endpoint, region_name="us-east-1",
                          aws_access_key_id="tern", aws_secret_access_key="tern")
    client.create_table(TableName="Durable", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    client.get_waiter("table_exists").wait(TableName="Durable",
                                           WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
    for i in range(20):
        client.put_item(TableName="Durable", Item={"id": {"N": str(i)}, "v": {"S": f"v{i}"}})
    assert cluster.ternctl("down").returncode == 0
    assert cluster.ternctl("up").returncode == 0
    assert client.list_tables()["TableNames"] == ["Durable"]
    for i in range(20):
        item = client.get_item(TableName="Durable", Key={"id": {"N": f"{i}.0"}},
                               ConsistentRead=True)["Item"]
        assert item == {"id": {"N": str(i)}, "v": {"S": f"v{i}"}}


def test_router_answers_dynamodb_shaped_errors(cluster):
    assert cluster.ternctl("up").returncode == 0
    # No Authorization header: DynamoDB refuses before anything else.
    reply = requests.post(cluster.endpoint + "/", data="{}", timeout=5, headers={
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Type": "application/x-amz-json-1.0"})
    assert reply.status_code == 400
    assert reply.json() == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token"}
    assert len(reply.headers["x-amzn-RequestId"]) == 52
    assert int(reply.headers["x-amz-crc32"]) == zlib.crc32(reply.content)
    assert "Date" in reply.headers

    # The real aws CLI, as the README prints it, works against a fresh cluster.
    env = dict(os.environ, AWS_ACCESS_KEY_ID="tern", AWS_SECRET_ACCESS_KEY="tern",
               AWS_DEFAULT_REGION="us-east-1")
    cli = subprocess.run(["/usr/bin/aws", "dynamodb", "list-tables",
                          "--endpoint-url", cluster.endpoint],
                         capture_output=True, text=True, timeout=60, env=env)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == {"TableNames": []}


def test_up_refuses_a_busy_port_and_starts_nothing(cluster):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", cluster.router_port))
        blocker.listen(1)
        up = cluster.ternctl("up")
    assert up.returncode == 1
    assert f"port {cluster.router_port}" in up.stderr and "in use" in up.stderr
    assert cluster.pids() == []


def test_a_process_that_cannot_start_fails_up_and_is_cleaned_up(cluster):
    # Another process holds node-2's data folder lock, so node-2 exits at once.
    os.makedirs(os.path.join(cluster.data_dir, "node-2"), exist_ok=True)
    import fcntl
    with open(os.path.join(cluster.data_dir, "node-2", "LOCK"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        up = cluster.ternctl("up")
    assert up.returncode == 1
    assert "node-2 exited with status 1" in up.stderr
    assert "in use by another process" in up.stderr
    assert not any(pid_alive(pid) for pid in cluster.pids())
