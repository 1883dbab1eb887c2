#!/usr/bin/env bash
# Installs librdkafka's mock cluster (Debian librdkafka-dev) and builds test/wire/mock-cluster, the helper the
# kafkajs wire tests drive. Idempotent: apt only runs when the mock header is missing; the binary is rebuilt only
# when its source is newer.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f /usr/include/librdkafka/rdkafka_mock.h ] || ! command -v gcc >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq librdkafka-dev gcc >/dev/null
fi

src=test/wire/mock-cluster.c
bin=test/wire/mock-cluster
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
  gcc -O2 -Wall -Wextra -o "$bin" "$src" -lrdkafka
fi
echo "wire deps ready: $bin"
