"""Nemeses: the faults a fault-injection experiment injects into a local
cluster (tests/e2e/tern_cluster.py's LocalCluster), each with start(ctx),
which injects it and describes what it did, and stop(ctx), which heals it.

- kill_leader     kill -9 the node leading one of the workload tables'
                  partitions; heal: start it again with its command line.
- pause_node      SIGSTOP that leader's node; heal: SIGCONT.
- partition_az    cut one AZ's node off from the other nodes (replication
                  batches dropped both ways); heal: clear its faults.
- isolate_leader  the same, on the node of a partition's leader.
- asymmetric      the leader's node loses everything it sends, still hears
                  the others; heal: clear.
- loss_delay      every node drops 20 % of the batches it sends and delays
                  the ones it receives by 30 ms; heal: clear.
- clock_skew      every node's clock runs at another rate (within 10 %) and
                  its wall clock is seconds off; heal: clear.
- two_azs_down    kill -9 two of the three nodes; heal: start them again.
- restart_all     `ternctl down` then (heal) `ternctl up`.
- disk_full       one node's data folder is a 64 MB tmpfs (mounted before
                  `ternctl up`); a file fills it; heal: delete the file (and
                  restart the node if it exited). Needs root.

Transport faults and clocks go through `ternctl fault NODE ...`, which only
works on nodes started with --fault_injection (Nemesis.needs_fault_injection).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "e2e"))
from tern_cluster import pid_alive, reap_children  # noqa: E402

# How long a restarted node may take to answer /healthz.
RESTART_TIMEOUT_S = 30.0


class NemesisError(Exception):
    """The nemesis could not do what it must (a harness problem, e.g. no
    `ternctl fault` command, or a cluster that cannot be restarted)."""


class HealError(Exception):
    """Healing failed in a way the database is to blame for (a restarted
    node never became healthy): reported as a checker violation."""


class Context:
    """What nemeses act on: the cluster, the workload tables, a seeded random
    generator, and the processes they started or paused (for cleanup)."""

    def __init__(self, cluster, rng, tables=(), log=print):
        self.cluster = cluster
        self.rng = rng
        self.tables = list(tables)
        self.log = log
        self.spawned = []        # subprocess.Popen of restarted nodes
        self.paused = set()      # pids stopped with SIGSTOP
        self._partitions = []    # [(table, partition id)] of self.tables

    # -- the cluster's layout ----------------------------------------------

    def processes(self):
        return self.cluster.processes()

    def nodes(self):
        return [p for p in self.processes() if p["kind"] == "node"]

    def node(self, name):
        for node in self.nodes():
            if node["name"] == name:
                return node
        raise NemesisError(f"no node named {name} in cluster.json")

    def partitions(self, refresh=False):
        """[(table, partition id)] of the workload tables, from `ternctl status`."""
        if refresh or not self._partitions:
            status = self.cluster.ternctl("status", timeout=60).stdout
            found = []
            for line in status.splitlines():
                fields = line.split()
                if len(fields) >= 2 and fields[0] in self.tables and fields[1].isdigit():
                    found.append((fields[0], int(fields[1])))
            self._partitions = found or self._partitions
        return list(self._partitions)

    # -- leaders -----------------------------------------------------------

    def replica_states(self, node):
        """{group: (is leader, term)} from a running node's /metrics ({} when
        it does not answer, e.g. killed or paused)."""
        if not pid_alive(node["pid"]) or node["pid"] in self.paused:
            return {}
        try:
            text = requests.get(f"http://{node['http']}/metrics", timeout=1).text
        except requests.RequestException:
            return {}
        leader, term = {}, {}
        for line in text.splitlines():
            match = re.match(r'^tern_replica_(is_leader|term)\{group="(\d+)"\} (\S+)$', line)
            if match:
                target = leader if match.group(1) == "is_leader" else term
                target[int(match.group(2))] = float(match.group(3))
        return {group: (leader[group] == 1, term.get(group, 0)) for group in leader}

    def leader_of(self, partition, timeout=10.0):
        """The node leading partition (the one with the highest term when two
        believe they lead), or None if none does within timeout."""
        deadline = time.monotonic() + timeout
        while True:
            best = None
            for node in self.nodes():
                is_leader, term = self.replica_states(node).get(partition, (False, 0))
                if is_leader and (best is None or term > best[1]):
                    best = (node, term)
            if best or time.monotonic() > deadline:
                return best[0] if best else None
            time.sleep(0.2)

    def pick_leader(self):
        """(node, description) of the leader of a random partition of the
        workload tables; a random running node if no leader is found."""
        partitions = self.partitions()
        if partitions:
            table, partition = self.rng.choice(partitions)
            node = self.leader_of(partition)
            if node is None:
                self.partitions(refresh=True)  # a split or a move may have happened
                node = self.leader_of(partition, timeout=5)
            if node is not None:
                return node, f"leader of partition {partition} ({table})"
        running = [n for n in self.nodes() if pid_alive(n["pid"])]
        if not running:
            raise NemesisError("no running node")
        return self.rng.choice(running), "no leader found: a random node"

    # -- processes -----------------------------------------------------------

    def kill9(self, node):
        try:
            os.kill(node["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 10
        while pid_alive(node["pid"]) and time.monotonic() < deadline:
            reap_children()
            time.sleep(0.02)
        reap_children()

    def pause(self, node):
        os.kill(node["pid"], signal.SIGSTOP)
        self.paused.add(node["pid"])

    def resume(self, node):
        self.paused.discard(node["pid"])
        try:
            os.kill(node["pid"], signal.SIGCONT)
        except ProcessLookupError:
            pass

    def restart(self, name):
        """Starts a stopped node again with the command line `ternctl up`
        gave it (as tests/e2e/test_replication.py does: `ternctl up` refuses
        to run while part of the cluster still runs), records its new pid in
        cluster.json so that `ternctl down` and status see it, and waits until
        it answers /healthz. HealError if it never does."""
        node = self.node(name)
        if pid_alive(node["pid"]):
            return
        # In a --netns cluster the node runs in its AZ's namespace; `ip netns
        # exec` enters it and execs the node (same pid).
        prefix = ["ip", "netns", "exec", node["netns"]] if node.get("netns") else []
        with open(node["log"], "ab") as log:
            process = subprocess.Popen(
                [*prefix, node["binary"], *node["args"]], stdin=subprocess.DEVNULL, stdout=log,
                stderr=log, start_new_session=True)
        self.spawned.append(process)
        self._record_pid(name, process.pid)
        deadline = time.monotonic() + RESTART_TIMEOUT_S
        while time.monotonic() < deadline:
            if not pid_alive(process.pid):
                raise HealError(f"{name} exited after its restart; see {node['log']}")
            try:
                if requests.get(f"http://{node['http']}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise HealError(f"{name} not healthy {RESTART_TIMEOUT_S:.0f} s after its restart")

    def _record_pid(self, name, pid):
        path = os.path.join(self.cluster.data_dir, "cluster.json")
        with open(path) as f:
            layout = json.load(f)
        for process in layout["processes"]:
            if process["name"] == name:
                process["pid"] = pid
        with open(path + ".chaos-tmp", "w") as f:
            json.dump(layout, f)
        os.replace(path + ".chaos-tmp", path)

    # -- transport faults and clocks -----------------------------------------

    def fault(self, name, *flags):
        """`ternctl fault NAME FLAGS...`; NemesisError when it fails."""
        result = self.cluster.ternctl("fault", name, *flags, timeout=30)
        if result.returncode != 0:
            raise NemesisError(f"ternctl fault {name} {' '.join(flags)} failed: "
                               f"{(result.stderr or result.stdout).strip()}")

    # -- cleanup ---------------------------------------------------------------

    def release(self):
        """Resumes paused processes and kills every node this context
        restarted that still runs (after `ternctl down`, as a last resort)."""
        for pid in list(self.paused):
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        self.paused.clear()

    def kill_spawned(self):
        for process in self.spawned:
            if pid_alive(process.pid):
                try:
                    os.kill(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        while any(pid_alive(p.pid) for p in self.spawned) and time.monotonic() < deadline:
            reap_children()
            time.sleep(0.05)
        reap_children()


class Nemesis:
    """A fault: start(ctx) injects it and returns a description; stop(ctx)
    heals it and returns a description of that. prepare(cluster, rng) runs
    before `ternctl up`, cleanup() after the cluster is down (also after a
    failure or an interruption)."""

    name = "none"
    needs_fault_injection = False
    description = ""
    # Extra `ternctl up` flags the nemesis needs (e.g. --netns).
    up_args = ()

    def prepare(self, cluster, rng):
        pass

    def start(self, ctx):
        raise NotImplementedError

    def stop(self, ctx):
        raise NotImplementedError

    def cleanup(self, log=print):
        pass


class KillNodes(Nemesis):
    """Base of the nemeses that kill -9 nodes (start records them in
    self.victims) and heal by restarting them."""

    def __init__(self):
        self.victims = []

    def stop(self, ctx):
        for name in self.victims:
            ctx.restart(name)
        healed, self.victims = self.victims, []
        return f"restarted {', '.join(healed)}"


class KillLeader(KillNodes):
    name = "kill_leader"
    description = "kill -9 the node of a workload partition's leader; heal: restart it"

    def start(self, ctx):
        node, why = ctx.pick_leader()
        ctx.kill9(node)
        self.victims = [node["name"]]
        return f"kill -9 {node['name']} ({node['az']}, {why})"


class PauseNode(Nemesis):
    name = "pause_node"
    description = "SIGSTOP the node of a workload partition's leader; heal: SIGCONT"

    def __init__(self):
        self.victim = None

    def start(self, ctx):
        node, why = ctx.pick_leader()
        ctx.pause(node)
        self.victim = node
        return f"SIGSTOP {node['name']} ({node['az']}, {why})"

    def stop(self, ctx):
        node, self.victim = self.victim, None
        if node is None:
            return "nothing paused"
        ctx.resume(node)
        return f"SIGCONT {node['name']}"


class LinkFaultNemesis(Nemesis):
    """Base of the nemeses that set `ternctl fault` flags on some nodes and
    heal with `ternctl fault NODE --clear`."""

    needs_fault_injection = True

    def __init__(self):
        self.faulted = []

    def targets(self, ctx):
        """[(node, flags, why)] to inject."""
        raise NotImplementedError

    def start(self, ctx):
        parts = []
        for node, flags, why in self.targets(ctx):
            ctx.fault(node["name"], *flags)
            self.faulted.append(node["name"])
            parts.append(f"{node['name']} {' '.join(flags)}{f' ({why})' if why else ''}")
        return "; ".join(parts)

    def stop(self, ctx):
        healed, self.faulted = self.faulted, []
        failed = []
        for name in healed:
            # A busy machine may miss ternctl's deadline once; every node
            # is cleared even when one is not.
            for attempt in range(3):
                try:
                    ctx.fault(name, "--clear")
                    break
                except NemesisError as error:
                    if attempt == 2:
                        failed.append(f"{name}: {error}")
                    time.sleep(0.5)
        if failed:
            raise HealError("could not clear faults on " + "; ".join(failed))
        return f"--clear on {', '.join(healed)}"


def netns_available():
    """True when this process can make network namespaces and firewall them
    (root with CAP_NET_ADMIN and CAP_SYS_ADMIN, iproute2, nftables): tried,
    not guessed, since root in a container may lack the capabilities."""
    if os.geteuid() != 0 or shutil.which("nft") is None or shutil.which("ip") is None:
        return False
    probe = f"tern-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True)
    if made.returncode != 0:
        return False
    try:
        ruled = subprocess.run(["ip", "netns", "exec", probe, "nft", "list", "ruleset"],
                               capture_output=True)
        return ruled.returncode == 0
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)


# Everything in and out of a namespace dropped but its loopback.
NFT_CUT = """table inet tern_chaos {
  chain input { type filter hook input priority 0; policy drop; iif "lo" accept; }
  chain output { type filter hook output priority 0; policy drop; oif "lo" accept; }
}
"""


class PartitionAz(Nemesis):
    """The cluster runs with `ternctl up --netns` (each AZ in a network
    namespace of its own); an nftables table in one AZ's namespace drops
    every packet in and out of it: its node and its control replica lose
    each other's AZs, the router and ternctl. Heal: delete the table."""

    name = "partition_az"
    description = "one AZ's network namespace cut off by nftables (node and control replica)"
    up_args = ("--netns",)

    def __init__(self):
        self.netns = None

    def prepare(self, cluster, rng):
        if not netns_available():
            raise NemesisError("partition_az needs network namespaces and nftables (root with "
                               "CAP_NET_ADMIN); partition_az_links needs neither")

    def start(self, ctx):
        node = ctx.rng.choice(ctx.nodes())
        netns = node.get("netns")
        if not netns:
            raise NemesisError(f"{node['name']} runs in no network namespace (ternctl up --netns)")
        cut = subprocess.run(["ip", "netns", "exec", netns, "nft", "-f", "-"], input=NFT_CUT,
                             capture_output=True, text=True)
        if cut.returncode != 0:
            raise NemesisError(f"nft in {netns}: {cut.stderr.strip()}")
        self.netns = netns
        return f"{node['az']} ({netns}: {node['name']} and its control replica) cut off"

    def stop(self, ctx):
        netns, self.netns = self.netns, None
        if netns is None:
            return "nothing cut"
        healed = subprocess.run(["ip", "netns", "exec", netns, "nft", "delete", "table", "inet",
                                 "tern_chaos"], capture_output=True, text=True)
        if healed.returncode != 0:
            raise NemesisError(f"nft delete in {netns}: {healed.stderr.strip()}")
        return f"{netns} reconnected"


