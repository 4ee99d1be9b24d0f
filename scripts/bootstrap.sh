#!/usr/bin/env bash
# Prepares a machine for `bun run start` and `bun run test`: bun (pinned, from npm), the Debian packages the
# system and its tests use, PostgreSQL and Redis running, and the workspace's dependencies. Idempotent and quick
# when everything is already there. Used by the README's quick start and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.4
PACKAGES=(caddy openssh-server chromium postgresql redis-server curl procps sudo)
export DEBIAN_FRONTEND=noninteractive

step() { echo "==> $*"; }
die() {
  echo "bootstrap: $*" >&2
  exit 1
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

if [ "$(bun --version 2>/dev/null || true)" != "$BUN_VERSION" ]; then
  command -v npm >/dev/null || die "npm is missing: install Node.js 20 or newer first"
  step "installing bun $BUN_VERSION from npm"
  as_root npm i -g "bun@$BUN_VERSION" >/dev/null || npm i -g "bun@$BUN_VERSION" >/dev/null || die "could not install bun"
  hash -r
  [ "$(bun --version 2>/dev/null || true)" = "$BUN_VERSION" ] || die "bun on PATH is not $BUN_VERSION"
fi

if command -v dpkg >/dev/null; then
  missing=()
  for pkg in "${PACKAGES[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    step "installing ${missing[*]}"
    as_root apt-get update -qq || die "apt-get update failed (run as root or with sudo)"
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
  fi
else
  for tool in caddy chromium psql redis-server sshd; do
    command -v "$tool" >/dev/null || echo "bootstrap: $tool not found; install it with your package manager" >&2
  done
fi

# Tests use the shared PostgreSQL and Redis on their default ports (`bun run start` can also run private ones).
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 && command -v pg_ctlcluster >/dev/null; then
  step "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start || die "could not start PostgreSQL"
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if command -v redis-server >/dev/null && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" != "PONG" ]; then
  step "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null || die "could not start Redis"
  for _ in $(seq 1 30); do [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null || true)" = "PONG" ] && break; sleep 0.2; done
fi

step "bun install"
bun install --frozen-lockfile </dev/null >/dev/null || die "bun install --frozen-lockfile failed"
