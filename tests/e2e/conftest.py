import pytest

from tern_cluster import LocalCluster, become_subreaper, reap_children


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
