#!/usr/bin/env bats
# Dry-run tests of flash-jetson.sh (nothing is flashed; NVIDIA's tools are never called).

setup() {
  script="$BATS_TEST_DIRNAME/../flash-jetson.sh"
  l4t="$BATS_TEST_TMPDIR/Linux_for_Tegra"
  mkdir -p "$l4t/rootfs"
  echo secret > "$BATS_TEST_TMPDIR/pw"
  args=(--l4t "$l4t" --hostname ward7-cam --user svc --password-file "$BATS_TEST_TMPDIR/pw")
}

@test "help exits 0" {
  run "$script" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"--l4t DIR"* ]]
}

@test "a missing option is named, exit 2" {
  run "$script" --l4t "$l4t" --dry-run
  [ "$status" -eq 2 ]
  [[ "$output" == *"--hostname is required"* ]]
}

@test "an unknown option is refused, exit 2" {
  run "$script" "${args[@]}" --force
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown option --force"* ]]
}

@test "a bad hostname is refused" {
  run "$script" --l4t "$l4t" --hostname "Ward 7" --user svc --password-file "$BATS_TEST_TMPDIR/pw" --dry-run
  [ "$status" -eq 2 ]
  [[ "$output" == *"--hostname"* ]]
}

@test "dry run plans every step, never shows the password, changes nothing" {
  run "$script" "${args[@]}" --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"+ sudo ./tools/l4t_flash_prerequisites.sh"* ]]
  [[ "$output" == *"+ sudo ./apply_binaries.sh"* ]]
  [[ "$output" == *"l4t_create_default_user.sh -u svc -p <from file> -n ward7-cam --accept-license"* ]]
  [[ "$output" == *"flash_l4t_t234_nvme.xml"*"jetson-orin-nano-devkit internal"* ]]
  [[ "$output" != *secret* ]]
  [ ! -e "$l4t/.edge-agent-flash" ]
}

@test "A/B layout with --ab" {
  run "$script" "${args[@]}" --ab --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"ROOTFS_AB=1"*"flash_l4t_t234_nvme_rootfs_ab.xml"* ]]
}

@test "steps already done are skipped (idempotent)" {
  printf 'binaries\nuser\n' > "$l4t/.edge-agent-flash"
  run "$script" "${args[@]}" --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"already done: prerequisites and apply_binaries"* ]]
  [[ "$output" == *"already done: default user"* ]]
  [[ "$output" != *"apply_binaries.sh"*"apply_binaries.sh"* ]]
  [[ "$output" != *"+ sudo ./apply_binaries.sh"* ]]
}
