// The driver API (libcuda) and cuBLAS entry points of the CPU emulator: exactly the symbols the CUDA
// backend binds (see emu_api.h), with the real status codes. Device memory is host memory with guard
// bytes; launches run synchronously through the fiber runtime; gemms are column-major reference loops.
#include "emu_api.h"
#include "emu_internal.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

// CUresult codes used here.
enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_UNKNOWN = 999,
};
enum : int {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16,
};

struct CUctx_st {
    int refs = 0;
};
struct CUfunc_st {
    const vavl_emu::KernelEntry* kernel;
    int maxDynamicShared = 48 * 1024;
};
struct CUmod_st {
    std::map<std::string, CUfunc_st*> functions;
};
struct CUstream_st {
    unsigned flags;
};
struct CUevent_st {
    unsigned flags;
    bool recorded = false;
    std::chrono::steady_clock::time_point at;
};
struct cublasContext {
    CUstream stream = nullptr;
    int mathMode = 0;
};

namespace {
constexpr std::size_t kTotalMem = 4ull << 30;
constexpr int kOptinShared = 232448;
constexpr int kDefaultShared = 48 * 1024;
constexpr std::size_t kGuard = 64, kHead = 256;
constexpr const char* kDeviceName = "VAVL CPU emulator";

std::recursive_mutex mu;
bool initialized = false;
CUctx_st primary;
thread_local CUcontext current = nullptr;

struct Allocation {
    unsigned char* raw;
    std::size_t size;
    std::size_t slot;  // index in guarded
};
std::map<uintptr_t, Allocation> allocations;  // by device address
// The live allocations again, as a flat array for the guard scan after every launch: {address, size}.
struct Guarded {
    const unsigned char* user;
    std::size_t size;
};
std::vector<Guarded> guarded;
std::size_t usedMem = 0;
std::set<CUmod_st*> modules;
std::set<CUfunc_st*> functions;
std::set<CUstream_st*> streams;
std::set<CUevent_st*> events;
std::set<cublasContext*> handles;

std::map<int, std::string> details;  // the last error's explanation, per code
std::map<int, std::string> fullStrings;

using Lock = std::lock_guard<std::recursive_mutex>;

// Optional timing counters (VAVL_EMU_PROFILE=<file>): per kernel the launches, blocks, threads and time
// in the kernel and in the guard check after it, and the gemms; a table is appended to <file> at exit.
struct ProfileRow {
    unsigned long long calls = 0, blocks = 0, threads = 0;
    double runNs = 0, guardNs = 0;
};
struct Profile {
    const char* path = std::getenv("VAVL_EMU_PROFILE");
    std::map<std::string, ProfileRow> rows;
    unsigned long long allocationsSeen = 0;
    bool on() const { return path != nullptr && *path != 0; }
    ~Profile() {
        if (!on() || rows.empty()) return;
        std::FILE* f = std::fopen(path, "a");
        if (!f) return;
        double total = 0;
        for (auto& e : rows) total += e.second.runNs + e.second.guardNs;
        std::fprintf(f, "%-44s %9s %11s %13s %10s %10s\n", "kernel (or gemm)", "calls", "blocks", "threads", "run ms",
                     "guard ms");
        std::vector<std::pair<double, std::string>> order;
        for (auto& e : rows) order.push_back({-(e.second.runNs + e.second.guardNs), e.first});
        std::sort(order.begin(), order.end());
        for (auto& o : order) {
            const ProfileRow& r = rows[o.second];
            std::fprintf(f, "%-44s %9llu %11llu %13llu %10.1f %10.1f\n", o.second.c_str(), r.calls, r.blocks, r.threads,
                         r.runNs / 1e6, r.guardNs / 1e6);
        }
        std::fprintf(f, "total %.1f ms; allocations checked after launches: %llu\n\n", total / 1e6, allocationsSeen);
        std::fclose(f);
    }
};
Profile profile;
double nowNs() {
    return (double)std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
}

CUresult fail(CUresult code, const std::string& why) {
    if (why.empty()) details.erase(code);
    else details[code] = why;
    return code;
}

unsigned char guardByte(std::size_t i) { return (unsigned char)(0xA5u + 29u * (unsigned)i); }

// The kGuard guard bytes, as they are written before and after every allocation.
struct GuardPattern {
    unsigned char bytes[kGuard];
    GuardPattern() {
        for (std::size_t i = 0; i < kGuard; i++) bytes[i] = guardByte(i);
    }
};
const GuardPattern guardPattern;

std::string hex(uintptr_t p) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)p);
    return b;
}

