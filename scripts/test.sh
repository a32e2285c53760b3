#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need when it is missing (Debian packages,
# the sample video, the models, a derived H.264 stream), builds, runs every test, and ends with
# "N passed, N failed". Run as root or with sudo available. Extra arguments go to 'dotnet test'
# (e.g. --filter "Category!=Integration" for the fast unit tests only).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/assets.sh
. scripts/lib/assets.sh
root=$PWD
assets=$root/.test-assets
mkdir -p "$assets"

# OpenCvSharp's native library needs GTK; RTSP tests need ffmpeg and GStreamer's RTSP server with python3-gi;
# badge reader tests need socat (pseudo-terminal pairs); CloudSync tests a real mosquitto broker; the systemd unit is
# linted with systemd-analyze, the .deb with lintian, the scripts with shellcheck and bats; the web pages are tested in
# Debian's chromium.
apt_install libgtk-3-0 ffmpeg python3-gi gir1.2-gst-rtsp-server-1.0 \
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad socat mosquitto mosquitto-clients \
  systemd lintian shellcheck bats dpkg-dev openssl binutils chromium
command -v dotnet >/dev/null || { echo "the .NET SDK 10 is required (dotnet not found)" >&2; exit 1; }

video=$(find_sample_video "$assets")
gt=$(find_ground_truth)
export EDGE_TEST_VIDEO=$root/$video
[[ "$video" = /* ]] && EDGE_TEST_VIDEO=$video
[ -n "$gt" ] && export EDGE_TEST_GT=$root/$gt
[ -z "$gt" ] && echo "note: no ground truth at ../shared/data/pets09-s2l1/gt.txt; accuracy tests will report it"

if [ ! -s "$assets/vtest.ts" ]; then
  echo "making an H.264 stream of the sample video for the RTSP tests"
  ffmpeg -v error -y -i "$EDGE_TEST_VIDEO" -c:v libx264 -preset ultrafast -tune zerolatency -g 10 -bf 0 \
    -pix_fmt yuv420p -f mpegts "$assets/vtest.ts.part" && mv "$assets/vtest.ts.part" "$assets/vtest.ts"
fi

# Azure Blob tests run against Azurite (npm), installed beside the other test assets.
if [ ! -x "$assets/node_modules/.bin/azurite-blob" ]; then
  command -v npm >/dev/null || apt_install npm
  echo "installing Azurite (npm) into .test-assets"
  npm install --prefix "$assets" --no-audit --no-fund --silent azurite@3.37.0 >/dev/null
fi
# The pages' accessibility check runs axe-core (npm) in the browser.
if [ ! -s "$assets/node_modules/axe-core/axe.min.js" ]; then
  command -v npm >/dev/null || apt_install npm
  echo "installing axe-core (npm) into .test-assets"
  npm install --prefix "$assets" --no-audit --no-fund --silent axe-core@4.14.1 >/dev/null
fi

dotnet build -c Release EdgeTracking.sln -v quiet -nologo -clp:ErrorsOnly
dotnet EdgeAgent/bin/Release/net10.0/edge-agent.dll models pull

rm -rf "$root/TestResults"
log=$(mktemp)
set +e
dotnet test EdgeTracking.sln -c Release --no-build --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=results.trx" --results-directory "$root/TestResults" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The summary block of 'dotnet test' at normal verbosity: "     Passed: 91", "     Failed: 2", "    Skipped: 1".
count() { awk -v key="$1:" '$1 == key && $2 ~ /^[0-9]+$/ { s += $2 } END { print s + 0 }' "$log"; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
# Repeat each failure with its message at the very end, so a CI that keeps only the tail shows why.
if [ "$failed" -ne 0 ]; then
  echo "---- failures ----"
  awk '/^ *Failed [A-Za-z_]/ { n = 25 } n > 0 { print; n-- }' "$log"
  echo "------------------"
fi
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a crash or build error counts as a failure
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
