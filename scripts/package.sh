#!/usr/bin/env bash
# Builds the appliance's Debian package(s):
#   scripts/package.sh [--arch x64|arm64|all] [--version V] [--out DIR] [--dry-run]
# Publishes EdgeAgent self-contained for linux-<arch> into /usr/lib/edge-agent, adds the systemd unit, the bundled
# configuration as a conffile in /etc/edge-agent, and maintainer scripts that create the edge-agent system user
# (groups video, dialout) and enable the service. Each .deb is checked with lintian (no errors allowed).
# arm64 (Jetson): OpenCvSharpExtern is not in the package — the flash scripts build it against JetPack's OpenCV.
set -euo pipefail
arch=all; version=""; out=""; dry=0
maintainer="${DEB_MAINTAINER:-EdgeTracking developers <maintainers@edgetracking.example>}"
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${out:-$root/out/package}"
# One version for everything: VERSION at the root (the assembly and agentVersion read it too), plus build metadata.
base=$(tr -d '[:space:]' < "$root/VERSION")
version="${version:-$base+$(date -u +%Y%m%d).$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo local)}"
case "$arch" in all) arches="x64 arm64" ;; x64|arm64) arches="$arch" ;; *) echo "package.sh: --arch must be x64, arm64 or all" >&2; exit 2 ;; esac

run() { if [ "$dry" = 1 ]; then echo "+ $*"; else "$@"; fi; }

for a in $arches; do
  debarch=$([ "$a" = x64 ] && echo amd64 || echo arm64)
  stage="$out/stage-$a"
  deb="$out/edge-agent_${version}_${debarch}.deb"
  echo "package.sh: $deb"
  run rm -rf "$stage"
  run mkdir -p "$stage/DEBIAN" "$stage/usr/lib/edge-agent/models" "$stage/lib/systemd/system" "$stage/etc/edge-agent" \
      "$stage/usr/share/doc/edge-agent/examples" "$stage/usr/bin"
  run dotnet publish "$root/EdgeAgent/EdgeAgent.csproj" -c Release -r "linux-$a" --self-contained true -p:PublishSingleFile=false \
      -p:DebugType=None -p:GenerateDocumentationFile=false -p:InformationalVersion="$version" -o "$stage/usr/lib/edge-agent" -v quiet -nologo
  run install -m 0644 "$root/systemd/edge-agent.service" "$stage/lib/systemd/system/edge-agent.service"
  run install -m 0755 "$root/systemd/edge-agent-launch" "$stage/usr/lib/edge-agent/edge-agent-launch"
  run ln -sf /usr/lib/edge-agent/edge-agent "$stage/usr/bin/edge-agent"
  # No active configuration: the service waits for 'edge-agent provision' (ExecCondition). The bundled sample and an
  # answers file to copy go to the examples.
  run install -m 0644 "$root/EdgeAgent/appsettings.json" "$stage/usr/share/doc/edge-agent/examples/appsettings.sample.json"
  run install -m 0644 "$root/docs/ward.env.example" "$stage/usr/share/doc/edge-agent/examples/ward.env"
  run rm -f "$stage/usr/lib/edge-agent/appsettings.json"
  # The default models (detector and re-identification) with their manifest, in the package: a ward cannot run
  # without them and the appliance may have no route to a model store. Each is verified against the manifest here.
  models_src="${EDGE_MODELS_FROM:-$root/models}"
  default_models=(yolox-nano-person-humanart osnet-x0_25-msmt17)   # Detection:Model and Reid:Model of the defaults
  # The packaged manifest lists exactly the packaged models, so 'edge-agent models verify' on the device is all green.
  python3 - "$root/models/manifest.json" "$stage/usr/lib/edge-agent/models/manifest.json" "${default_models[@]}" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
manifest["models"] = [m for m in manifest["models"] if m["name"] in sys.argv[3:]]
json.dump(manifest, open(sys.argv[2], "w"), indent=2)
PY
  while read -r file sha; do
    [ -s "$models_src/$file" ] || { echo "package.sh: model file $file not in $models_src: run 'edge-agent models pull' first" >&2; exit 1; }
    echo "$sha  $models_src/$file" | sha256sum -c --quiet - || { echo "package.sh: $models_src/$file does not match the manifest's sha256 $sha" >&2; exit 1; }
    run install -m 0644 "$models_src/$file" "$stage/usr/lib/edge-agent/models/$file"
  done < <(python3 -c 'import json,sys; [print(m["file"], m["sha256"]) for m in json.load(open(sys.argv[1]))["models"]]' "$stage/usr/lib/edge-agent/models/manifest.json")
  # The documentation the unit and the usage point at.
  run install -m 0644 "$root/README.md" "$stage/usr/share/doc/edge-agent/README.md"
  for doc in install configuration architecture SECURITY privacy fleet web reliability-tests BENCHMARKS; do
    run install -m 0644 "$root/docs/$doc.md" "$stage/usr/share/doc/edge-agent/$doc.md"
  done
  [ "$dry" = 1 ] && continue
  installed_kb=$(du -sk "$stage" | cut -f1)
  cat > "$stage/DEBIAN/control" <<CONTROL
