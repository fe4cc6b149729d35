#!/usr/bin/env bash
# The embedding check of README.md, as a new user would do it, from this clone:
#   1. mvn install the vavl4j modules with their sources and javadoc jars (to ~/.m2; tests skipped:
#      ./vavl test runs them), so a javadoc error fails here;
#   2. ./vavl demo, then ./vavl export the demo's model (f32) to a fresh folder;
#   3. a separate Maven project (tests/embedder/pom.xml, copied to a temp folder) that depends on
#      dev.vavl4j:vavl4j-core only gets the README's Java snippet as its source;
#   4. its dependency tree must hold none of the CLI's libraries (picocli, progressbar, JLine, JFreeChart);
#   5. it compiles, and runs with the JVM flags the README gives on the exported model, printing an answer;
#   6. and without --add-modules jdk.incubator.vector it fails with the one line that names the flag.
# Exit 0 when every step holds. Needs what ./vavl needs (JDK 25, Maven); ~2 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
me=embedder-check
work=$(mktemp -d /tmp/vavl-embedder.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"

jdk=$(./vavl test -v 2>/dev/null | sed -n 's/.*, runtime: //p' | head -1)
[[ -n $jdk && -x $jdk/bin/java ]] || { echo "$me: cannot find the JDK that ./vavl uses" >&2; exit 1; }
export JAVA_HOME=$jdk
mvn_q=(mvn -q -B --no-transfer-progress)
[[ ${MAVEN_OPTS:-} == *sun-misc-unsafe* ]] || export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"

echo "== $me: mvn install (with sources and javadoc jars; tests skipped)"
"${mvn_q[@]}" install -DskipTests
ls target/vavl4j-core/vavl4j-core-*-javadoc.jar target/vavl4j-core/vavl4j-core-*-sources.jar

echo "== $me: ./vavl demo, ./vavl export"
./vavl demo > "$work/demo.log" 2>&1 || { tail -20 "$work/demo.log"; exit 1; }
./vavl export --model vavl-demo/model --out "$work/model" > "$work/export.log" 2>&1 || { cat "$work/export.log"; exit 1; }

echo "== $me: the README's Java snippet in a separate project"
mkdir -p "$work/app/src/main/java"
cp tests/embedder/pom.xml "$work/app/"
awk '/^```java$/ {inside = 1; next} /^```$/ {if (inside) exit; next} inside {print}' README.md > "$work/app/src/main/java/Example.java"
grep -q 'class Example' "$work/app/src/main/java/Example.java" || { echo "$me: README.md's first java block is not class Example" >&2; exit 1; }
cd "$work/app"
mvn -B --no-transfer-progress dependency:tree > "$work/tree.txt"
if grep -Ei 'picocli|progressbar|jline|jfreechart' "$work/tree.txt"; then
  echo "$me: FAIL: the dependency tree of a vavl4j-core user holds CLI libraries (above)" >&2
  exit 1
fi
grep -E '^\[INFO\] [ +|\\]+- ' "$work/tree.txt" | sed 's/^\[INFO\] /  /'
"${mvn_q[@]}" compile dependency:build-classpath -Dmdep.outputFile="$work/cp.txt"
cp="target/classes:$(cat "$work/cp.txt")"

echo "== $me: run it (java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED ...)"
"$jdk/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" Example "$work/model" \
  2> "$work/run.err" | tee "$work/run.out"
grep -q ' head)$' "$work/run.out" || { echo "$me: FAIL: no answer printed"; cat "$work/run.err"; exit 1; }

echo "== $me: run it without --add-modules jdk.incubator.vector (must fail naming the flag)"
if "$jdk/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" Example "$work/model" > "$work/noflag.out" 2>&1; then
  echo "$me: FAIL: it ran without the flag"; exit 1
fi
grep -m1 'add-modules jdk.incubator.vector' "$work/noflag.out" || { echo "$me: FAIL: the error does not name the flag"; cat "$work/noflag.out"; exit 1; }
echo "== $me: PASS"
