#!/usr/bin/env bash
# Runs every test of every module (the README's test command).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/tools/jdk.sh"
qpart_find_jdk || exit 1
if ! command -v mvn >/dev/null 2>&1; then
  echo "run-tests: Apache Maven (mvn) is needed" >&2
  exit 1
fi
cd "$ROOT"
JAVA_HOME="$QPART_JAVA_HOME" MAVEN_OPTS="$(qpart_maven_opts)" exec mvn -B -ntp verify "$@"