Package: edge-agent
Version: $version
Architecture: $debarch
Maintainer: $maintainer
Installed-Size: $installed_kb
Depends: adduser, libc6, libgcc-s1, libstdc++6, zlib1g, libssl3 | libssl3t64, ca-certificates
Recommends: libgtk-3-0
Section: misc
Priority: optional
Description: ward camera agent producing anonymised staff location events
 EdgeAgent captures a hospital ward's cameras, detects and tracks people on
 the device and turns tracks into anonymised zone events, buffered durably
 and delivered over MQTT to the building management system and Azure.
CONTROL
  cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd edge-agent >/dev/null; then
    adduser --system --group --no-create-home --home /var/lib/edge-agent edge-agent
  fi
  for g in video dialout; do
    if getent group "$g" >/dev/null; then adduser edge-agent "$g" >/dev/null; fi
  done
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null || true
  # An upgrade of a provisioned ward restarts it on the new release; a fresh install waits for provisioning.
  if [ "$1" = configure ] && [ -s /etc/edge-agent/appsettings.json ]; then
    systemctl try-restart edge-agent.service || true
  fi
fi
if [ "$1" = configure ] && [ ! -s /etc/edge-agent/appsettings.json ]; then
  echo "edge-agent installed. Provision this ward: sudo edge-agent provision --answers ward.env"
  echo "  (an example: /usr/share/doc/edge-agent/examples/ward.env; the steps: /usr/share/doc/edge-agent/install.md)"
fi
exit 0
POSTINST
  cat > "$stage/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl stop edge-agent.service || true
fi
exit 0
PRERM
  cat > "$stage/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  if [ -d /run/systemd/system ]; then systemctl disable edge-agent.service >/dev/null || true; fi
  rm -rf /var/lib/edge-agent /var/cache/edge-agent /var/log/edge-agent
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null || true; fi
exit 0
POSTRM
  chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"
  cat > "$stage/usr/share/doc/edge-agent/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: EdgeTracking

Files: *
Copyright: EdgeTracking developers
License: MIT
 See the project's LICENSE; bundled runtime libraries (.NET, ONNX Runtime,
 OpenCvSharp, MQTTnet, LiteDB, Azure SDK) are under the MIT or Apache-2.0
 licences of their projects.
COPYRIGHT
  printf 'edge-agent (%s) unstable; urgency=medium\n\n  * Built by scripts/package.sh.\n\n -- %s  %s\n' \
    "$version" "$maintainer" "$(date -R)" | gzip -9n > "$stage/usr/share/doc/edge-agent/changelog.Debian.gz"
  # Permissions as Debian expects: directories and the apphost 0755, everything else (assemblies, .so) 0644.
  find "$stage" -type d -exec chmod 0755 {} +
  find "$stage/usr/lib/edge-agent" "$stage/etc" "$stage/lib" "$stage/usr/share" -type f -exec chmod 0644 {} +
  chmod 0755 "$stage/usr/lib/edge-agent/edge-agent" "$stage/usr/lib/edge-agent/edge-agent-launch"
  ln -sf /usr/lib/edge-agent/edge-agent "$stage/usr/bin/edge-agent"
  # Strip the native libraries (debug symbols of third-party natives are of no use on the appliance).
  stripper=$([ "$a" = x64 ] && echo strip || echo aarch64-linux-gnu-strip)
  if command -v "$stripper" >/dev/null; then
    find "$stage/usr/lib/edge-agent" -name '*.so*' -type f -exec "$stripper" --strip-unneeded {} +
  fi
  # Self-contained by design: the .NET runtime, ONNX Runtime and OpenCV (inside OpenCvSharpExtern) are vendored at the
  # versions this release was tested with, so lintian's embedded-library checks are overridden, with that reason.
  mkdir -p "$stage/usr/share/lintian/overrides"
  {
    echo "# Self-contained .NET application: runtime and native libraries are vendored at the tested versions."
    for lib in bzip2 curl libavutil libjpeg libswscale mbedtls openjpeg tiff zlib; do
      echo "edge-agent: embedded-library $lib *"
    done
    echo "# Assemblies and native libraries of a self-contained .NET application."
    echo "edge-agent: executable-not-elf-or-script *"
    [ "$a" = x64 ] || command -v "$stripper" >/dev/null || echo "edge-agent: unstripped-binary-or-object *"
  } > "$stage/usr/share/lintian/overrides/edge-agent"
  chmod 0644 "$stage/usr/share/lintian/overrides/edge-agent"
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
  if command -v lintian >/dev/null; then
    lintian --tag-display-limit 0 "$deb" > "$out/lintian-$a.txt" 2>&1 || true
    errors=$(grep -c '^E:' "$out/lintian-$a.txt" || true)
    echo "package.sh: lintian: $errors error(s), $(grep -c '^W:' "$out/lintian-$a.txt" || true) warning(s) ($out/lintian-$a.txt)"
    [ "$errors" -eq 0 ] || { grep '^E:' "$out/lintian-$a.txt" | sort | uniq -c | head -20; exit 1; }
  else
    echo "package.sh: lintian not installed: the package is not checked" >&2
  fi
done
