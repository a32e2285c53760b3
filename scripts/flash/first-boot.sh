#!/usr/bin/env bash
# First boot of a flashed Jetson (run on the device, as root): makes it a ward appliance.
#   scripts/flash/first-boot.sh --device-id ID --config FILE|--answers FILE --fleet-key FILE [--deb FILE]
#       [--onnxruntime-tarball FILE --onnxruntime-sha256 HEX] [--opencvsharp-lib FILE --opencvsharp-sha256 HEX]
#       [--build-opencvsharp TAG [--opencv-dir DIR]] [--dry-run]
# Steps, each skipped when already done: install the agent package; install an ONNX Runtime built with the TensorRT
# provider (a tarball from the fleet's storage, hash-checked) and OpenCvSharpExtern (prebuilt and hash-checked, or
# built here against JetPack's OpenCV, or --opencv-dir for one built with contrib and GStreamer); create the device key (EC P-256, never leaves the device) and its
# certificate request for the fleet CA; install the fleet's update-signing public key; validate the ward's
# configuration with the agent itself and install it (--answers: 'edge-agent provision' makes it from a ward.env answers
# file, checks it and installs it); enable and start the service.
# ROOT (environment) prefixes every target path: the tests run this into a temporary directory.
set -euo pipefail
# shellcheck source=scripts/flash/lib.sh
. "$(dirname "$0")/lib.sh"

device=""; config=""; answers=""; fleet_key=""; deb=""; ort=""; ort_sha=""; cvlib=""; cv_sha=""; cv_tag=""
opencv_dir="/usr/lib/aarch64-linux-gnu/cmake/opencv4"   # JetPack's OpenCV
while [ $# -gt 0 ]; do
  case "$1" in
    --device-id) device="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --answers) answers="$2"; shift 2 ;;
    --fleet-key) fleet_key="$2"; shift 2 ;;
    --deb) deb="$2"; shift 2 ;;
    --onnxruntime-tarball) ort="$2"; shift 2 ;;
    --onnxruntime-sha256) ort_sha="$2"; shift 2 ;;
    --opencvsharp-lib) cvlib="$2"; shift 2 ;;
    --opencvsharp-sha256) cv_sha="$2"; shift 2 ;;
    --build-opencvsharp) cv_tag="$2"; shift 2 ;;
    --opencv-dir) opencv_dir="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown option $1" 2 ;;
  esac
