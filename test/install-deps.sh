#!/bin/sh
# install-deps.sh - install (idempotently) what building and testing multicap needs
#
# Usage: test/install-deps.sh [extra-package ...]
# Installs only packages that are missing; runs apt-get update at most once.
set -e

PKGS="build-essential kmod cpio sparse busybox-static qemu-system-x86 udev procps pciutils
linux-image-amd64 linux-headers-amd64
v4l-utils libv4l-dev
gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
pkg-config libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libdrm-dev
python3 python3-opencv python3-numpy python3-matplotlib rt-tests
liburing-dev ffmpeg fio iproute2 e2fsprogs
pipewire pipewire-bin wireplumber gstreamer1.0-pipewire dbus $*"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
