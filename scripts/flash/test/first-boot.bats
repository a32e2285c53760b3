#!/usr/bin/env bats
# first-boot.sh into a temporary root (ROOT=...), with the real agent validating the configuration: dry runs, a real
# run, a second run that changes nothing, and refusals (bad hash, bad configuration).

setup() {
  script="$BATS_TEST_DIRNAME/../first-boot.sh"
  repo="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
  export ROOT="$BATS_TEST_TMPDIR/root"
  export EDGE_AGENT_BIN="$repo/EdgeAgent/bin/Release/net10.0/edge-agent"
  mkdir -p "$ROOT"
  cfg="$BATS_TEST_TMPDIR/ward.json"
  video="$BATS_TEST_TMPDIR/camera.avi"
  : > "$video"
  sed "s|\"Source\": \"[^\"]*\"|\"Source\": \"$video\"|" "$repo/EdgeAgent/appsettings.json" > "$cfg"
  echo "-----BEGIN PUBLIC KEY-----" > "$BATS_TEST_TMPDIR/fleet.pub"
  args=(--device-id jetson-ward7 --config "$cfg" --fleet-key "$BATS_TEST_TMPDIR/fleet.pub")
}

@test "help exits 0; missing and unknown options exit 2" {
  run "$script" --help
  [ "$status" -eq 0 ]
  run "$script" --config x
  [ "$status" -eq 2 ]
  [[ "$output" == *"--device-id is required"* ]]
  run "$script" "${args[@]}" --yes
  [ "$status" -eq 2 ]
}

@test "dry run plans the key, request, validation and installation, and writes nothing" {
  run "$script" "${args[@]}" --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"+ openssl ecparam -name prime256v1 -genkey"* ]]
  [[ "$output" == *"/CN=jetson-ward7/"* ]]
  [[ "$output" == *"check --config $cfg"* ]]
  [[ "$output" == *"+ write $ROOT/etc/edge-agent/appsettings.json"* ]]
  [ -z "$(find "$ROOT" -mindepth 1)" ]
}

@test "a real run provisions; a second run changes nothing" {
  run "$script" "${args[@]}"
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$ROOT/etc/edge-agent/device.key")" = 600 ]
  openssl req -in "$ROOT/etc/edge-agent/device.csr" -noout -subject | grep -q "CN = jetson-ward7"
  cmp "$cfg" "$ROOT/etc/edge-agent/appsettings.json"
  key="$(sha256sum "$ROOT/etc/edge-agent/device.key")"
  run "$script" "${args[@]}"
  [ "$status" -eq 0 ]
  [[ "$output" == *"already present: device key"* ]]
  [[ "$output" == *"unchanged: $ROOT/etc/edge-agent/appsettings.json"* ]]
  [ "$(sha256sum "$ROOT/etc/edge-agent/device.key")" = "$key" ]
}

@test "an ONNX Runtime tarball with the wrong hash is refused, nothing installed" {
  tar -czf "$BATS_TEST_TMPDIR/ort.tgz" -C "$BATS_TEST_TMPDIR" ward.json
  run "$script" "${args[@]}" --onnxruntime-tarball "$BATS_TEST_TMPDIR/ort.tgz" --onnxruntime-sha256 0000
  [ "$status" -eq 3 ]
  [[ "$output" == *"expected 0000: refused"* ]]
  [ ! -e "$ROOT/etc/edge-agent/appsettings.json" ]
}

@test "a configuration the agent refuses is not installed, and the reason is shown" {
  echo '{ "Capture": { "Cameras": [ { "Id": "bay 3", "Source": "/nowhere.avi" } ] } }' > "$cfg"
  run "$script" "${args[@]}"
  [ "$status" -eq 3 ]
  [[ "$output" == *"Capture:Cameras:0:Id"* ]]
  [ ! -e "$ROOT/etc/edge-agent/appsettings.json" ]
}

@test "OpenCvSharpExtern is built against JetPack's OpenCV unless told otherwise" {
  run "$script" "${args[@]}" --build-opencvsharp 4.13.0.20260627 --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"git clone -b 4.13.0.20260627 --depth 1 https://github.com/shimat/opencvsharp"* ]]
  [[ "$output" == *"-DOpenCV_DIR=/usr/lib/aarch64-linux-gnu/cmake/opencv4"* ]]
  run "$script" "${args[@]}" --build-opencvsharp 4.13.0.20260627 --opencv-dir /opt/opencv-4.10/lib/cmake/opencv4 --dry-run
  [[ "$output" == *"-DOpenCV_DIR=/opt/opencv-4.10/lib/cmake/opencv4"* ]]
}

@test "with an answers file, the agent's provision makes, checks and installs the configuration" {
  answers="$BATS_TEST_TMPDIR/ward.env"
  printf 'SITE=st-marys\nWARD=ward-7\nDEVICE_ID=jetson-ward7\nCAMERAS=plaza=%s\nBROKER_HOST=127.0.0.1\nMODELS_DIR=%s/models\n' "$video" "$repo" > "$answers"
  run "$script" --device-id jetson-ward7 --answers "$answers" --fleet-key "$BATS_TEST_TMPDIR/fleet.pub" --dry-run
  [ "$status" -eq 0 ]
  [[ "$output" == *"provision --answers $answers --out $ROOT/etc/edge-agent/appsettings.json --no-start"* ]]
  run "$script" --device-id jetson-ward7 --config "$cfg" --answers "$answers" --fleet-key "$BATS_TEST_TMPDIR/fleet.pub"
  [ "$status" -eq 2 ]
}

