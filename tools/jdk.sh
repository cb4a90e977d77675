# Sourced by ./qpart, tools/run-tests.sh and .ci/run: sets QPART_JAVA_HOME to a JDK >= 21.
# Order: $JAVA_HOME, then the JDKs installed under /usr/lib/jvm (newest first), then java on PATH.

qpart_java_major() {
  # prints the major version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

qpart_find_jdk() {
  local candidates=() seen=""
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if [ -d /usr/lib/jvm ]; then
    while IFS= read -r d; do candidates+=("$d"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV)
  fi
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local home major
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(qpart_java_major "$home/bin/java")
    seen="$seen $home(${major:-?})"
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      QPART_JAVA_HOME="$home"
      QPART_JAVA_MAJOR="$major"
      export QPART_JAVA_HOME QPART_JAVA_MAJOR
      return 0
    fi
  done
  echo "qpart: needs a JDK 21 or newer; set JAVA_HOME to one (found:${seen:- none})" >&2
  return 1
}

qpart_maven_opts() {
  # Maven 3.8's bundled libraries use sun.misc.Unsafe; JDK 24+ warns about it on every run.
  if [ "${QPART_JAVA_MAJOR:-0}" -ge 24 ]; then
    echo "--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"
  else
    echo "${MAVEN_OPTS:-}"
  fi
}
