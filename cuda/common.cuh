// Shared by every kernel file: the kernel declaration macro, dynamic shared memory, the dropout hash
// (bit-identical to dev.vavl4j.backend.DropoutHash) and block reductions.
//
// Kernels compile twice: with nvcc into the fatbin, and with g++ against native-build/emu/cuda_emu.h
// into the CPU emulator the test suite runs them on when there is no GPU. So kernels use only what
// the emulator provides:
//   threadIdx/blockIdx/blockDim/gridDim (.x .y .z), __syncthreads(), __shfl_xor_sync, __shfl_down_sync,
//   atomicAdd (float, double), __shared__ arrays of fixed size, DYNAMIC_SHARED(T, name),
//   expf logf sqrtf rsqrtf fabsf fmaxf fminf __expf __logf __fdividef, min/max on int.
// Do not return from a kernel before a __syncthreads that other threads of its block reach.
#pragma once

#ifdef VAVL_EMU
#include "../native-build/emu/cuda_emu.h"
#define DYNAMIC_SHARED(T, name) T* name = reinterpret_cast<T*>(vavl_emu_dynamic_shared())
#else
#define DYNAMIC_SHARED(T, name) extern __shared__ __align__(16) unsigned char vavl_dyn_smem_##name[]; \
    T* name = reinterpret_cast<T*>(vavl_dyn_smem_##name)
#endif

#define VAVL_KERNEL extern "C" __global__

typedef unsigned long long u64;

// SplitMix64 finaliser, as DropoutHash.mix.
__device__ __forceinline__ u64 vavl_mix(u64 z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Uniform in [0, 1) with 24 bits from (seed, index), as DropoutHash.uniform.
__device__ __forceinline__ float vavl_uniform(u64 seed, u64 index) {
    u64 h = vavl_mix(seed + 0x9E3779B97F4A7C15ULL * (index + 1ULL));
    return (float)(h >> 40) * 5.9604644775390625e-8f;  // 2^-24
}

// Dropout of one element: kept values multiplied by keep = 1/(1-p) computed once in float, exactly as
// the CPU does (x * keep, not x / (1-p), which can differ in the last bit); p = 0 keeps everything.
__device__ __forceinline__ float vavl_dropout_one(float x, float p, float keep, u64 seed, u64 index) {
    if (p <= 0.f) return x;
    return vavl_uniform(seed, index) < p ? 0.f : x * keep;
}

__device__ __forceinline__ float swishf(float x) { return x / (1.f + expf(-x)); }
__device__ __forceinline__ float sigmoidf(float x) { return 1.f / (1.f + expf(-x)); }

__device__ __forceinline__ float warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ double warp_sum_d(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
// scratch: 32 floats of shared memory; the function synchronises before returning and may be called again.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float total = 0.f;
    for (int w = 0; w < warps; w++) total += scratch[w];
    __syncthreads();
    return total;
}

__device__ __forceinline__ double block_sum_d(double v, double* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum_d(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    double total = 0.0;
    for (int w = 0; w < warps; w++) total += scratch[w];
    __syncthreads();
    return total;
}

__device__ __forceinline__ float block_max(float v, float* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float m = scratch[0];
    for (int w = 1; w < warps; w++) m = fmaxf(m, scratch[w]);
    __syncthreads();
    return m;
}