// "" when both guards are intact, else what was overwritten.
std::string checkGuards(uintptr_t addr, const Allocation& a) {
    const unsigned char* before = reinterpret_cast<const unsigned char*>(addr) - kGuard;
    const unsigned char* after = reinterpret_cast<const unsigned char*>(addr) + a.size;
    for (std::size_t i = 0; i < kGuard; i++)
        if (before[i] != guardByte(i))
            return "out-of-bounds write " + std::to_string(kGuard - i) + " bytes before the device allocation of " +
                   std::to_string(a.size) + " bytes at " + hex(addr);
    for (std::size_t i = 0; i < kGuard; i++)
        if (after[i] != guardByte(i))
            return "out-of-bounds write at byte " + std::to_string(i) + " past the end of the device allocation of " +
                   std::to_string(a.size) + " bytes at " + hex(addr);
    return "";
}

// Checks every allocation; CUDA_ERROR_ILLEGAL_ADDRESS naming the first corrupted one (by address). The
// scan runs over the flat array; only when it finds a damaged guard are they looked at again in address
// order, for the message.
CUresult checkAll(const char* when, const char* name = "") {
    bool intact = true;
    for (const Guarded& g : guarded) {
        if (std::memcmp(g.user - kGuard, guardPattern.bytes, kGuard) != 0 ||
            std::memcmp(g.user + g.size, guardPattern.bytes, kGuard) != 0) {
            intact = false;
            break;
        }
    }
    if (intact) return CUDA_SUCCESS;
    for (auto& e : allocations) {
        std::string bad = checkGuards(e.first, e.second);
        if (!bad.empty()) return fail(CUDA_ERROR_ILLEGAL_ADDRESS, bad + " (found " + when + name + ")");
    }
    return CUDA_SUCCESS;
}

// The allocation holding [addr, addr + bytes), or null.
const Allocation* findRange(uintptr_t addr, std::size_t bytes) {
    auto it = allocations.upper_bound(addr);
    if (it == allocations.begin()) return nullptr;
    --it;
    if (addr < it->first || addr - it->first > it->second.size || bytes > it->second.size - (addr - it->first))
        return nullptr;
    return &it->second;
}

CUresult checkRange(uintptr_t addr, std::size_t bytes, const char* what) {
    if (findRange(addr, bytes)) return CUDA_SUCCESS;
    return fail(CUDA_ERROR_INVALID_VALUE, std::string(what) + ": [" + hex(addr) + ", +" + std::to_string(bytes) +
                                              ") is not inside one device allocation");
}

CUresult ready() {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (current == nullptr) return fail(CUDA_ERROR_INVALID_CONTEXT, "no current context on this thread (cuCtxSetCurrent)");
    return CUDA_SUCCESS;
}

bool validStream(CUstream s) { return s == nullptr || streams.count(s) != 0; }

void freeAll() {
    for (auto& e : allocations) std::free(e.second.raw);
    allocations.clear();
    guarded.clear();
    usedMem = 0;
    for (auto* m : modules) delete m;
    modules.clear();
    for (auto* f : functions) delete f;
    functions.clear();
    for (auto* s : streams) delete s;
    streams.clear();
    for (auto* e : events) delete e;
    events.clear();
}

const char* errorName(int e) {
    switch (e) {
        case 0: return "CUDA_SUCCESS";
        case 1: return "CUDA_ERROR_INVALID_VALUE";
        case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
        case 3: return "CUDA_ERROR_NOT_INITIALIZED";
        case 4: return "CUDA_ERROR_DEINITIALIZED";
        case 100: return "CUDA_ERROR_NO_DEVICE";
        case 101: return "CUDA_ERROR_INVALID_DEVICE";
        case 200: return "CUDA_ERROR_INVALID_IMAGE";
        case 201: return "CUDA_ERROR_INVALID_CONTEXT";
        case 400: return "CUDA_ERROR_INVALID_HANDLE";
        case 500: return "CUDA_ERROR_NOT_FOUND";
        case 600: return "CUDA_ERROR_NOT_READY";
        case 700: return "CUDA_ERROR_ILLEGAL_ADDRESS";
        case 701: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
        case 719: return "CUDA_ERROR_LAUNCH_FAILED";
        case 801: return "CUDA_ERROR_NOT_SUPPORTED";
        case 999: return "CUDA_ERROR_UNKNOWN";
        default: return nullptr;
    }
}