class PartitionAzLinks(LinkFaultNemesis):
    name = "partition_az_links"
    description = ("cut one AZ's node off from the others in the replication transport "
                   "(drop_out=1 drop_in=1)")

    def targets(self, ctx):
        node = ctx.rng.choice(ctx.nodes())
        return [(node, ["--drop_out=1", "--drop_in=1"], node["az"])]


class IsolateLeader(LinkFaultNemesis):
    name = "isolate_leader"
    description = "cut a workload partition leader's node off from the others"

    def targets(self, ctx):
        node, why = ctx.pick_leader()
        return [(node, ["--drop_out=1", "--drop_in=1"], why)]


class Asymmetric(LinkFaultNemesis):
    name = "asymmetric"
    description = "the leader's node loses all it sends, still hears the others"

    def targets(self, ctx):
        node, why = ctx.pick_leader()
        return [(node, ["--drop_out=1"], why)]


class LossDelay(LinkFaultNemesis):
    name = "loss_delay"
    description = "every node drops 20% of what it sends, delays what it receives 30 ms"

    def targets(self, ctx):
        return [(node, ["--drop_out=0.2", "--delay_ms=30"], "") for node in ctx.nodes()]


class ClockSkew(LinkFaultNemesis):
    """Clock rates ±5%, inside the ±9% the lease tolerates (docs/replication.md:
    (lease + tick/2 + max tick gap) / slowest rate < (election - 1 tick) / fastest)."""

    name = "clock_skew"
    description = ("every node's clock at another rate (0.95, 1.0, 1.05, shuffled) and its "
                   "wall clock 2-8 s off")

    def targets(self, ctx):
        nodes = ctx.nodes()
        rates = [0.95, 1.0, 1.05]
        while len(rates) < len(nodes):
            rates.append(round(ctx.rng.uniform(0.95, 1.05), 2))
        ctx.rng.shuffle(rates)
        targets = []
        for node, rate in zip(nodes, rates):
            offset = int(ctx.rng.choice([-1, 1]) * ctx.rng.uniform(2000, 8000))
            targets.append((node, [f"--clock_rate={rate}", f"--clock_offset_ms={offset}"], ""))
        return targets


