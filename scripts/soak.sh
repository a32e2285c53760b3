#!/usr/bin/env bash
# Soak (RELIABILITY K1, compressed), run by hand or nightly, not in CI:
#   scripts/soak.sh [--minutes N] [--flap-every MIN] [--down SEC]
# Runs the agent service on the sample video (looping, real time) with the bundled configuration, publishing to a
# local mosquitto that is stopped for --down seconds every --flap-every minutes (default 60 min, every 5 min, 60 s).
# Every 30 s it samples the agent's resident memory, open descriptors and threads; at the end it prints the RSS slope
# over the second half (target < 1 MB/h), the descriptor and thread ranges, and checks that every event the agent
# accepted reached a persistent subscriber (0 missing). Samples: out/soak/samples.csv.
set -euo pipefail
minutes=60; flap=5; down=60
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --flap-every) flap="$2"; shift 2 ;;
    --down) down="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/assets.sh
. scripts/lib/assets.sh
video=$(find_sample_video .test-assets)
dotnet build -c Release EdgeAgent/EdgeAgent.csproj -v quiet -nologo -clp:ErrorsOnly
agent="$PWD/EdgeAgent/bin/Release/net10.0/edge-agent"
"$agent" models pull >/dev/null

out="$PWD/out/soak"; rm -rf "$out"; mkdir -p "$out/state"
port=$((20000 + RANDOM % 10000))
cat > "$out/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $out/
autosave_interval 1
max_queued_messages 1000000
$( [ "$(id -u)" = 0 ] && echo "user root" )
CONF
broker() { mosquitto -c "$out/mosquitto.conf" >/dev/null 2>&1 & echo $!; }
bpid=$(broker); sleep 1
mosquitto_sub -h 127.0.0.1 -p "$port" -c -i soak-verifier -q 1 -t 'edgetracking/+/+/events/#' > "$out/received.jsonl" 2>/dev/null &
spid=$!
export EDGEAGENT_Capture__Cameras__0__Source="$video" EDGEAGENT_Output__Directory="$out" EDGEAGENT_Output__StateDirectory="$out/state" \
  EDGEAGENT_Sync__Outbox__Directory="$out/state/outbox" EDGEAGENT_Sync__Destinations__0__Name=bms EDGEAGENT_Sync__Destinations__0__Port="$port" \
  EDGEAGENT_Sync__Destinations__0__ReconnectMaxDelay=00:00:10
"$agent" run > "$out/agent.log" 2>&1 &
apid=$!
trap 'kill $apid $spid $bpid 2>/dev/null || true' EXIT

echo "seconds,rss_kb,fds,threads" > "$out/samples.csv"
start=$(date +%s); end=$((start + minutes * 60)); next_flap=$((start + flap * 60))
while [ "$(date +%s)" -lt "$end" ]; do
  kill -0 "$apid" 2>/dev/null || { echo "soak.sh: the agent died; see $out/agent.log" >&2; exit 1; }
  now=$(date +%s)
  echo "$((now - start)),$(awk '/VmRSS/{print $2}' /proc/$apid/status),$(find /proc/$apid/fd -mindepth 1 -maxdepth 1 | wc -l),$(awk '/Threads/{print $2}' /proc/$apid/status)" >> "$out/samples.csv"
  if [ "$now" -ge "$next_flap" ]; then
    kill -TERM "$bpid"; wait "$bpid" 2>/dev/null || true
    sleep "$down"
    bpid=$(broker); next_flap=$((next_flap + flap * 60))
  else
    sleep 30
  fi
done
kill -TERM "$apid"; wait "$apid" || true
sleep 5; kill "$spid" 2>/dev/null || true

accepted=$(grep -o '"seq":[0-9]*' "$out/events.jsonl" | cut -d: -f2 | sort -n | uniq)
received=$(grep -o '"seq":[0-9]*' "$out/received.jsonl" | cut -d: -f2 | sort -n | uniq)
lost=$(comm -23 <(echo "$accepted") <(echo "$received") | grep -c . || true)
awk -F, -v minutes="$minutes" 'NR > 1 { t[n] = $1; r[n] = $2; f[n] = $3; h[n] = $4; n++ }
  END {
    h0 = int(n / 2); sx = sy = sxx = sxy = 0; m = 0
    for (i = h0; i < n; i++) { x = t[i] / 3600; y = r[i] / 1024; sx += x; sy += y; sxx += x * x; sxy += x * y; m++ }
    slope = (m > 1 && (m * sxx - sx * sx) != 0) ? (m * sxy - sx * sy) / (m * sxx - sx * sx) : 0
    fmin = fmax = f[0]; tmin = tmax = h[0]
    for (i = 0; i < n; i++) { if (f[i] < fmin) fmin = f[i]; if (f[i] > fmax) fmax = f[i]; if (h[i] < tmin) tmin = h[i]; if (h[i] > tmax) tmax = h[i] }
    printf "soak: %d min, RSS %.0f MB -> %.0f MB, slope over the second half %.1f MB/h (target < 1); descriptors %d-%d (second half from %d); threads %d-%d\n", minutes, r[0] / 1024, r[n-1] / 1024, slope, fmin, fmax, f[h0], tmin, tmax
  }' "$out/samples.csv"
echo "events: $(echo "$accepted" | grep -c .) accepted, $(echo "$received" | grep -c .) received, $lost missing"
[ "$lost" -eq 0 ]
