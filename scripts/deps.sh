#!/bin/sh
# Installs the Debian packages wangge builds, runs and tests with, when any is missing.
set -e
PKGS="build-essential clang pkg-config make python3 libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev
libsodium-dev libgoogle-perftools-dev libicu-dev libxlsxwriter-dev libqrencode-dev libcmocka-dev libpq-dev cppcheck clang-tidy postgresql faketime
nodejs npm chromium fonts-wqy-microhei"
missing=""
# node and npm may come from elsewhere than Debian (a newer Node.js): then keep those
command -v node >/dev/null 2>&1 && PKGS=$(echo "$PKGS" | sed 's/nodejs//')
command -v npm >/dev/null 2>&1 && PKGS=$(echo "$PKGS" | sed 's/npm//')
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
