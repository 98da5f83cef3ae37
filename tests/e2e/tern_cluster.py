"""A local Tern cluster for end-to-end tests, driven through ternctl.

Every cluster gets its own data folder and free ports, so tests never collide
with a developer's cluster on 8000. The test process makes itself a child
subreaper, so that daemons orphaned by `ternctl up` are re-parented to it and
can be reaped and, after a failure, killed: a test never leaves a process
behind.
"""

import contextlib
import ctypes
import json
import os
import random
import signal
import socket
import subprocess
import time

PR_SET_CHILD_SUBREAPER = 36
BIN_DIR = os.environ.get("TERN_BIN_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "release", "bin")


def become_subreaper():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_children():
    """Collects every exited child so that none lingers as a zombie."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def port_free(port, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def ephemeral_ports():
    """Linux's range of ports for outgoing connections (32768-60999 unless
    configured otherwise)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


def pick_ports():
    """A router port and a base port whose whole layout (base+0..2, +10..12,
    and for up to 10 nodes, the first 3 and any added ones, +100..109 and
    +110..119) is free right now. None among the ephemeral ports, which
    outgoing connections take at random: a port free when checked could be
    taken before the process binds it."""
    rng = random.Random()
    low, high = ephemeral_ports()
    bases = [b for b in range(10000, 65000, 200) if b + 200 <= low or b > high]
    if not bases:  # every port is ephemeral: take the chance
        bases = list(range(10000, 65000, 200))
    for _ in range(200):
        base = rng.choice(bases)
        router = base + 150
        offsets = [0, 1, 2, 10, 11, 12, *range(100, 120)]
        layout = [base + off for off in offsets]
        if all(port_free(p) for p in layout + [router]):
            return router, base
    raise RuntimeError("no free port range found")


def pid_alive(pid):
    """True while pid runs; a zombie counts as exited."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, IndexError):
        return False


class LocalCluster:
    def __init__(self, data_dir, node_dead_after_ms=None):
        self.data_dir = str(data_dir)
        self.router_port, self.base_port = pick_ports()
        self.endpoint = f"http://127.0.0.1:{self.router_port}"
        # When set, the control plane repairs a node's replicas after this
        # much silence (takes effect at the next `up`).
        self.node_dead_after_ms = node_dead_after_ms
        # Extra tern-control flags, e.g. "--split_size_bytes=100000" (at `up`).
        self.control_args = ""
        # Extra tern-node flags, e.g. "--fault_injection" (at `up`).
        self.node_args = ""
        # Extra tern-router flags, e.g. "--credentials_file=..." (at `up`).
        self.router_args = ""

    def ternctl(self, *args, timeout=120):
        cmd = [os.path.join(BIN_DIR, "ternctl"), *args,
               f"--data_dir={self.data_dir}",
               f"--router_port={self.router_port}",
               f"--base_port={self.base_port}"]
        if self.node_dead_after_ms is not None:
            cmd.append(f"--node_dead_after_ms={self.node_dead_after_ms}")
        if self.control_args:
            cmd.append(f"--control_args={self.control_args}")
        if self.node_args:
            cmd.append(f"--node_args={self.node_args}")
        if self.router_args:
            cmd.append(f"--router_args={self.router_args}")
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        reap_children()
        return result

    def add_node(self, az, timeout=120):
        """Starts one more storage node in az (`ternctl add-node`)."""
        return self.ternctl("add-node", f"--az={az}", timeout=timeout)

    def processes(self):
        with open(os.path.join(self.data_dir, "cluster.json")) as f:
            return json.load(f)["processes"]

    def pids(self):
        try:
            return [p["pid"] for p in self.processes() if p["pid"] > 0]
        except FileNotFoundError:
            return []

    def kill_everything(self):
        """Last-resort cleanup after a failed test: SIGKILL and reap."""
        for pid in self.pids():
            if pid_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 10
        while any(pid_alive(p) for p in self.pids()) and time.time() < deadline:
            reap_children()
            time.sleep(0.05)
        reap_children()

    def log(self, name):
        with open(os.path.join(self.data_dir, "logs", f"{name}.log")) as f:
            return f.read()


@contextlib.contextmanager
def running(data_dir, router_args=""):
    """A cluster brought up (asserted) and always torn down afterwards."""
    c = LocalCluster(data_dir)
    c.router_args = router_args
    try:
        up = c.ternctl("up")
        assert up.returncode == 0, up.stdout + up.stderr
        yield c
    finally:
        c.ternctl("down", timeout=60)
        c.kill_everything()
        reap_children()
