#!/usr/bin/env bash
# Writes the launch-signature table of the kernels in cuda/*.cu, which CudaDevice.launch checks every
# launch's arguments against (count, and pointer / int / 64-bit int / float per position):
#
#   native-build/kernel-signatures.sh [OUT]
#
# OUT defaults to the copy committed in the repository,
# java/vavl4j-core/resources/dev/vavl4j/backend/cuda/vavl_kernels.signatures. Lines, tab-separated:
#   sources-sha256 HASH               the hash of cuda/*.cu and *.cuh, computed as build-fatbin.sh does
#   define NAME VALUE                 every `#define VAVL_<NAME> <integer>` (block shapes the Java side reads)
#   kernel NAME [CTYPE NAME]...       every `VAVL_KERNEL void <name>(` with its parameters in order
# Kernels are found by their declaration line, as native-build/emu/build-emu.sh finds them; the parameter
# list may continue over several lines. A parameter type other than a pointer, int, unsigned, float,
# long long, unsigned long long or u64 is an error (exit 1): CudaDevice could not pass it.
# KernelSignaturesTest fails when the committed table is not what this script writes for today's sources.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/java/vavl4j-core/resources/dev/vavl4j/backend/cuda/vavl_kernels.signatures}

sources=("$root"/cuda/*.cu "$root"/cuda/*.cuh)
hash=$(cd "$root" && cat $(printf "%s\n" "${sources[@]}" | LC_ALL=C sort) | sha256sum | cut -c1-64)
kernel_files=$(printf "%s\n" "$root"/cuda/*.cu "$root"/cuda/*.cuh | LC_ALL=C sort)

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086
if ! LC_ALL=C awk -v OFS='\t' '
  function fail(msg) { printf "kernel-signatures: %s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"; bad = 1; exit 1 }
  function trim(s) { gsub(/^[[:space:]]+|[[:space:]]+$/, "", s); return s }
  function emit(decl,    name, params, n, i, p, pname, ptype, line) {
    name = decl
    sub(/^[[:space:]]*VAVL_KERNEL[[:space:]]+void[[:space:]]+/, "", name)
    sub(/[[:space:]]*\(.*/, "", name)
    params = decl
    sub(/^[^(]*\(/, "", params)
    sub(/\).*/, "", params)
    if (name in seen) fail("kernel " name " is declared twice")
    seen[name] = 1
    line = "kernel" OFS name
    params = trim(params)
    if (params != "" && params != "void") {
      n = split(params, ps, ",")
      for (i = 1; i <= n; i++) {
        p = trim(ps[i])
        gsub(/[[:space:]]+/, " ", p)
        gsub(/__restrict__/, "", p)
        gsub(/ *\* */, "* ", p)
        p = trim(p)
        if (!match(p, /[A-Za-z_][A-Za-z0-9_]*$/)) fail("parameter " i " of " name " has no name: " ps[i])
        pname = substr(p, RSTART)
        ptype = trim(substr(p, 1, RSTART - 1))
        gsub(/ +/, " ", ptype)
        if (ptype !~ /\*$/ && ptype !~ /^(const )?(int|unsigned|unsigned int|float|long long|unsigned long long|u64)$/)
          fail("parameter " i " of " name " has type \"" ptype "\", which CudaDevice.launch cannot pass")
        line = line OFS ptype OFS pname
      }
    }
    kernels[name] = line
  }
  /^[[:space:]]*#define[[:space:]]+VAVL_[A-Z0-9_]+[[:space:]]+[0-9]+([[:space:]]|$)/ {
    if ($2 in defines) fail("#define " $2 " appears twice")
    defines[$2] = $3
  }
  collecting { decl = decl " " $0; if (index($0, ")")) { emit(decl); collecting = 0 }; next }
  /^[[:space:]]*VAVL_KERNEL/ {
    if ($0 !~ /^[[:space:]]*VAVL_KERNEL[[:space:]]+void[[:space:]]+[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(/)
      fail("write kernels as VAVL_KERNEL void <name>( on one line: " $0)
    decl = $0
    if (index($0, ")")) emit(decl); else collecting = 1
  }
  END {
    if (bad) exit 1
    if (collecting) { printf "kernel-signatures: unterminated parameter list: %s\n", decl > "/dev/stderr"; exit 1 }
    for (d in defines) print "define", d, defines[d]
    for (k in kernels) print kernels[k]
  }
' $kernel_files >"$tmp"; then
  exit 1
fi
{
  echo "# The launch signatures of the kernels in cuda/: written by native-build/kernel-signatures.sh, do not edit."
  printf 'sources-sha256\t%s\n' "$hash"
  grep '^define' "$tmp" | LC_ALL=C sort || true
  grep '^kernel' "$tmp" | LC_ALL=C sort || true
} >"$tmp.sorted"
mv -f "$tmp.sorted" "$tmp"
mkdir -p "$(dirname "$out")"
cp "$tmp" "$out.tmp.$$"
chmod 644 "$out.tmp.$$"
mv -f "$out.tmp.$$" "$out"
