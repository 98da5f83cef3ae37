"""The servers the benchmark compares, each started with its pid recorded and
stopped by pid: a local Tern cluster (ternctl up), dynalite (npm, in
memory) and tern-bench-static (the ceiling). Each knows the pids whose CPU
time counts as the server's."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from tern_cluster import pick_ports, reap_children  # noqa: E402

TOOLS = os.environ.get("TERN_TOOLS_DIR", os.path.join(ROOT, "build", "tools"))
DYNALITE_VERSION = "4.0.0"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def cpu_seconds(pids):
    """utime + stime of the processes (and their reaped children), seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except FileNotFoundError:
            pass
    return total


class Process:
    """One background process, stopped by pid (SIGTERM, then SIGKILL)."""

    def __init__(self, args, log_path, env=None):
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
        self.pid = self.process.pid

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


class OneProcess:
    """A server that is one process listening on a free port."""

    def __init__(self, args_for_port, work):
        self.port = free_port()
        self.server = Process(args_for_port(self.port), os.path.join(work, f"{self.name}.log"))
        wait_port(self.port, self.server.process)
        self.endpoint = f"127.0.0.1:{self.port}"

    def pids(self):
        return [self.server.pid]

    def stop(self):
        self.server.stop()


class Static(OneProcess):
    name = "static"
    title = "static HTTP (ceiling)"
    tables = False  # answers everything with one canned GetItem reply

    def __init__(self, bin_dir, work):
        super().__init__(lambda port: [os.path.join(bin_dir, "tern-bench-static"),
                                       f"--http_address=127.0.0.1:{port}", "--threads=2"], work)


def install_dynalite():
    folder = os.path.join(TOOLS, "dynalite")
    cli = os.path.join(folder, "node_modules", "dynalite", "cli.js")
    if not os.path.exists(cli):
        os.makedirs(folder, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        folder, f"dynalite@{DYNALITE_VERSION}"], check=True)
    return cli


class Dynalite(OneProcess):
    name = "dynalite"
    title = f"dynalite {DYNALITE_VERSION} (in memory)"
    tables = True

    def __init__(self, bin_dir, work):
        cli = install_dynalite()
        super().__init__(lambda port: ["node", cli, "--port", str(port), "--createTableMs", "0",
                                       "--deleteTableMs", "0", "--updateTableMs", "0"], work)


class Tern:
    tables = True
    name = "tern"
    title = "Tern (3 AZs, 3 nodes, 1 router)"

    def __init__(self, bin_dir, work):
        self.bin_dir = bin_dir
        # A fresh cluster every time: compare.py --rounds starts Tern again.
        self.data = tempfile.mkdtemp(prefix="tern-data-", dir=work)
        router, base = pick_ports()
        self.args = [f"--data_dir={self.data}", f"--router_port={router}",
                     f"--base_port={base}", f"--bin_dir={bin_dir}"]
        up = subprocess.run([os.path.join(bin_dir, "ternctl"), "up", *self.args],
                            capture_output=True, text=True, timeout=180)
        if up.returncode != 0:
            self.stop()
            raise RuntimeError(f"ternctl up failed: {up.stdout}{up.stderr}")
        self.endpoint = f"127.0.0.1:{router}"

    def pids(self):
        try:
            with open(os.path.join(self.data, "cluster.json")) as f:
                return [p["pid"] for p in json.load(f)["processes"] if p["pid"] > 0]
        except FileNotFoundError:
            return []

    def stop(self):
        subprocess.run([os.path.join(self.bin_dir, "ternctl"), "down", *self.args],
                       capture_output=True, timeout=120)
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        reap_children()
        remove(self.data)


TARGETS = {"tern": Tern, "dynalite": Dynalite, "static": Static}


def scratch():
    return tempfile.mkdtemp(prefix="tern-bench-")


def remove(folder):
    shutil.rmtree(folder, ignore_errors=True)
