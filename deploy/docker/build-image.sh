#!/usr/bin/env bash
# Builds the Tern container image without a registry or a base image: a root
# filesystem holding the stripped daemons and ternctl, exactly the shared
# libraries they link (taken from this Debian 12 build host, so build here),
# busybox for a shell and wget (health checks), and a non-root user (uid
# 10001, owning /var/lib/tern); loaded with `docker import`.
#
#   deploy/docker/build-image.sh [TAG]      (default tern:dev)
#
# Needs a built release (./scripts/build.sh release), busybox-static, and a
# running Docker engine (as root: `dockerd --storage-driver=vfs &`).
set -euo pipefail
cd "$(dirname "$0")/../.."

TAG=${1:-tern:dev}
BIN=${TERN_BIN_DIR:-build/release/bin}
# Debian's client: another docker on PATH may not speak this engine's API.
DOCKER=${DOCKER:-/usr/bin/docker}
BINARIES=(tern-router tern-node tern-control ternctl)

for b in "${BINARIES[@]}"; do
  [ -x "$BIN/$b" ] || { echo "build-image: no $BIN/$b (run ./scripts/build.sh release)" >&2; exit 1; }
done
[ -x /bin/busybox ] || { echo "build-image: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }

ROOT=$(mktemp -d)
chmod 755 "$ROOT"  # the image's /: mktemp makes it private
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{usr/local/bin,bin,etc,tmp,var/lib/tern}
chmod 1777 "$ROOT/tmp"

for b in "${BINARIES[@]}"; do
  strip --strip-unneeded -o "$ROOT/usr/local/bin/$b" "$BIN/$b"
done

# The libraries the loader will look for, at the paths it looks in (ldd's
# "=> /path" lines and the loader itself).
for b in "${BINARIES[@]}"; do
  ldd "$BIN/$b" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
done | sort -u | while read -r lib; do
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
done

cp /bin/busybox "$ROOT/bin/busybox"
for tool in sh wget cat ls; do ln -s busybox "$ROOT/bin/$tool"; done

cat > "$ROOT/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
tern:x:10001:10001:tern:/var/lib/tern:/bin/sh
PASSWD
cat > "$ROOT/etc/group" <<'GROUP'
root:x:0:
tern:x:10001:
GROUP
echo "hosts: files dns" > "$ROOT/etc/nsswitch.conf"
chown 10001:10001 "$ROOT/var/lib/tern"

tar --numeric-owner -C "$ROOT" -c . |
  "$DOCKER" import \
    -c 'USER 10001:10001' \
    -c 'WORKDIR /var/lib/tern' \
    -c 'ENV PATH=/usr/local/bin:/bin' \
    -c 'VOLUME /var/lib/tern' \
    -m "tern $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    - "$TAG" >/dev/null
echo "build-image: $TAG ($("$DOCKER" image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.1f MB", $1/1e6}'))"
