"""The docker-compose cluster end to end: build the image, bring the three-AZ
cluster up, use it with the aws CLI, kill one storage container and keep
writing. Needs root (it starts a Docker engine when none runs, with the vfs
storage driver, and stops it again), docker.io, docker-compose and
busybox-static; skipped otherwise.

    /usr/bin/python3 -m pytest -q -s deploy/tests/test_compose.py
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMPOSE_FILE = os.path.join(ROOT, "deploy", "docker-compose.yml")
DOCKER = "/usr/bin/docker"  # Debian's client, matching Debian's engine


def have_tools():
    return (os.geteuid() == 0 and os.path.exists(DOCKER) and shutil.which("dockerd")
            and shutil.which("docker-compose") and os.path.exists("/bin/busybox"))


pytestmark = pytest.mark.skipif(not have_tools(),
                                reason="needs root, docker.io, docker-compose, busybox-static")


def engine_up():
    return subprocess.run([DOCKER, "info"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """A running Docker engine; started (and stopped by pid) when none runs."""
    if engine_up():
        yield
        return
    log = open(tmp_path_factory.mktemp("dockerd") / "dockerd.log", "w")
    process = subprocess.Popen(["dockerd", "--storage-driver=vfs"], stdout=log, stderr=log)
    try:
        deadline = time.time() + 60
        while not engine_up():
            assert process.poll() is None, "dockerd exited; see its log"
            assert time.time() < deadline, "dockerd did not come up in 60 s"
            time.sleep(0.5)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aws(port, *args, check=True):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="tern", AWS_SECRET_ACCESS_KEY="tern",
               AWS_DEFAULT_REGION="us-east-1")
    result = subprocess.run(["/usr/bin/aws", "dynamodb", *args, "--endpoint-url",
                             f"http://127.0.0.1:{port}", "--output", "json"],
                            capture_output=True, text=True, env=env, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def compose(engine):
    tag = f"tern:test-{uuid.uuid4().hex[:8]}"
    built = subprocess.run([os.path.join(ROOT, "deploy", "docker", "build-image.sh"), tag],
                           capture_output=True, text=True, cwd=ROOT)
    assert built.returncode == 0, built.stderr
    project = f"terntest{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = dict(os.environ, TERN_IMAGE=tag, TERN_PORT=str(port))
    base = ["docker-compose", "-p", project, "-f", COMPOSE_FILE]
    try:
        up = subprocess.run([*base, "up", "-d"], capture_output=True, text=True, env=env,
                            timeout=300)
        assert up.returncode == 0, up.stderr
        yield port, project, base, env
    finally:
        subprocess.run([*base, "down", "-v", "-t", "5"], capture_output=True, env=env,
                       timeout=300)
        subprocess.run([DOCKER, "image", "rm", "-f", tag], capture_output=True)


def wait_healthy(port, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if aws(port, "list-tables", check=False).returncode == 0:
            return
        time.sleep(1)
    raise AssertionError("the router did not answer within the timeout")


def test_compose_cluster_serves_the_aws_cli_and_survives_a_lost_node(compose):
    port, project, base, env = compose
    wait_healthy(port)
    aws(port, "create-table", "--table-name", "Music",
        "--attribute-definitions", "AttributeName=Artist,AttributeType=S",
        "--key-schema", "AttributeName=Artist,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
    deadline = time.time() + 60
    while json.loads(aws(port, "describe-table", "--table-name", "Music").stdout)[
            "Table"]["TableStatus"] != "ACTIVE":
        assert time.time() < deadline, "table not ACTIVE"
        time.sleep(0.5)
    aws(port, "put-item", "--table-name", "Music",
        "--item", '{"Artist": {"S": "Abba"}, "Song": {"S": "SOS"}}')
    got = json.loads(aws(port, "get-item", "--table-name", "Music", "--consistent-read",
                         "--key", '{"Artist": {"S": "Abba"}}').stdout)
    assert got["Item"]["Song"]["S"] == "SOS"

    # One storage node (az-b) gone: writes keep being acknowledged.
    killed = subprocess.run([*base, "kill", "node-b"], capture_output=True, text=True, env=env)
    assert killed.returncode == 0, killed.stderr
    acknowledged = []
    for i in range(20):
        if aws(port, "put-item", "--table-name", "Music",
               "--item", json.dumps({"Artist": {"S": f"artist-{i}"}}), check=False).returncode == 0:
            acknowledged.append(i)
    print(f"{len(acknowledged)}/20 writes acknowledged with node-b killed")
    assert len(acknowledged) >= 18, acknowledged
    scan = json.loads(aws(port, "scan", "--table-name", "Music", "--consistent-read").stdout)
    artists = {item["Artist"]["S"] for item in scan["Items"]}
    assert {f"artist-{i}" for i in acknowledged} <= artists
    assert "Abba" in artists
