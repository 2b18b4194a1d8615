#!/usr/bin/env bash
# Builds the injector's mount helper into libs/traps/build/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
cc -O2 -Wall -Wextra -Werror -o build/beesting-mount native/mount-helper.c
