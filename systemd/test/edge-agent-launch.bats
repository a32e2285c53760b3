#!/usr/bin/env bats
# The launcher with fake agents in a temporary fleet directory: which agent it starts, and the A/B rollback of a new
# agent that keeps stopping before its health gate.

setup() {
  launch="$BATS_TEST_DIRNAME/../edge-agent-launch"
  export EDGE_AGENT_FLEET="$BATS_TEST_TMPDIR/fleet"
  export EDGE_AGENT_BUILTIN="$BATS_TEST_TMPDIR/builtin"
  mkdir -p "$EDGE_AGENT_FLEET/releases"
  printf '#!/bin/sh\necho "packaged agent: $*"\n' > "$EDGE_AGENT_BUILTIN"
  chmod +x "$EDGE_AGENT_BUILTIN"
  for v in 4 5; do
    mkdir -p "$EDGE_AGENT_FLEET/releases/$v/agent"
    printf '#!/bin/sh\necho "agent of release %s: $*"\n' "$v" > "$EDGE_AGENT_FLEET/releases/$v/agent/edge-agent"
    chmod +x "$EDGE_AGENT_FLEET/releases/$v/agent/edge-agent"
  done
}

@test "no fleet release: the packaged agent, with the arguments" {
  run "$launch" run --config /etc/edge-agent/appsettings.json
  [ "$status" -eq 0 ]
  [ "$output" = "packaged agent: run --config /etc/edge-agent/appsettings.json" ]
}

@test "a release that brought an agent: that agent" {
  ln -s "$EDGE_AGENT_FLEET/releases/5" "$EDGE_AGENT_FLEET/current"
  run "$launch" run
  [ "$output" = "agent of release 5: run" ]
}

@test "a release without an agent of its own: the packaged agent" {
  mkdir -p "$EDGE_AGENT_FLEET/releases/6"
  ln -s "$EDGE_AGENT_FLEET/releases/6" "$EDGE_AGENT_FLEET/current"
  run "$launch" run
  [ "$output" = "packaged agent: run" ]
}

@test "a new agent on trial is started three times, then the previous release's agent returns" {
  ln -s "$EDGE_AGENT_FLEET/releases/4" "$EDGE_AGENT_FLEET/previous"
  ln -s "$EDGE_AGENT_FLEET/releases/5" "$EDGE_AGENT_FLEET/current"
  echo 5 > "$EDGE_AGENT_FLEET/agent-trial"
  for i in 1 2 3; do
    run "$launch" run
    [ "$output" = "agent of release 5: run" ]
  done
  run "$launch" run
  [[ "$output" == *"back to the previous release"* ]]
  [[ "$output" == *"agent of release 4: run"* ]]
  [ "$(readlink "$EDGE_AGENT_FLEET/current")" = "$EDGE_AGENT_FLEET/releases/4" ]
  [ "$(cat "$EDGE_AGENT_FLEET/agent-rolled-back")" = 5 ]
  [ ! -e "$EDGE_AGENT_FLEET/agent-trial" ]
}

@test "a trial without a previous release falls back to the packaged agent" {
  ln -s "$EDGE_AGENT_FLEET/releases/5" "$EDGE_AGENT_FLEET/current"
  echo 5 > "$EDGE_AGENT_FLEET/agent-trial"
  echo 3 > "$EDGE_AGENT_FLEET/agent-trial-starts"
  run "$launch" run
  [[ "$output" == *"packaged agent: run"* ]]
  [ ! -e "$EDGE_AGENT_FLEET/current" ]
}