done
require --device-id "$device"; require "--config or --answers" "$config$answers"; require --fleet-key "$fleet_key"
[ -z "$config" ] || [ -z "$answers" ] || die "--config and --answers are alternatives: give one" 2
[[ "$device" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || die "--device-id: 1-64 letters, digits, '.', '_' or '-', got '$device'" 2
[ -z "$ort" ] || [ -n "$ort_sha" ] || die "--onnxruntime-tarball needs --onnxruntime-sha256" 2
[ -z "$cvlib" ] || [ -n "$cv_sha" ] || die "--opencvsharp-lib needs --opencvsharp-sha256" 2
for f in ${config:+"$config"} ${answers:+"$answers"} "$fleet_key" ${deb:+"$deb"} ${ort:+"$ort"} ${cvlib:+"$cvlib"}; do [ -r "$f" ] || die "cannot read $f" 2; done

lib="$ROOT/usr/lib/edge-agent"
etc="$ROOT/etc/edge-agent"
agent="${EDGE_AGENT_BIN:-$lib/edge-agent}"

verify_sha() { [ "$(sha256_of "$1")" = "$2" ] || die "$1: sha256 $(sha256_of "$1"), expected $2: refused" 3; }

# 1. The agent package (self-contained .NET; creates the edge-agent user and the unit).
if [ -n "$deb" ]; then
  want="$(dpkg-deb -f "$deb" Version)"
  have="$(dpkg-query -W -f '${Version}' edge-agent 2>/dev/null || true)"
  if [ "$want" = "$have" ]; then log "already installed: edge-agent $have"; else run apt-get install -y "$deb"; fi
fi

# 2. ONNX Runtime with the TensorRT provider, beside the agent (ORT loads its providers from its own directory).
if [ -n "$ort" ]; then
  verify_sha "$ort" "$ort_sha"
  if [ "$(cat "$lib/.onnxruntime.sha256" 2>/dev/null)" = "$ort_sha" ]; then log "already installed: ONNX Runtime $ort_sha"; else
    unpack="$(mktemp -d)"
    run tar -xzf "$ort" -C "$unpack"
    run find "$unpack" -name 'libonnxruntime*.so*' -exec cp -a {} "$lib/" ';'
    run rm -rf "$unpack"
    printf '%s\n' "$ort_sha" | write_file "$lib/.onnxruntime.sha256" 0644
  fi
fi

# 3. OpenCvSharpExtern for arm64 (no usable NuGet build on JetPack's Ubuntu 22.04).
if [ -n "$cvlib" ]; then
  verify_sha "$cvlib" "$cv_sha"
  if [ -f "$lib/libOpenCvSharpExtern.so" ] && [ "$(sha256_of "$lib/libOpenCvSharpExtern.so")" = "$cv_sha" ]; then log "already installed: OpenCvSharpExtern"; else
    run install -m 0755 "$cvlib" "$lib/libOpenCvSharpExtern.so"
  fi
elif [ -n "$cv_tag" ]; then
  if [ -f "$lib/libOpenCvSharpExtern.so" ]; then log "already installed: OpenCvSharpExtern"; else
    build="$ROOT/var/cache/edge-agent/opencvsharp"
    run apt-get install -y build-essential cmake git pkg-config
    run git clone -b "$cv_tag" --depth 1 https://github.com/shimat/opencvsharp "$build"
    run cmake -S "$build/src" -B "$build/src/build" -DCMAKE_BUILD_TYPE=Release "-DOpenCV_DIR=$opencv_dir"
    run cmake --build "$build/src/build" -j2
    run install -m 0755 "$build/src/build/OpenCvSharpExtern/libOpenCvSharpExtern.so" "$lib/libOpenCvSharpExtern.so"
  fi
fi

# 4. The device's key and certificate request (the fleet CA signs it; the key never leaves the device).
if [ -f "$etc/device.key" ]; then log "already present: device key"; else
  run mkdir -p "$etc"
  run openssl ecparam -name prime256v1 -genkey -noout -out "$etc/device.key"
  run chmod 0600 "$etc/device.key"
fi
if [ -f "$etc/device.csr" ]; then log "already present: certificate request"; else
  run openssl req -new -key "$etc/device.key" -subj "/CN=$device/O=EdgeTracking" -out "$etc/device.csr"
fi

# 5. The fleet's update-signing public key.
write_file "$etc/fleet-signing.pub" 0644 < "$fleet_key"

# 6. The ward's configuration: the agent validates it exactly as it will at start, before it is installed.
if [ -n "$answers" ]; then
  run "$agent" provision --answers "$answers" --out "$etc/appsettings.json" --no-start \
    || die "$answers: refused by the agent's provisioning (see above); nothing installed" 3
else
  if [ "$DRY_RUN" = 1 ]; then printf '+ %s check --config %s\n' "$agent" "$config"; else
    "$agent" check --config "$config" || die "$config: refused by the agent's validation (see above); nothing installed" 3
  fi
  write_file "$etc/appsettings.json" 0640 < "$config"
fi
if [ -z "$ROOT" ] && getent group edge-agent >/dev/null; then
  run chown root:edge-agent "$etc/appsettings.json" "$etc/fleet-signing.pub"
  run chown edge-agent:edge-agent "$etc/device.key"
fi

# 7. Run it.
if [ -z "$ROOT" ]; then
  run systemctl enable edge-agent.service
  run systemctl restart edge-agent.service
fi
log "provisioned $device: send $etc/device.csr to the fleet CA"
