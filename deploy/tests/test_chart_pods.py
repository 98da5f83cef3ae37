"""The Helm chart's pods, run for real without Kubernetes: renders the chart
(`helm template`, with auth on), then starts every pod of its StatefulSets
and one router pod as Docker containers on one network, each with exactly
the rendered command, environment (POD_NAME), security context (uid, a
read-only root filesystem), volumes and the pod DNS names the headless
Services would give. Checks that the processes find each other under those
names, that node ids and zones come out as the chart documents, that the
aws CLI works with the Secret's key (and not without it), and that writes go
on with one storage pod killed. What it cannot show: scheduling, probes,
PodDisruptionBudgets, the autoscaler (deploy_lint checks those manifests
statically). Needs what test_compose.py needs.
"""

import json
import os
import subprocess
import time
import urllib.request
import uuid

import pytest
import yaml
from conftest import DOCKER, ROOT, aws, create_active_table, free_port, have_docker, \
    wait_serving, writes_survive

HELM = os.path.join(os.environ.get("TERN_TOOLS_DIR", os.path.join(ROOT, "build", "tools")),
                    "bin", "helm")
NAMESPACE = "tern"
KEY = ("AKIDCHARTTEST", "chart/Test+Secret")

pytestmark = pytest.mark.skipif(not (have_docker() and os.path.exists(HELM)),
                                reason="needs root, docker.io, busybox-static and helm")


def render(image):
    repository, tag = image.split(":")
    result = subprocess.run(
        [HELM, "template", "ci", os.path.join(ROOT, "deploy", "helm", "tern"),
         "--namespace", NAMESPACE, "--set", f"image.repository={repository}",
         "--set", f"image.tag={tag}", "--set", "auth.enabled=true",
         "--set", f"auth.credentials[0].accessKeyId={KEY[0]}",
         "--set", f"auth.credentials[0].secretAccessKey={KEY[1]}"],
        capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def pods_of(objects):
    """(pod name, service name or None, pod spec) of every StatefulSet
    replica and of one pod per Deployment."""
    pods = []
    for obj in objects:
        spec = obj.get("spec", {})
        if obj["kind"] == "StatefulSet":
            for ordinal in range(spec["replicas"]):
                pods.append((f"{obj['metadata']['name']}-{ordinal}", spec["serviceName"],
                             spec["template"]["spec"]))
        elif obj["kind"] == "Deployment":
            pods.append((f"{obj['metadata']['name']}-0", None, spec["template"]["spec"]))
    return pods


class Pods:
    """Containers standing in for pods; removed (with volumes and network)
    by close()."""

    def __init__(self, image, secrets, tmp_path):
        self.image = image
        self.secrets = secrets
        self.tmp_path = tmp_path
        self.prefix = f"terncp{uuid.uuid4().hex[:6]}"
        self.network = self.prefix
        self.containers = []
        self.volumes = []
        subprocess.run([DOCKER, "network", "create", self.network], check=True,
                       capture_output=True)

    def run(self, pod, service, spec, publish=None):
        container = spec["containers"][0]
        security = spec.get("securityContext", {})
        args = [DOCKER, "run", "-d", "--name", f"{self.prefix}-{pod}",
                "--network", self.network, "--hostname", pod,
                "--user", f"{security['runAsUser']}:{security['runAsGroup']}"]
        if container.get("securityContext", {}).get("readOnlyRootFilesystem"):
            args.append("--read-only")
        if service:
            args += ["--network-alias", f"{pod}.{service}.{NAMESPACE}.svc.cluster.local"]
        for env in container.get("env", []):
            if env.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name":
                args += ["-e", f"{env['name']}={pod}"]
            else:
                args += ["-e", f"{env['name']}={env['value']}"]
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for mount in container.get("volumeMounts", []):
            volume = volumes.get(mount["name"])
            if volume and "secret" in volume:
                folder = self.tmp_path / f"{pod}-{mount['name']}"
                folder.mkdir()
                for item in volume["secret"]["items"]:
                    (folder / item["path"]).write_text(
                        self.secrets[volume["secret"]["secretName"]][item["key"]])
                args += ["-v", f"{folder}:{mount['mountPath']}:ro"]
            else:  # a volumeClaimTemplate or emptyDir: a named volume
                name = f"{self.prefix}-{pod}-{mount['name']}"
                self.volumes.append(name)
                args += ["-v", f"{name}:{mount['mountPath']}"]
        if publish:
            args += ["-p", f"127.0.0.1:{publish[0]}:{publish[1]}"]
        args += [self.image, *container["command"], *container.get("args", [])]
        subprocess.run(args, check=True, capture_output=True, text=True)
        self.containers.append(f"{self.prefix}-{pod}")

    def kill(self, pod):
        subprocess.run([DOCKER, "kill", f"{self.prefix}-{pod}"], check=True,
                       capture_output=True)

    def print_logs(self):
        for container in self.containers:
            logs = subprocess.run([DOCKER, "logs", "--tail", "20", container],
                                  capture_output=True, text=True)
            print(f"--- {container}\n{logs.stdout}{logs.stderr}")

    def close(self):
        for container in self.containers:
            subprocess.run([DOCKER, "rm", "-f", "-v", container], capture_output=True)
        for volume in self.volumes:
            subprocess.run([DOCKER, "volume", "rm", "-f", volume], capture_output=True)
        subprocess.run([DOCKER, "network", "rm", self.network], capture_output=True)


def test_chart_pods_form_a_cluster(image, tmp_path):
    objects = render(image)
    secrets = {o["metadata"]["name"]: o["stringData"] for o in objects if o["kind"] == "Secret"}
    router_service = next(o for o in objects if o["kind"] == "Service"
                          and o["metadata"]["name"].endswith("-router"))
    router_port = router_service["spec"]["ports"][0]["port"]
    port = free_port()
    pods = Pods(image, secrets, tmp_path)
    try:
        for pod, service, spec in pods_of(objects):
            publish = (port, router_port) if service is None else None
            pods.run(pod, service, spec, publish)
        wait_serving(port, key=KEY)

        # Node ids and zones as the chart says: zone index * 1000 + ordinal + 1.
        deadline = time.time() + 60
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
                health = json.load(answer)
            if health["nodes_alive"] == 3 or time.time() > deadline:
                break
            time.sleep(0.5)
        assert sorted((n["node_id"], n["az"]) for n in health["nodes"]) == [
            (1, "az-a"), (1001, "az-b"), (2001, "az-c")], health
        assert {n["address"] for n in health["nodes"]} == {
            f"ci-tern-node-{az}-0.ci-tern-node-{az}.{NAMESPACE}.svc.cluster.local:7100"
            for az in ("az-a", "az-b", "az-c")}

        # Clients are told the Service's name.
        endpoints = json.loads(aws(port, "describe-endpoints", key=KEY).stdout)["Endpoints"]
        assert endpoints[0]["Address"] == f"ci-tern-router.{NAMESPACE}.svc.cluster.local:8000"

        # Only the Secret's key is accepted.
        refused = aws(port, "list-tables", check=False)
        assert refused.returncode != 0 and "UnrecognizedClientException" in refused.stderr
        create_active_table(port, "Music", key=KEY)
        artists = writes_survive(port, "Music", lambda: pods.kill("ci-tern-node-az-b-0"),
                                 key=KEY)
        assert len(artists) >= 18
    except BaseException:
        pods.print_logs()
        raise
    finally:
        pods.close()
