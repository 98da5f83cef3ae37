import pytest

from tern_cluster import LocalCluster, become_subreaper, reap_children, running


def pytest_configure(config):
    become_subreaper()


@pytest.fixture
def cluster(tmp_path):
    """A LocalCluster that is always torn down, whatever the test did."""
    c = LocalCluster(tmp_path / "tern-data")
    try:
        yield c
    finally:
        c.ternctl("down", timeout=60)
        c.kill_everything()
        reap_children()


@pytest.fixture(scope="module")
def running_cluster(tmp_path_factory):
    """One cluster shared by a whole test module, torn down at its end."""
    with running(tmp_path_factory.mktemp("tern") / "tern-data") as c:
        yield c


@pytest.fixture(scope="module")
def dynamodb(running_cluster):
    """A boto3 DynamoDB client pointed at the shared cluster."""
    import boto3
    from botocore.config import Config
    return boto3.client(
        "dynamodb", endpoint_url=running_cluster.endpoint, region_name="us-east-1",
        aws_access_key_id="tern", aws_secret_access_key="tern",
        config=Config(retries={"max_attempts": 1}))
