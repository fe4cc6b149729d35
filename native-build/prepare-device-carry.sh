#!/usr/bin/env bash
# Prepares device-carry/ (ignored by git) for native-build/gpu-check.sh on a GPU machine that has no
# Java: a jlinked JDK 25 runtime, the CLI jar, the compiled tests and the JUnit console launcher.
# About 61 MiB in all (the runtime has only what the CLI and the JUnit console need), under the device tool's 64 MiB carry limit. Run it here, then on the device:
#     carry: ["device-carry"]   command: bash native-build/gpu-check.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/device-carry
junit_console=org.junit.platform:junit-platform-console-standalone:1.14.4

jdk=${JAVA_HOME:-}
if [[ -z $jdk || ! -x $jdk/bin/jlink ]] || ! "$jdk/bin/java" -version 2>&1 | grep -q '"2[5-9]'; then
  jdk=$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -1)
fi
[[ -n $jdk && -x $jdk/bin/jlink ]] || { echo "prepare-device-carry: needs a JDK 25 with jlink (set JAVA_HOME)" >&2; exit 1; }

cd "$root"
JAVA_HOME=$jdk mvn -B -q -DskipTests -Dvavl.buildDir="$root/target" package test-compile
rm -rf "$out"
mkdir -p "$out"
"$jdk/bin/jlink" --add-modules java.base,java.logging,jdk.incubator.vector,jdk.unsupported \
  --compress=zip-9 --strip-debug --no-header-files --no-man-pages --output "$out/jdk"
cp target/vavl4j-cli.jar "$out/"
cp -r target/test-classes "$out/test-classes"
JAVA_HOME=$jdk mvn -B -q dependency:copy -Dartifact=$junit_console -DoutputDirectory="$out" -Dmdep.stripVersion=true
du -sh "$out"
