# shellcheck shell=bash
# Shared by scripts/demo.sh and scripts/test.sh: installs missing Debian packages and locates the sample
# video and its ground truth (../shared/data, else Debian's opencv-doc package).

# apt_install PKG... — installs the packages that are not installed yet (root, or sudo when available).
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "${APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# PETS09-S2L1 view 001 as shipped by opencv-doc 4.6.0+dfsg-12 (the same file as ../shared/data/pets09-s2l1/vtest.avi).
VTEST_SHA256=45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf

# find_sample_video ASSET_DIR — prints the path of vtest.avi, fetching it from Debian's opencv-doc if needed.
find_sample_video() {
  local assets=$1 shared="../shared/data/pets09-s2l1/vtest.avi" debian="/usr/share/doc/opencv-doc/examples/data/vtest.avi"
  if [ -f "$shared" ]; then echo "$shared"; return 0; fi
  if [ -f "$assets/vtest.avi" ]; then echo "$assets/vtest.avi"; return 0; fi
  mkdir -p "$assets"
  if [ ! -f "$debian" ]; then
    echo "fetching the sample video from Debian's opencv-doc package" >&2
    local tmp
    tmp=$(mktemp -d)
    [ -z "${APT_UPDATED:-}" ] && { apt-get update -qq >&2; APT_UPDATED=1; }
    (cd "$tmp" && apt-get download opencv-doc >&2 && dpkg -x opencv-doc_*.deb x)
    cp "$tmp/x$debian" "$assets/vtest.avi"
    rm -rf "$tmp"
  else
    cp "$debian" "$assets/vtest.avi"
  fi
  if ! echo "$VTEST_SHA256  $assets/vtest.avi" | sha256sum -c --quiet - >&2; then
    echo "the sample video does not have the expected sha256 $VTEST_SHA256" >&2
    rm -f "$assets/vtest.avi"
    return 1
  fi
  echo "$assets/vtest.avi"
}

# find_ground_truth — prints the MOTChallenge ground truth path, or nothing when it is not at hand.
find_ground_truth() {
  local shared="../shared/data/pets09-s2l1/gt.txt"
  [ -f "$shared" ] && echo "$shared"
  return 0
}
