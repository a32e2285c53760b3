#!/usr/bin/env bash
# RELIABILITY N11 (power loss), run by hand or nightly, not in CI:
#   scripts/powerloss.sh [--runs N] [--lazyfs DIR]
# Starts `edge-agent sync-writer` (appends events to an outbox, logging every accepted seq outside the file system
# under test), kills it with SIGKILL at a random moment, and checks that every accepted event is in the reopened
# outbox with its bytes; N times (default 100).
# With --lazyfs DIR (a LazyFS build: DIR/scripts/mount-lazyfs.sh and DIR/build/lazyfs; FUSE 3, /dev/fuse, root),
# the outbox lives on a LazyFS mount and after each kill LazyFS drops every write that was not fsynced
# ("lazyfs::clear-cache"): a power cut, not just a process crash. Without it the kill alone is tested (the page cache
# survives a process kill), and the power-loss cases are those of the in-suite crash simulator
# (OutboxPowerLossTests), which cuts at every disk operation.
set -euo pipefail

runs=100
lazyfs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --lazyfs) lazyfs="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "powerloss.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
agent="$root/EdgeAgent/bin/Release/net10.0/edge-agent"
[ -x "$agent" ] || dotnet build -c Release "$root/EdgeAgent/EdgeAgent.csproj" >/dev/null
work="$(mktemp -d)"
accepted="$work/accepted.log"
outbox="$work/outbox"
fifo=""
cleanup() {
  if [ -n "$lazyfs" ]; then fusermount3 -u "$work/mnt" 2>/dev/null || umount "$work/mnt" 2>/dev/null || true; fi
}
trap cleanup EXIT

if [ -n "$lazyfs" ]; then
  [ -x "$lazyfs/build/lazyfs" ] || { echo "powerloss.sh: no LazyFS build at $lazyfs/build/lazyfs" >&2; exit 2; }
  mkdir -p "$work/mnt" "$work/root"
  fifo="$work/faults.fifo"
  cat > "$work/lazyfs.toml" <<TOML
[faults]
fifo_path="$fifo"
[cache]
apply_eviction=false
[cache.simple]
custom_size="256mb"
blocks_per_page=1
TOML
  "$lazyfs/build/lazyfs" "$work/mnt" --config-path "$work/lazyfs.toml" -o allow_other -o modules=subdir -o "subdir=$work/root" -f &
  for _ in $(seq 50); do [ -p "$fifo" ] && break; sleep 0.1; done
  [ -p "$fifo" ] || { echo "powerloss.sh: LazyFS did not start" >&2; exit 1; }
  outbox="$work/mnt/outbox"
fi

for run in $(seq "$runs"); do
  "$agent" sync-writer --dir "$outbox" --accepted "$accepted" > "$work/writer.out" 2>&1 &
  pid=$!
  sleep "$((RANDOM % 3)).$((RANDOM % 10))$((RANDOM % 10))"   # 0-3 s: start-up (~0.5 s) and a few thousand appends
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -n "$fifo" ]; then echo "lazyfs::clear-cache" > "$fifo"; sleep 0.2; fi
  if ! "$agent" sync-writer --dir "$outbox" --accepted "$accepted" --verify-only > "$work/verify.out" 2>&1; then
    echo "run $run: FAILED"; cat "$work/verify.out"; echo "kept for inspection: $work"; trap - EXIT; exit 1
  fi
  echo "run $run: $(cat "$work/verify.out")"
done
echo "power loss: $runs runs, every accepted event present$([ -n "$lazyfs" ] && echo ' (LazyFS, unsynced writes dropped)' || echo ' (process kill only; no LazyFS)')"
rm -rf "$work"