const char* errorString(int e) {
    switch (e) {
        case 0: return "no error";
        case 1: return "invalid argument";
        case 2: return "out of memory";
        case 3: return "initialization error";
        case 4: return "driver shutting down";
        case 100: return "no CUDA-capable device is detected";
        case 101: return "invalid device ordinal";
        case 200: return "device kernel image is invalid";
        case 201: return "invalid device context";
        case 400: return "invalid resource handle";
        case 500: return "named symbol not found";
        case 600: return "device not ready";
        case 700: return "an illegal memory access was encountered";
        case 701: return "too many resources requested for launch";
        case 719: return "unspecified launch failure";
        case 801: return "operation not supported";
        case 999: return "unknown error";
        default: return nullptr;
    }
}
}  // namespace

// ---------------------------------------------------------------------------------------------------
// Driver API

EMU_API CUresult cuInit(unsigned int flags) {
    Lock l(mu);
    if (flags != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuInit flags must be 0");
    initialized = true;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDriverGetVersion(int* v) {
    if (!v) return CUDA_ERROR_INVALID_VALUE;
    *v = 13000;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceGetCount(int* count) {
    Lock l(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = 1;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    Lock l(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return fail(CUDA_ERROR_INVALID_DEVICE, "the emulator has one device, ordinal 0");
    *device = 0;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceGetName(char* name, int len, CUdevice dev) {
    Lock l(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    std::snprintf(name, (std::size_t)len, "%s", kDeviceName);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceGetAttribute(int* pi, int attrib, CUdevice dev) {
    Lock l(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!pi) return CUDA_ERROR_INVALID_VALUE;
    int v;
    switch (attrib) {
        case 1: v = 1024; break;            // MAX_THREADS_PER_BLOCK
        case 2: case 3: v = 1024; break;    // MAX_BLOCK_DIM_X/Y
        case 4: v = 64; break;              // MAX_BLOCK_DIM_Z
        case 5: v = 2147483647; break;      // MAX_GRID_DIM_X
        case 6: case 7: v = 65535; break;   // MAX_GRID_DIM_Y/Z
        case 8: v = kDefaultShared; break;  // MAX_SHARED_MEMORY_PER_BLOCK
        case 9: v = 65536; break;           // TOTAL_CONSTANT_MEMORY
        case 10: v = 32; break;             // WARP_SIZE
        case 12: v = 65536; break;          // MAX_REGISTERS_PER_BLOCK
        case 13: v = 1980000; break;        // CLOCK_RATE (kHz)
        case 16: v = 132; break;            // MULTIPROCESSOR_COUNT
        case 31: v = 1; break;              // CONCURRENT_KERNELS
        case 39: v = 2048; break;           // MAX_THREADS_PER_MULTIPROCESSOR
        case 41: v = 1; break;              // UNIFIED_ADDRESSING
        case 75: v = 9; break;              // COMPUTE_CAPABILITY_MAJOR
        case 76: v = 0; break;              // COMPUTE_CAPABILITY_MINOR
        case 81: v = 233472; break;         // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
        case 97: v = kOptinShared; break;   // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        default:
            return fail(CUDA_ERROR_INVALID_VALUE, "device attribute " + std::to_string(attrib) +
                                                      " is not emulated");
    }
    *pi = v;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev) {
    Lock l(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = kTotalMem;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev) {
    Lock l(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    primary.refs++;
    *pctx = &primary;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    Lock l(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (primary.refs <= 0) return fail(CUDA_ERROR_INVALID_CONTEXT, "primary context released more often than retained");
    if (--primary.refs == 0) freeAll();  // the primary context is destroyed with everything in it
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxSetCurrent(CUcontext ctx) {
    Lock l(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx != nullptr && ctx != &primary) return CUDA_ERROR_INVALID_CONTEXT;
    if (ctx != nullptr && primary.refs <= 0) return fail(CUDA_ERROR_INVALID_CONTEXT, "the primary context was released");
    current = ctx;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuCtxSynchronize(void) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    return checkAll("at cuCtxSynchronize");
}

EMU_API CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!dptr || bytes == 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc of 0 bytes");
    if (bytes > kTotalMem - usedMem)
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc of " + std::to_string(bytes) + " bytes with " +
                                                  std::to_string(kTotalMem - usedMem) + " of 4 GiB free");
    std::size_t total = (kHead + bytes + kGuard + 255) & ~std::size_t(255);
    unsigned char* raw = static_cast<unsigned char*>(std::aligned_alloc(256, total));
    if (!raw) return fail(CUDA_ERROR_OUT_OF_MEMORY, "host allocation failed");
    unsigned char* user = raw + kHead;
    for (std::size_t i = 0; i < kGuard; i++) user[(std::ptrdiff_t)i - (std::ptrdiff_t)kGuard] = guardByte(i);
    for (std::size_t i = 0; i < kGuard; i++) user[bytes + i] = guardByte(i);
    std::memset(user, 0xFF, bytes);  // uninitialised device memory reads as NaN / -1
    allocations[reinterpret_cast<uintptr_t>(user)] = Allocation{raw, bytes, guarded.size()};
    guarded.push_back(Guarded{user, bytes});
    usedMem += bytes;
    *dptr = reinterpret_cast<uintptr_t>(user);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemFree_v2(CUdeviceptr dptr) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    auto it = allocations.find((uintptr_t)dptr);
    if (it == allocations.end())
        return fail(CUDA_ERROR_INVALID_VALUE, "cuMemFree of " + hex(dptr) + ", which is not a live allocation");
    std::string bad = checkGuards(it->first, it->second);
    std::size_t slot = it->second.slot;
    if (slot + 1 != guarded.size()) {  // the last entry moves into the freed slot
        guarded[slot] = guarded.back();
        allocations.find(reinterpret_cast<uintptr_t>(guarded[slot].user))->second.slot = slot;
    }
    guarded.pop_back();
    std::free(it->second.raw);
    usedMem -= it->second.size;
    allocations.erase(it);
    if (!bad.empty()) return fail(CUDA_ERROR_ILLEGAL_ADDRESS, bad + " (found at cuMemFree)");
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemGetInfo_v2(size_t* freeBytes, size_t* total) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!freeBytes || !total) return CUDA_ERROR_INVALID_VALUE;
    *freeBytes = kTotalMem - usedMem;
    *total = kTotalMem;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, CUstream s) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!validStream(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (n == 0) return CUDA_SUCCESS;
    if (!src) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkRange(dst, n, "cuMemcpyHtoD destination")) return r;
    std::memcpy(reinterpret_cast<void*>(dst), src, n);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, CUstream s) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!validStream(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (n == 0) return CUDA_SUCCESS;
    if (!dst) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkRange(src, n, "cuMemcpyDtoH source")) return r;
    std::memcpy(dst, reinterpret_cast<const void*>(src), n);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!validStream(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (n == 0) return CUDA_SUCCESS;
    if (CUresult r = checkRange(src, n, "cuMemcpyDtoD source")) return r;
    if (CUresult r = checkRange(dst, n, "cuMemcpyDtoD destination")) return r;
    std::memmove(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), n);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char uc, size_t n, CUstream s) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!validStream(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (n == 0) return CUDA_SUCCESS;
    if (CUresult r = checkRange(dst, n, "cuMemsetD8 destination")) return r;
    std::memset(reinterpret_cast<void*>(dst), uc, n);
    return CUDA_SUCCESS;
}

EMU_API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int ui, size_t n, CUstream s) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!validStream(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (dst % 4 != 0) return fail(CUDA_ERROR_INVALID_VALUE, "cuMemsetD32 destination not 4-byte aligned");
    if (n == 0) return CUDA_SUCCESS;
    if (n > SIZE_MAX / 4) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult r = checkRange(dst, n * 4, "cuMemsetD32 destination")) return r;
    unsigned int* p = reinterpret_cast<unsigned int*>(dst);
    for (std::size_t i = 0; i < n; i++) p[i] = ui;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
    const unsigned char* b = static_cast<const unsigned char*>(image);
    uint32_t magic = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    if (magic != 0xBA55ED50u)
        return fail(CUDA_ERROR_INVALID_IMAGE, "not a fatbin (magic " + hex(magic) + ", expected 0xba55ed50)");
    CUmod_st* m = new CUmod_st();
    modules.insert(m);
    *module = m;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuModuleGetFunction(CUfunction* hfunc, CUmodule hmod, const char* name) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!hfunc || !name) return CUDA_ERROR_INVALID_VALUE;
    if (!modules.count(hmod)) return CUDA_ERROR_INVALID_HANDLE;
    auto it = hmod->functions.find(name);
    if (it != hmod->functions.end()) {
        *hfunc = it->second;
        return CUDA_SUCCESS;
    }
    for (int i = 0; i < vavl_emu::kernelCount; i++) {
        if (std::strcmp(vavl_emu::kernels[i].name, name) == 0) {
            CUfunc_st* f = new CUfunc_st{&vavl_emu::kernels[i]};
            hmod->functions[name] = f;
            functions.insert(f);
            *hfunc = f;
            return CUDA_SUCCESS;
        }
    }
    return fail(CUDA_ERROR_NOT_FOUND, std::string("no kernel named ") + name + " (the emulator has " +
                                          std::to_string(vavl_emu::kernelCount) + " kernels)");
}

EMU_API CUresult cuModuleUnload(CUmodule hmod) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!modules.count(hmod)) return CUDA_ERROR_INVALID_HANDLE;
    for (auto& e : hmod->functions) {
        functions.erase(e.second);
        delete e.second;
    }
    modules.erase(hmod);
    delete hmod;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuFuncSetAttribute(CUfunction f, int attrib, int value) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
    if (attrib == 8) {  // MAX_DYNAMIC_SHARED_SIZE_BYTES
        if (value < 0 || value > kOptinShared)
            return fail(CUDA_ERROR_INVALID_VALUE, "dynamic shared memory limit " + std::to_string(value) +
                                                      " over the opt-in maximum " + std::to_string(kOptinShared));
        f->maxDynamicShared = value;
        return CUDA_SUCCESS;
    }
    if (attrib == 9) {  // PREFERRED_SHARED_MEMORY_CARVEOUT
        if (value < -1 || value > 100) return CUDA_ERROR_INVALID_VALUE;
        return CUDA_SUCCESS;
    }
    return fail(CUDA_ERROR_INVALID_VALUE, "function attribute " + std::to_string(attrib) + " is not emulated");
}

EMU_API CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                                unsigned int by, unsigned int bz, unsigned int shared, CUstream s, void** params,
                                void** extra) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!functions.count(f)) return fail(CUDA_ERROR_INVALID_HANDLE, "cuLaunchKernel of an unknown or unloaded function");
    if (!validStream(s)) return CUDA_ERROR_INVALID_HANDLE;
    const char* name = f->kernel->name;
    auto invalid = [&](const std::string& why) { return fail(CUDA_ERROR_INVALID_VALUE, std::string(name) + ": " + why); };
    if (extra != nullptr) return invalid("the extra launch argument is not supported by the emulator");
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0) return invalid("zero grid or block dimension");
    if (gx > 2147483647u || gy > 65535 || gz > 65535) return invalid("grid dimension over the limit");
    if (bx > 1024 || by > 1024 || bz > 64 || (unsigned long long)bx * by * bz > 1024)
        return invalid("block of " + std::to_string((unsigned long long)bx * by * bz) + " threads (" +
                       std::to_string(bx) + "x" + std::to_string(by) + "x" + std::to_string(bz) + "), at most 1024");
    if ((int)shared > f->maxDynamicShared || shared > (unsigned)kOptinShared)
        return invalid("dynamic shared memory of " + std::to_string(shared) + " bytes over the function's limit " +
                       std::to_string(f->maxDynamicShared) + " (raise it with cuFuncSetAttribute)");
    if (f->kernel->paramCount > 0 && params == nullptr) return invalid("kernelParams is null");
    unsigned grid[3] = {gx, gy, gz}, block[3] = {bx, by, bz};
    std::string err;
    if (profile.on()) {
        double t0 = nowNs();
        int rc = vavl_emu::runLaunch(*f->kernel, grid, block, shared, params, err);
        double t1 = nowNs();
        CUresult r = rc != 0 ? fail(rc, err) : checkAll("after kernel ", name);
        ProfileRow& row = profile.rows[name];
        row.calls++;
        row.blocks += (unsigned long long)gx * gy * gz;
        row.threads += (unsigned long long)gx * gy * gz * bx * by * bz;
        row.runNs += t1 - t0;
        row.guardNs += nowNs() - t1;
        profile.allocationsSeen += allocations.size();
        return r;
    }
    int rc = vavl_emu::runLaunch(*f->kernel, grid, block, shared, params, err);
    if (rc != 0) return fail(rc, err);
    return checkAll("after kernel ", name);
}

