#!/usr/bin/env bash
# Installs the server binaries the platform runs (PostgreSQL, RabbitMQ) and the browser the dashboard's
# browser test drives (Debian's chromium) when they are missing.
# The AppHost and the test fixtures do the same on demand; CI calls this first so the install
# shows up as its own step. Debian would start a freshly installed server as a system service:
# a temporary policy-rc.d prevents that, since the platform runs its own instances.
set -euo pipefail

missing=()
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && { echo "prerequisites: PostgreSQL, RabbitMQ and chromium are installed."; exit 0; }

if [ "$(id -u)" -ne 0 ]; then
  echo "prerequisites: missing ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "prerequisites: installing ${missing[*]} with apt-get..."
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && own_policy=1
fi
trap '[ $own_policy -eq 1 ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -q
apt-get -o DPkg::Lock::Timeout=300 install -y -q "${missing[@]}"
echo "prerequisites: installed ${missing[*]}."
