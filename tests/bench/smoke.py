"""ctest bench_smoke: tern-bench against tern-bench-static for a moment, closed
and open loop, every workload's operations: the generator sends requests,
reads replies and writes its JSON. Asserts nothing about speed.

    /usr/bin/python3 tests/bench/smoke.py build/release/bin
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402


def main(bin_dir):
    work = servers.scratch()
    static = servers.Static(bin_dir, work)
    try:
        for workload, rate in (("get", 0), ("a", 0), ("e", 0), ("f", 500)):
            out = os.path.join(work, f"{workload}.json")
            run = subprocess.run(
                [os.path.join(bin_dir, "tern-bench"), f"--endpoint={static.endpoint}",
                 f"--workload={workload}", "--records=100", "--preload=false",
                 "--create_table=false", "--connections=4", "--duration_s=1",
                 "--warmup_s=0.2", f"--rate={rate}", f"--json={out}", "--progress=false"],
                capture_output=True, text=True, timeout=60)
            print(run.stdout, run.stderr)
            assert run.returncode == 0, run.stderr
            with open(out) as f:
                result = json.load(f)
            assert result["ops"] > 0 and result["errors"] == 0, result
            assert result["latency"]["p50_us"] <= result["latency"]["p99_us"]
            assert result["workload"] == workload
    finally:
        static.stop()
        servers.remove(work)
    print("bench smoke: ok")


if __name__ == "__main__":
    main(sys.argv[1])