EMU_API CUresult cuStreamCreate(CUstream* ph, unsigned int flags) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!ph || flags > 1) return CUDA_ERROR_INVALID_VALUE;
    CUstream_st* s = new CUstream_st{flags};
    streams.insert(s);
    *ph = s;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuStreamDestroy_v2(CUstream s) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!streams.count(s)) return CUDA_ERROR_INVALID_HANDLE;
    streams.erase(s);
    delete s;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuStreamSynchronize(CUstream s) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!validStream(s)) return CUDA_ERROR_INVALID_HANDLE;
    return checkAll("at cuStreamSynchronize");
}

EMU_API CUresult cuEventCreate(CUevent* ph, unsigned int flags) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!ph || flags > 7) return CUDA_ERROR_INVALID_VALUE;
    CUevent_st* e = new CUevent_st{flags};
    events.insert(e);
    *ph = e;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuEventRecord(CUevent e, CUstream s) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!events.count(e) || !validStream(s)) return CUDA_ERROR_INVALID_HANDLE;
    e->recorded = true;
    e->at = std::chrono::steady_clock::now();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuEventSynchronize(CUevent e) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuEventElapsedTime_v2(float* ms, CUevent start, CUevent end) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!ms) return CUDA_ERROR_INVALID_VALUE;
    if (!events.count(start) || !events.count(end)) return CUDA_ERROR_INVALID_HANDLE;
    if ((start->flags & 2) || (end->flags & 2))
        return fail(CUDA_ERROR_INVALID_HANDLE, "event created with CU_EVENT_DISABLE_TIMING");
    if (!start->recorded || !end->recorded) return fail(CUDA_ERROR_INVALID_HANDLE, "event not recorded");
    *ms = std::chrono::duration<float, std::milli>(end->at - start->at).count();
    return CUDA_SUCCESS;
}