class TwoAzsDown(KillNodes):
    name = "two_azs_down"
    description = "kill -9 two of the three nodes; heal: restart them"

    def start(self, ctx):
        nodes = ctx.rng.sample(ctx.nodes(), 2)
        for node in nodes:
            ctx.kill9(node)
        self.victims = [node["name"] for node in nodes]
        return "kill -9 " + ", ".join(f"{n['name']} ({n['az']})" for n in nodes)


class RestartAll(Nemesis):
    name = "restart_all"
    description = "ternctl down, then (heal) ternctl up"

    def start(self, ctx):
        result = ctx.cluster.ternctl("down", timeout=120)
        if result.returncode != 0:
            raise NemesisError(f"ternctl down failed: {result.stderr.strip()}")
        return "ternctl down"

    def stop(self, ctx):
        result = ctx.cluster.ternctl("up", timeout=120)
        if result.returncode != 0:
            raise HealError(f"ternctl up failed: {(result.stderr or result.stdout).strip()}")
        return "ternctl up"


class DiskFull(Nemesis):
    name = "disk_full"
    description = ("one node's data folder on a 64 MB tmpfs, filled by a file; heal: delete "
                   "it (and restart the node if it exited)")
    SIZE = "64m"
    FILLER = "chaos-disk-filler"

    def __init__(self):
        self.node_name = None
        self.mount = None

    def prepare(self, cluster, rng):
        """Mounts the tmpfs where `ternctl up` will put the node's data."""
        if os.geteuid() != 0:
            raise NemesisError("disk_full mounts a tmpfs: it needs root")
        self.node_name = f"node-{rng.randint(1, 3)}"
        path = os.path.join(os.path.abspath(cluster.data_dir), self.node_name)
        os.makedirs(path, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={self.SIZE}",
                                  "tmpfs", path], capture_output=True, text=True)
        if mounted.returncode != 0:
            raise NemesisError(f"mount -t tmpfs on {path}: {mounted.stderr.strip()}")
        self.mount = path

    def _free(self):
        stat = os.statvfs(self.mount)
        return stat.f_bavail * stat.f_frsize

    def start(self, ctx):
        filler = os.path.join(self.mount, self.FILLER)
        free = self._free()
        # fallocate takes the space at once; dd (until ENOSPC) if it cannot.
        if subprocess.run(["fallocate", "-l", str(free), filler],
                          capture_output=True).returncode != 0:
            subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"],
                           capture_output=True)
        return (f"filled {self.node_name}'s data folder: {free / 2**20:.1f} MB written, "
                f"{self._free() / 2**20:.1f} MB left")

    def stop(self, ctx):
        try:
            os.remove(os.path.join(self.mount, self.FILLER))
        except FileNotFoundError:
            pass
        node = ctx.node(self.node_name)
        if pid_alive(node["pid"]):
            return f"deleted the filler ({self._free() / 2**20:.1f} MB free)"
        ctx.restart(self.node_name)
        return f"deleted the filler; {self.node_name} had exited: restarted it"

    def cleanup(self, log=print):
        """Unmounts the tmpfs (lazily if something still holds it)."""
        if self.mount is None:
            return
        for command in (["umount", self.mount], ["umount", "-l", self.mount]):
            if subprocess.run(command, capture_output=True).returncode == 0:
                self.mount = None
                return
        log(f"cleanup: could not unmount {self.mount}")


NEMESES = {n.name: n for n in (KillLeader, PauseNode, PartitionAz, PartitionAzLinks,
                               IsolateLeader,
                               Asymmetric, LossDelay, ClockSkew, TwoAzsDown, RestartAll,
                               DiskFull)}
