#!/usr/bin/env bash
# Compiles the kernels of cuda/ into the one fatbin the CUDA backend loads with cuModuleLoadData:
# SASS for sm_80, sm_86, sm_89 and sm_90 plus PTX for compute_90 (so newer GPUs JIT it).
#
#   native-build/build-fatbin.sh [--if-nvcc] [OUT]
#
# OUT defaults to the copy committed in the repository (java/vavl4j-core/resources/.../vavl_kernels.fatbin), which
# is what a build on a machine without nvcc embeds. Next to OUT it writes OUT.sources.sha256, the hash
# of the kernel sources it was built from, so a test can tell when the committed fatbin is stale.
# Writing the committed copy also rewrites the committed launch-signature table (kernel-signatures.sh).
# With --if-nvcc a machine without nvcc is not an error: the committed fatbin is used as it is.
# Skips the compile when OUT is newer than every source. Kernel warnings are errors.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if_nvcc=false
if [[ ${1:-} == --if-nvcc ]]; then if_nvcc=true; shift; fi
out=${1:-$root/java/vavl4j-core/resources/dev/vavl4j/backend/cuda/vavl_kernels.fatbin}
# The committed fatbin and the committed launch-signature table are rewritten together (see kernel-signatures.sh).
if [[ -z ${1:-} ]]; then bash "$root/native-build/kernel-signatures.sh"; fi

nvcc=${NVCC:-$(command -v nvcc || true)}
[[ -z $nvcc && -x /usr/local/cuda/bin/nvcc ]] && nvcc=/usr/local/cuda/bin/nvcc
[[ -z $nvcc && -x /usr/local/bin/nvcc ]] && nvcc=/usr/local/bin/nvcc
if [[ -z $nvcc ]]; then
  if $if_nvcc; then
    echo "build-fatbin: no nvcc on this machine; the jar embeds the committed fatbin" >&2
    exit 0
  fi
  echo "build-fatbin: nvcc not found (set NVCC=/path/to/nvcc)" >&2
  exit 1
fi

sources=("$root"/cuda/*.cu "$root"/cuda/*.cuh)
hash=$(cd "$root" && cat $(printf "%s\n" "${sources[@]}" | LC_ALL=C sort) | sha256sum | cut -c1-64)
if [[ -f $out && -f $out.sources.sha256 && $(cat "$out.sources.sha256") == "$hash" ]]; then
  exit 0 # up to date
fi

mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
"$nvcc" -fatbin -std=c++17 -O3 -Werror all-warnings \
  -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_86,code=sm_86 \
  -gencode arch=compute_89,code=sm_89 \
  -gencode arch=compute_90,code='[sm_90,compute_90]' \
  -o "$tmp" "$root/cuda/vavl_kernels.cu"
chmod 644 "$tmp"
mv -f "$tmp" "$out"
echo "$hash" > "$out.sources.sha256"