EMU_API CUresult cuEventDestroy_v2(CUevent e) {
    Lock l(mu);
    if (CUresult r = ready()) return r;
    if (!events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
    events.erase(e);
    delete e;
    return CUDA_SUCCESS;
}

EMU_API CUresult cuGetErrorName(CUresult error, const char** pStr) {
    if (!pStr) return CUDA_ERROR_INVALID_VALUE;
    const char* n = errorName(error);
    *pStr = n;
    return n ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

// The standard text, followed by the emulator's explanation of the latest error with this code.
EMU_API CUresult cuGetErrorString(CUresult error, const char** pStr) {
    if (!pStr) return CUDA_ERROR_INVALID_VALUE;
    Lock l(mu);
    const char* s = errorString(error);
    if (!s) {
        *pStr = nullptr;
        return CUDA_ERROR_INVALID_VALUE;
    }
    auto d = details.find(error);
    if (d == details.end()) {
        *pStr = s;
    } else {
        std::string& full = fullStrings[error];
        full = std::string(s) + " [emulator: " + d->second + "]";
        *pStr = full.c_str();
    }
    return CUDA_SUCCESS;
}

// ---------------------------------------------------------------------------------------------------
// cuBLAS (pointer mode host; column-major)

namespace {
float tf32(float x) {
    uint32_t b;
    std::memcpy(&b, &x, 4);
    if ((b & 0x7F800000u) == 0x7F800000u) return x;  // inf / nan
    b += 0xFFFu + ((b >> 13) & 1u);                  // round to nearest even at 10 mantissa bits
    b &= ~0x1FFFu;
    std::memcpy(&x, &b, 4);
    return x;
}

bool deviceRange(const void* p, long long rows, long long cols, long long ld, std::string& why, const char* what) {
    if (rows == 0 || cols == 0) return true;
    std::size_t bytes = (std::size_t)(((cols - 1) * ld + rows) * 4);
    if (findRange(reinterpret_cast<uintptr_t>(p), bytes)) return true;
    why = std::string("gemm operand ") + what + " at " + hex(reinterpret_cast<uintptr_t>(p)) + " (" +
          std::to_string(bytes) + " bytes) is not inside one device allocation";
    return false;
}

void gemmImpl(bool ta, bool tb, int m, int n, int k, float alpha, const float* A, int lda, const float* B, int ldb,
              float beta, float* C, int ldc, bool useTf32);

// C = alpha op(A) op(B) + beta C, one matrix; arguments already validated.
void gemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* A, int lda, const float* B, int ldb,
          float beta, float* C, int ldc, bool useTf32) {
    if (!profile.on()) {
        gemmImpl(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, useTf32);
        return;
    }
    double t0 = nowNs();
    gemmImpl(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, useTf32);
    ProfileRow& row = profile.rows["(gemm)"];
    row.calls++;
    row.threads += (unsigned long long)m * n * k;  // multiply-adds
    row.runNs += nowNs() - t0;
}

void gemmImpl(bool ta, bool tb, int m, int n, int k, float alpha, const float* A, int lda, const float* B, int ldb,
          float beta, float* C, int ldc, bool useTf32) {
    if (m == 0 || n == 0) return;
    if (k == 0 || alpha == 0.f) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                float& c = C[i + (std::size_t)j * ldc];
                c = beta == 0.f ? 0.f : beta * c;
            }
        return;
    }
    // op(A) as doubles, row i at a[i * k] (read along A's columns when it is not transposed).
    std::vector<double> a((std::size_t)m * k);
    if (ta) {
        for (int i = 0; i < m; i++)
            for (int l = 0; l < k; l++) {
                float v = A[l + (std::size_t)i * lda];
                a[(std::size_t)i * k + l] = useTf32 ? tf32(v) : v;
            }
    } else {
        for (int l = 0; l < k; l++)
            for (int i = 0; i < m; i++) {
                float v = A[i + (std::size_t)l * lda];
                a[(std::size_t)i * k + l] = useTf32 ? tf32(v) : v;
            }
    }
    // Four columns of C at a time: b4[l * 4 + q] = op(B)[l, j + q] (0 past the last column), and four
    // independent sums per row of A, each over l = 0, 1, ..., k-1 in order (the same sums, in the same
    // order, as one column at a time).
    constexpr int Q = 4;
    std::vector<double> b4((std::size_t)k * Q);
    for (int j = 0; j < n; j += Q) {
        int cols = n - j < Q ? n - j : Q;
        for (int l = 0; l < k; l++)
            for (int q = 0; q < Q; q++) {
                float v = q >= cols ? 0.f : tb ? B[(j + q) + (std::size_t)l * ldb] : B[l + (std::size_t)(j + q) * ldb];
                b4[(std::size_t)l * Q + q] = useTf32 ? tf32(v) : v;
            }
        for (int i = 0; i < m; i++) {
            const double* ai = &a[(std::size_t)i * k];
            const double* bl = b4.data();
            double acc[Q] = {0, 0, 0, 0};
            for (int l = 0; l < k; l++, bl += Q) {
                double x = ai[l];
                for (int q = 0; q < Q; q++) acc[q] += x * bl[q];
            }
            for (int q = 0; q < cols; q++) {
                float& c = C[i + (std::size_t)(j + q) * ldc];
                c = beta == 0.f ? (float)(alpha * acc[q]) : (float)(alpha * acc[q] + (double)beta * c);
            }
        }
    }
}

