#!/usr/bin/env bash
# Installs the Debian packages Kijabi's tests use, when missing (idempotent; needs root to install).
# kubectl is expected at /usr/bin/kubectl, as on the project's machines.
set -euo pipefail
packages=(crun runc conmon busybox-static nftables iproute2 procps skopeo umoci docker-registry apache2-utils etcd-server etcd-client conntrack jq attr perl libjson-xs-perl)
missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "kijabi tests need these Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
