"""Shared by the container tests: a Docker engine (started, and stopped by
pid, when none runs), the image built from this build's binaries, and the
aws CLI against a published port."""

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
DOCKER = "/usr/bin/docker"  # Debian's client, matching Debian's engine


def have_docker():
    """Whether the container tests can run. In CI (CI set) they must: a
    missing tool fails them instead of skipping them."""
    if os.environ.get("CI"):
        return True
    return (os.geteuid() == 0 and os.path.exists(DOCKER) and shutil.which("dockerd")
            and shutil.which("docker-compose") and os.path.exists("/bin/busybox"))


def engine_up():
    return subprocess.run([DOCKER, "info"], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def image(engine):
    """The Tern image, built once for the session under a unique tag."""
    tag = f"tern:test-{uuid.uuid4().hex[:8]}"
    built = subprocess.run([os.path.join(ROOT, "deploy", "docker", "build-image.sh"), tag],
                           capture_output=True, text=True, cwd=ROOT)
    assert built.returncode == 0, built.stderr
    try:
        yield tag
    finally:
        subprocess.run([DOCKER, "image", "rm", "-f", tag], capture_output=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aws(port, *args, check=True, key=("tern", "tern")):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key[0], AWS_SECRET_ACCESS_KEY=key[1],
               AWS_DEFAULT_REGION="us-east-1")
    result = subprocess.run(["/usr/bin/aws", "dynamodb", *args, "--endpoint-url",
                             f"http://127.0.0.1:{port}", "--output", "json"],
                            capture_output=True, text=True, env=env, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def wait_serving(port, timeout=120, key=("tern", "tern")):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if aws(port, "list-tables", check=False, key=key).returncode == 0:
            return
        time.sleep(1)
    raise AssertionError("the router did not answer within the timeout")


def create_active_table(port, table, key=("tern", "tern")):
    aws(port, "create-table", "--table-name", table,
        "--attribute-definitions", "AttributeName=Artist,AttributeType=S",
        "--key-schema", "AttributeName=Artist,KeyType=HASH", "--billing-mode",
        "PAY_PER_REQUEST", key=key)
    deadline = time.time() + 60
    while json.loads(aws(port, "describe-table", "--table-name", table, key=key).stdout)[
            "Table"]["TableStatus"] != "ACTIVE":
        assert time.time() < deadline, "table not ACTIVE"
        time.sleep(0.5)


def writes_survive(port, table, kill, key=("tern", "tern")):
    """Kills one storage container with kill(), then writes 20 items; asserts
    that at least 18 are acknowledged and every acknowledged one is read."""
    kill()
    acknowledged = []
    for i in range(20):
        if aws(port, "put-item", "--table-name", table, "--item",
               json.dumps({"Artist": {"S": f"artist-{i}"}}), check=False,
               key=key).returncode == 0:
            acknowledged.append(i)
    print(f"{len(acknowledged)}/20 writes acknowledged with a storage node killed")
    assert len(acknowledged) >= 18, acknowledged
    scan = json.loads(aws(port, "scan", "--table-name", table, "--consistent-read",
                          key=key).stdout)
    artists = {item["Artist"]["S"] for item in scan["Items"]}
    assert {f"artist-{i}" for i in acknowledged} <= artists
    return artists
