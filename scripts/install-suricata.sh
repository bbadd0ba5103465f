#!/usr/bin/env bash
# Installs Suricata 7 (net label runs it; its tests compare with it). On
# Debian bookworm it comes from bookworm-backports (bookworm itself has 6.0);
# elsewhere the distribution's package is used.
set -euo pipefail
command -v suricata >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
target=()
if grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
			$SUDO tee /etc/apt/sources.list.d/backports.sources >/dev/null
	fi
	target=(-t bookworm-backports)
fi
echo "installing: suricata"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${target[@]}" suricata >/dev/null
suricata -V
