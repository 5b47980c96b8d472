#!/usr/bin/env bash
# Installs dbgsim's build and test dependencies from Debian 12's packages.
# Idempotent: installs only what is missing. Works as root; uses sudo otherwise.
set -euo pipefail

packages=(
  cmake ninja-build g++ make pkg-config
  libcaf-dev librapidcheck-dev libgtest-dev libgmock-dev libyaml-cpp-dev libcli11-dev
  nlohmann-json3-dev libfmt-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  libasio-dev           # live mode: real TCP sockets and a real clock (live/)
  python3               # tests/live: a client written from docs/protocol.md alone
  chromium              # tests/report: the HTML report loaded in a real browser
  librsvg2-bin          # rsvg-convert: charts rendered to PNG to be looked at
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
echo "deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
