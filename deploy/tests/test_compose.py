"""The docker-compose cluster end to end: build the image, bring the three-AZ
cluster up, use it with the aws CLI, kill one storage container and keep
writing. Needs root (it starts a Docker engine when none runs, with the vfs
storage driver, and stops it again), docker.io, docker-compose and
busybox-static; skipped otherwise.

    /usr/bin/python3 -m pytest -q -s deploy/tests/test_compose.py
"""

import json
import os
import subprocess
import uuid

import pytest
from conftest import ROOT, aws, create_active_table, free_port, have_docker, wait_serving, \
    writes_survive

COMPOSE_FILE = os.path.join(ROOT, "deploy", "docker-compose.yml")

pytestmark = pytest.mark.skipif(not have_docker(),
                                reason="needs root, docker.io, docker-compose, busybox-static")


@pytest.fixture
def compose(image):
    project = f"terntest{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = dict(os.environ, TERN_IMAGE=image, TERN_PORT=str(port))
    base = ["docker-compose", "-p", project, "-f", COMPOSE_FILE]
    try:
        up = subprocess.run([*base, "up", "-d"], capture_output=True, text=True, env=env,
                            timeout=300)
        assert up.returncode == 0, up.stderr
        yield port, base, env
    finally:
        subprocess.run([*base, "down", "-v", "-t", "5"], capture_output=True, env=env,
                       timeout=300)


def test_compose_cluster_serves_the_aws_cli_and_survives_a_lost_node(compose):
    port, base, env = compose
    wait_serving(port)
    create_active_table(port, "Music")
    aws(port, "put-item", "--table-name", "Music",
        "--item", '{"Artist": {"S": "Abba"}, "Song": {"S": "SOS"}}')
    got = json.loads(aws(port, "get-item", "--table-name", "Music", "--consistent-read",
                         "--key", '{"Artist": {"S": "Abba"}}').stdout)
    assert got["Item"]["Song"]["S"] == "SOS"

    # One storage node (az-b) gone: writes keep being acknowledged.
    def kill():
        killed = subprocess.run([*base, "kill", "node-b"], capture_output=True, text=True,
                                env=env)
        assert killed.returncode == 0, killed.stderr
    assert "Abba" in writes_survive(port, "Music", kill)
