#!/usr/bin/env bash
# Prepares device-carry/ (ignored by git) for native-build/gpu-check.sh on a GPU machine that has no
# Java: a jlinked JDK 25 runtime packed as jdk.tar.xz, the CLI jar, the compiled test classes and the
# JUnit console launcher. Run it here, then on the device:
#     carry: ["device-carry"]   command: bash native-build/gpu-check.sh
#
# Why packed: the device tool moves at most 64 MiB per call, the working tree and the carried folder
# together. The jlinked runtime is 44 MiB as files but about 20 MiB as xz, and the test resources
# (parity fixtures, 6 MiB) already travel with the tree (tests/vavl4j-core/resources), so only the .class files are
# copied. The script ends by adding the tree and the carry up and fails when they leave under 4 MiB spare.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/device-carry
junit_console=org.junit.platform:junit-platform-console-standalone:1.14.4
limit=$((64 * 1024 * 1024))
margin=$((4 * 1024 * 1024))

jdk=${JAVA_HOME:-}
if [[ -z $jdk || ! -x $jdk/bin/jlink ]] || ! "$jdk/bin/java" -version 2>&1 | grep -q '"2[5-9]'; then
  jdk=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)
fi
[[ -n $jdk && -x $jdk/bin/jlink ]] || { echo "prepare-device-carry: needs a JDK 25 with jlink (set JAVA_HOME)" >&2; exit 1; }
command -v xz >/dev/null || { echo "prepare-device-carry: needs xz (apt-get install xz-utils)" >&2; exit 1; }

cd "$root"
JAVA_HOME=$jdk mvn -B -q -DskipTests -Dvavl.buildRoot="$root/target" package test-compile
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$jdk/bin/jlink" --add-modules java.base,java.logging,jdk.incubator.vector,jdk.unsupported \
  --compress=zip-9 --strip-debug --no-header-files --no-man-pages --output "$work/jdk"
tar -C "$work" -cJf "$out/jdk.tar.xz" jdk
cp target/vavl4j-cli.jar "$out/"
(cd target/vavl4j-core/test-classes && find . -name '*.class' -print0 | tar --null -T - -cf -) | (mkdir -p "$out/test-classes" && tar -C "$out/test-classes" -xf -)
JAVA_HOME=$jdk mvn -B -q dependency:copy -Dartifact=$junit_console -DoutputDirectory="$out" -Dmdep.stripVersion=true

# What one device call moves: tracked and untracked-not-ignored files, plus the carried folder.
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{s += $1} END {print s + 0}')
carry=$(du -sb "$out" | cut -f1)
total=$((tree + carry))
awk -v t="$tree" -v c="$carry" 'BEGIN { m = 1048576; printf "prepare-device-carry: tree %.1f MiB + device-carry %.1f MiB = %.1f MiB (the device tool moves at most 64 MiB)\n", t / m, c / m, (t + c) / m }'
if ((total > limit - margin)); then
  echo "prepare-device-carry: too large for one device call (keep 4 MiB spare): shrink the tree or the carry" >&2
  exit 1
fi