cublasStatus_t checkGemm(cublasHandle_t h, int ta, int tb, int m, int n, int k, const void* alpha, const void* A,
                         int lda, const void* B, int ldb, const void* beta, const void* C, int ldc, int batch,
                         long long sA, long long sB, long long sC) {
    if (!handles.count(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (ta < 0 || ta > 2 || tb < 0 || tb > 2) return CUBLAS_STATUS_INVALID_VALUE;
    if (m < 0 || n < 0 || k < 0 || batch < 0) return CUBLAS_STATUS_INVALID_VALUE;
    int rowsA = ta == 0 ? m : k, rowsB = tb == 0 ? k : n;
    if (lda < (rowsA > 1 ? rowsA : 1) || ldb < (rowsB > 1 ? rowsB : 1) || ldc < (m > 1 ? m : 1))
        return CUBLAS_STATUS_INVALID_VALUE;
    if (!alpha || !beta) return CUBLAS_STATUS_INVALID_VALUE;
    if (m == 0 || n == 0 || batch == 0) return CUBLAS_STATUS_SUCCESS;
    std::string why;
    for (int i = 0; i < batch; i++) {
        bool readsAB = k > 0 && *static_cast<const float*>(alpha) != 0.f;
        if ((readsAB && !deviceRange(static_cast<const float*>(A) + i * sA, rowsA, ta == 0 ? k : m, lda, why, "A")) ||
            (readsAB && !deviceRange(static_cast<const float*>(B) + i * sB, rowsB, tb == 0 ? n : k, ldb, why, "B")) ||
            !deviceRange(static_cast<const float*>(C) + i * sC, m, n, ldc, why, "C")) {
            if (batch > 1) why += " (batch " + std::to_string(i) + ")";
            fail(CUDA_ERROR_ILLEGAL_ADDRESS, why);
            return CUBLAS_STATUS_EXECUTION_FAILED;
        }
    }
    return CUBLAS_STATUS_SUCCESS;
}
}  // namespace

EMU_API cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
    Lock l(mu);
    if (!handle) return CUBLAS_STATUS_INVALID_VALUE;
    if (!initialized || current == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
    cublasContext* h = new cublasContext();
    handles.insert(h);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

EMU_API cublasStatus_t cublasDestroy_v2(cublasHandle_t h) {
    Lock l(mu);
    if (!handles.count(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    handles.erase(h);
    delete h;
    return CUBLAS_STATUS_SUCCESS;
}

EMU_API cublasStatus_t cublasSetStream_v2(cublasHandle_t h, cudaStream_t s) {
    Lock l(mu);
    if (!handles.count(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!validStream(s)) return CUBLAS_STATUS_INVALID_VALUE;
    h->stream = s;
    return CUBLAS_STATUS_SUCCESS;
}

EMU_API cublasStatus_t cublasSetMathMode(cublasHandle_t h, cublasMath_t mode) {
    Lock l(mu);
    if (!handles.count(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    int base = mode & ~16;  // 16: CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION
    if (base < 0 || base > 3) return CUBLAS_STATUS_INVALID_VALUE;
    h->mathMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

EMU_API const char* cublasGetStatusName(cublasStatus_t status) {
    switch (status) {
        case 0: return "CUBLAS_STATUS_SUCCESS";
        case 1: return "CUBLAS_STATUS_NOT_INITIALIZED";
        case 3: return "CUBLAS_STATUS_ALLOC_FAILED";
        case 7: return "CUBLAS_STATUS_INVALID_VALUE";
        case 8: return "CUBLAS_STATUS_ARCH_MISMATCH";
        case 11: return "CUBLAS_STATUS_MAPPING_ERROR";
        case 13: return "CUBLAS_STATUS_EXECUTION_FAILED";
        case 14: return "CUBLAS_STATUS_INTERNAL_ERROR";
        case 15: return "CUBLAS_STATUS_NOT_SUPPORTED";
        case 16: return "CUBLAS_STATUS_LICENSE_ERROR";
        default: return "<unknown>";
    }
}

EMU_API cublasStatus_t cublasGetVersion_v2(cublasHandle_t h, int* version) {
    Lock l(mu);
    if (!version) return CUBLAS_STATUS_INVALID_VALUE;
    (void)h;  // the real one accepts a null handle too
    *version = 130000;
    return CUBLAS_STATUS_SUCCESS;
}

EMU_API cublasStatus_t cublasSgemm_v2(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                                      const float* alpha, const float* A, int lda, const float* B, int ldb,
                                      const float* beta, float* C, int ldc) {
    Lock l(mu);
    if (cublasStatus_t st = checkGemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, 1, 0, 0, 0)) return st;
    gemm(ta != 0, tb != 0, m, n, k, *alpha, A, lda, B, ldb, *beta, C, ldc, (h->mathMode & ~16) == 3);
    return CUBLAS_STATUS_SUCCESS;
}

EMU_API cublasStatus_t cublasGemmEx(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                                    const void* alpha, const void* A, cudaDataType Atype, int lda, const void* B,
                                    cudaDataType Btype, int ldb, const void* beta, void* C, cudaDataType Ctype, int ldc,
                                    cublasComputeType_t computeType, cublasGemmAlgo_t algo) {
    Lock l(mu);
    (void)algo;
    if (!handles.count(h)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (Atype != 0 || Btype != 0 || Ctype != 0) return CUBLAS_STATUS_NOT_SUPPORTED;  // CUDA_R_32F only
    if (computeType != 68 && computeType != 77) return CUBLAS_STATUS_NOT_SUPPORTED;
    if (cublasStatus_t st = checkGemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, 1, 0, 0, 0)) return st;
    bool useTf32 = computeType == 77 || (h->mathMode & ~16) == 3;
    gemm(ta != 0, tb != 0, m, n, k, *static_cast<const float*>(alpha), static_cast<const float*>(A), lda,
         static_cast<const float*>(B), ldb, *static_cast<const float*>(beta), static_cast<float*>(C), ldc, useTf32);
    return CUBLAS_STATUS_SUCCESS;
}

EMU_API cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m,
                                                 int n, int k, const float* alpha, const float* A, int lda,
                                                 long long int strideA, const float* B, int ldb, long long int strideB,
                                                 const float* beta, float* C, int ldc, long long int strideC,
                                                 int batchCount) {
    Lock l(mu);
    if (cublasStatus_t st = checkGemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, batchCount, strideA,
                                      strideB, strideC))
        return st;
    bool useTf32 = (h->mathMode & ~16) == 3;
    for (int i = 0; i < batchCount; i++)
        gemm(ta != 0, tb != 0, m, n, k, *alpha, A + i * strideA, lda, B + i * strideB, ldb, *beta, C + i * strideC,
             ldc, useTf32);
    return CUBLAS_STATUS_SUCCESS;
}
