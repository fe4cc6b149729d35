#!/usr/bin/env bash
# The whole GPU check in one call, on a GPU machine without Java (see prepare-device-carry.sh):
#   1. the CUDA test suite (tests/vavl4j-core/dev/vavl4j/backend/cuda) on the real GPU: every op against the CPU
#      reference, allocation counting, the shipped and extra parity fixtures, paper-size model parity;
#   2. ./vavl parity --device cuda on the fixtures shipped in the jar;
#   3. timing of the paper-config training step and inference (B 32, Ta 150, Tv 90), float32 and TF32.
# Prints a short table at the end. Exit status: non-zero when any check failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
carry=${VAVL_CARRY:-$root/device-carry}
[[ -f $carry/jdk.tar.xz ]] || { echo "gpu-check: $carry/jdk.tar.xz missing: run native-build/prepare-device-carry.sh and carry device-carry/" >&2; exit 2; }
# The runtime travels packed (see prepare-device-carry.sh); unpack it with tar, or Python where tar has no xz.
jdk_dir=$(mktemp -d /tmp/vavl-jdk.XXXXXX)
tar -C "$jdk_dir" -xJf "$carry/jdk.tar.xz" 2>/dev/null ||
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$carry/jdk.tar.xz" "$jdk_dir" ||
  { echo "gpu-check: cannot unpack $carry/jdk.tar.xz (neither tar -J nor python3 worked)" >&2; exit 2; }
java=$jdk_dir/jdk/bin/java
[[ -x $java ]] || { echo "gpu-check: $java missing after unpacking $carry/jdk.tar.xz" >&2; exit 2; }
jopts=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx24g)
cli=("$java" "${jopts[@]}" -jar "$carry/vavl4j-cli.jar")
log=${OUT:-/tmp}/gpu-check
mkdir -p "$log"
# For a dry run of this script without a GPU (VAVL_LIBCUDA/VAVL_LIBCUBLAS pointing at the emulator):
# GPU_CHECK_TESTS narrows the JUnit selection, GPU_CHECK_BENCH replaces the paper-size bench arguments.
read -r -a tests <<< "${GPU_CHECK_TESTS:---select-package dev.vavl4j.backend.cuda --exclude-classname .*EmulatorSelfTest}"
read -r -a bench <<< "${GPU_CHECK_BENCH:---batch 32 --audio-frames 150 --visual-frames 90 --iters 10}"

echo "== machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -2
"$java" -version 2>&1 | head -1

echo "== 1. CUDA tests on the GPU"
"$java" "${jopts[@]}" -Dvavl.cuda.real=true -jar "$carry/junit-platform-console-standalone.jar" execute \
  --class-path "$carry/vavl4j-cli.jar:$carry/test-classes:$root/tests/vavl4j-core/resources" "${tests[@]}" \
  --details=tree --disable-banner > "$log/junit.txt" 2>&1
tests_rc=$?
grep -E "tests (successful|failed|aborted|skipped)|✘|MethodSource" "$log/junit.txt" | grep -v "✔" | head -60

echo "== 2. parity fixtures (shipped), --device cuda"
"${cli[@]}" parity --device cuda 2>&1 | tee "$log/parity.txt" | tail -15
parity_rc=${PIPESTATUS[0]}

echo "== 3. paper-config timing: ${bench[*]}"
"${cli[@]}" bench --device cuda "${bench[@]}" --json 2>&1 | tee "$log/bench-fp32.json"
bench_rc=${PIPESTATUS[0]}
"${cli[@]}" bench --device cuda --tf32 "${bench[@]}" --json 2>&1 | tee "$log/bench-tf32.json"

echo "== summary"
printf '%-34s %s\n' "CUDA tests on the GPU" "$( ((tests_rc == 0)) && echo PASS || echo "FAIL (rc $tests_rc, see $log/junit.txt)")"
printf '%-34s %s\n' "parity --device cuda (fixtures)" "$( ((parity_rc == 0)) && echo PASS || echo "FAIL (rc $parity_rc)")"
for f in "$log"/bench-*.json; do
  grep '^{' "$f" | sed -E 's/.*"what":"([a-z_]+)".*"median_ms":([0-9.]+).*"utt_per_s":([0-9.]+).*"tf32":(true|false).*"peak_mem_mb":([0-9.]+).*/\1 tf32=\4: \2 ms, \3 utt\/s, peak \5 MiB/' \
    | while read -r line; do printf '%-34s %s\n' "timing" "$line"; done
done
((tests_rc == 0 && parity_rc == 0 && bench_rc == 0))
