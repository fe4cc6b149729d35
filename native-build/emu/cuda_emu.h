// Device builtins for compiling the kernels of cuda/ with g++ into the CPU emulator
// (native-build/emu/build-emu.sh). Included by cuda/common.cuh only under -DVAVL_EMU.
//
// Execution model (see emu_runtime.cpp): the blocks of a launch run one after another; the threads of
// a block run as fibers on one OS thread, switching only at __syncthreads, __syncwarp and warp
// shuffles. So __shared__ can simply be `static` (one block at a time), and atomics need no locking.
#pragma once
#ifndef VAVL_EMU
#error "cuda_emu.h is only for the g++ emulator build (-DVAVL_EMU)"
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __shared__ static
#define __constant__
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
#ifndef warpSize
#define warpSize 32
#endif

struct uint3 {
    unsigned int x, y, z;
};

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace vavl_emu {
struct Regs {
    uint3 tid;
    uint3 bid;
    dim3 bdim;
    dim3 gdim;
    unsigned lane;  // tid's linear index mod 32
};
// The running fiber's registers; the scheduler sets them before it switches to a fiber.
extern Regs regs __attribute__((visibility("hidden")));
void syncthreads(const char* file, int line) __attribute__((visibility("hidden")));
void syncwarp() __attribute__((visibility("hidden")));
// Warp exchange: publishes `bits` for this lane, waits for the warp, returns lane `srcLane`'s value
// (all one bits when that lane has exited or does not exist).
uint64_t exchange(uint64_t bits, int srcLane) __attribute__((visibility("hidden")));
inline unsigned lane() { return regs.lane; }
void* dynamic_shared() __attribute__((visibility("hidden")));

template <class T>
inline T shfl_from(T v, int srcLane) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffle of an unsupported type");
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    bits = exchange(bits, srcLane);
    T r;
    std::memcpy(&r, &bits, sizeof(T));
    return r;
}
}  // namespace vavl_emu

#define threadIdx (::vavl_emu::regs.tid)
#define blockIdx (::vavl_emu::regs.bid)
#define blockDim (::vavl_emu::regs.bdim)
#define gridDim (::vavl_emu::regs.gdim)

#define __syncthreads() ::vavl_emu::syncthreads(__FILE__, __LINE__)
inline void __syncwarp(unsigned = 0xffffffffu) { ::vavl_emu::syncwarp(); }
inline void __threadfence() {}
inline void __threadfence_block() {}

inline void* vavl_emu_dynamic_shared() { return ::vavl_emu::dynamic_shared(); }

// Shuffles: every lane of the warp that has not exited must take part (as with a full mask).
template <class T>
inline T __shfl_sync(unsigned, T v, int srcLane, int width = 32) {
    int lane = (int)::vavl_emu::lane();
    int seg = lane & ~(width - 1);
    return ::vavl_emu::shfl_from(v, seg + (srcLane & (width - 1)));
}
template <class T>
inline T __shfl_xor_sync(unsigned, T v, int laneMask, int width = 32) {
    int lane = (int)::vavl_emu::lane();
    int seg = lane & ~(width - 1);
    int src = lane ^ laneMask;
    return ::vavl_emu::shfl_from(v, src >= seg + width ? lane : src);
}
template <class T>
inline T __shfl_down_sync(unsigned, T v, unsigned delta, int width = 32) {
    int lane = (int)::vavl_emu::lane();
    int inSeg = lane & (width - 1);
    return ::vavl_emu::shfl_from(v, inSeg + (int)delta >= width ? lane : lane + (int)delta);
}
template <class T>
inline T __shfl_up_sync(unsigned, T v, unsigned delta, int width = 32) {
    int lane = (int)::vavl_emu::lane();
    int inSeg = lane & (width - 1);
    return ::vavl_emu::shfl_from(v, inSeg < (int)delta ? lane : lane - (int)delta);
}

// Atomics: blocks and threads never run at the same time, so plain read-modify-write is atomic.
inline float atomicAdd(float* p, float v) { float o = *p; *p = o + v; return o; }
inline double atomicAdd(double* p, double v) { double o = *p; *p = o + v; return o; }
inline int atomicAdd(int* p, int v) { int o = *p; *p = o + v; return o; }
inline unsigned atomicAdd(unsigned* p, unsigned v) { unsigned o = *p; *p = o + v; return o; }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
    unsigned long long o = *p; *p = o + v; return o;
}
inline int atomicMax(int* p, int v) { int o = *p; if (v > o) *p = v; return o; }
inline int atomicMin(int* p, int v) { int o = *p; if (v < o) *p = v; return o; }
inline int atomicExch(int* p, int v) { int o = *p; *p = v; return o; }
inline float atomicExch(float* p, float v) { float o = *p; *p = v; return o; }
inline int atomicCAS(int* p, int cmp, int v) { int o = *p; if (o == cmp) *p = v; return o; }
inline unsigned atomicCAS(unsigned* p, unsigned cmp, unsigned v) { unsigned o = *p; if (o == cmp) *p = v; return o; }
inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long cmp, unsigned long long v) {
    unsigned long long o = *p; if (o == cmp) *p = v; return o;
}

// Fast-math intrinsics: computed exactly here (the GPU's are approximate; kernels must tolerate both).
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __frcp_rn(float x) { return 1.f / x; }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float __saturatef(float x) { return x < 0.f ? 0.f : (x > 1.f ? 1.f : x); }
inline float rsqrtf(float x) { return 1.f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
inline int __float_as_int(float x) { int i; std::memcpy(&i, &x, 4); return i; }
inline float __int_as_float(int i) { float x; std::memcpy(&x, &i, 4); return x; }
inline unsigned __float_as_uint(float x) { unsigned i; std::memcpy(&i, &x, 4); return i; }
inline float __uint_as_float(unsigned i) { float x; std::memcpy(&x, &i, 4); return x; }
template <class T>
inline T __ldg(const T* p) { return *p; }

// min/max as CUDA overloads them (integer and floating point).
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline unsigned min(int a, unsigned b) { return min((unsigned)a, b); }
inline unsigned max(int a, unsigned b) { return max((unsigned)a, b); }
inline unsigned min(unsigned a, int b) { return min(a, (unsigned)b); }
inline unsigned max(unsigned a, int b) { return max(a, (unsigned)b); }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return std::fmin(a, b); }
inline double max(double a, double b) { return std::fmax(a, b); }
