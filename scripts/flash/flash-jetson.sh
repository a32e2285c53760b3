#!/usr/bin/env bash
# Flashes a Jetson Orin (JetPack 6 / L4T r36) from an Ubuntu x86_64 host, with NVIDIA's tools:
#   scripts/flash/flash-jetson.sh --l4t DIR --hostname NAME --user NAME --password-file FILE
#                                 [--board jetson-orin-nano-devkit] [--ab] [--dry-run]
# DIR is an extracted Linux_for_Tegra with the sample root file system in DIR/rootfs. Steps, each done once (a marker
# in DIR records it): prerequisites and apply_binaries; the default user (no oem-config: headless); then QSPI + NVMe
# with l4t_initrd_flash.sh (the device in Force Recovery; with --ab the A/B rootfs layout). The flash itself always
# runs. Then boot the device and run first-boot.sh on it.
set -euo pipefail
# shellcheck source=scripts/flash/lib.sh
. "$(dirname "$0")/lib.sh"

l4t=""; board="jetson-orin-nano-devkit"; host=""; user=""; password_file=""; ab=0
while [ $# -gt 0 ]; do
  case "$1" in
    --l4t) l4t="$2"; shift 2 ;;
    --board) board="$2"; shift 2 ;;
    --hostname) host="$2"; shift 2 ;;
    --user) user="$2"; shift 2 ;;
    --password-file) password_file="$2"; shift 2 ;;
    --ab) ab=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown option $1" 2 ;;
  esac
done
require --l4t "$l4t"; require --hostname "$host"; require --user "$user"; require --password-file "$password_file"
[[ "$host" =~ ^[a-z0-9][a-z0-9-]{0,62}$ ]] || die "--hostname: letters, digits and '-' only, got '$host'" 2
[ -d "$l4t/rootfs" ] || [ "$DRY_RUN" = 1 ] || die "--l4t: $l4t/rootfs not found (extract the sample root file system there)" 2
[ -r "$password_file" ] || [ "$DRY_RUN" = 1 ] || die "--password-file: cannot read $password_file" 2

marker="$l4t/.edge-agent-flash"
done_step() { grep -qx "$1" "$marker" 2>/dev/null; }
mark() { [ "$DRY_RUN" = 1 ] || echo "$1" >> "$marker"; }

cd_l4t() { if [ "$DRY_RUN" = 1 ]; then printf '+ cd %s\n' "$l4t"; else cd "$l4t"; fi; }
cd_l4t
if done_step binaries; then log "already done: prerequisites and apply_binaries"; else
  run sudo ./tools/l4t_flash_prerequisites.sh
  run sudo ./apply_binaries.sh
  mark binaries
fi
if done_step user; then log "already done: default user"; else
  # The password comes from a file, not this script's arguments or the shell history (NVIDIA's tool takes it as one).
  password='<from file>'
  if [ "$DRY_RUN" != 1 ]; then password="$(cat "$password_file")"; fi
  run sudo ./tools/l4t_create_default_user.sh -u "$user" -p "$password" -n "$host" --accept-license
  mark user
fi
layout="tools/kernel_flash/flash_l4t_t234_nvme.xml"
env_ab=()
if [ "$ab" = 1 ]; then layout="tools/kernel_flash/flash_l4t_t234_nvme_rootfs_ab.xml"; env_ab=(ROOTFS_AB=1); fi
run sudo "${env_ab[@]}" ./tools/kernel_flash/l4t_initrd_flash.sh --external-device nvme0n1p1 -c "$layout" \
  -p "-c bootloader/generic/cfg/flash_t234_qspi.xml" --showlogs --network usb0 "$board" internal
log "flashed $host ($board$([ "$ab" = 1 ] && echo ', A/B rootfs')); boot it and run first-boot.sh on the device"
