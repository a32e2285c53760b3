#!/usr/bin/env bash
# The agent on the sample video with the bundled configuration (its camera calibration and sample zones) and the
# default model: a progress bar, tracks (MOTChallenge format), zone events (JSON lines) and a summary in out/demo/,
# and the accuracy when the ground truth is at hand.
# No external service is needed. Extra arguments go to 'edge-agent replay' (e.g. --realtime).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/assets.sh
. scripts/lib/assets.sh

apt_install libgtk-3-0
video=$(find_sample_video .test-assets)
gt=$(find_ground_truth)

dotnet build -c Release EdgeAgent/EdgeAgent.csproj -v quiet -nologo -clp:ErrorsOnly
agent=EdgeAgent/bin/Release/net10.0/edge-agent
"$agent" models pull
args=(replay --out out/demo)
[ -n "$gt" ] && args+=(--gt "$gt")
# The bundled camera points at ../shared; use the video wherever it was found (environment overrides the file).
EDGEAGENT_Capture__Cameras__0__Source="$video" "$agent" "${args[@]}" "$@"
