# Shared by the provisioning scripts: dry-run aware command runner, logging, and small idempotent helpers.
# shellcheck shell=bash

DRY_RUN=${DRY_RUN:-0}
ROOT=${ROOT:-}   # a prefix for every path on the target (tests run the scripts into a temporary root)

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "$*"; exit "${2:-1}"; }

# Runs a command, or only prints it with --dry-run.
run() {
  if [ "$DRY_RUN" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}

# Writes stdin to a file unless it already holds exactly that (idempotent); prints the plan with --dry-run.
write_file() {
  local path="$1" mode="$2" content
  content="$(cat)"
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then log "unchanged: $path"; return 0; fi
  if [ "$DRY_RUN" = 1 ]; then printf '+ write %s (mode %s)\n' "$path" "$mode"; return 0; fi
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$content" > "$path.tmp"
  chmod "$mode" "$path.tmp"
  mv "$path.tmp" "$path"
}

# Fails unless a required option was given.
require() { [ -n "$2" ] || die "$1 is required (see --help)" 2; }

# The sha256 of a file.
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
