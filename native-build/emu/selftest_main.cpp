// Self-test of the emulator: calls its exported driver and cuBLAS API directly (linked in, nothing is
// loaded) and checks kernels with barriers, shuffles, shared memory and atomics, the error paths
// (divergent barriers, out-of-bounds writes, launch limits, bad images, unknown names) and the gemms.
// Prints "selftest passed: N checks" and exits 0, or lists the failures and exits 1.
#include "emu_api.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {
int checks = 0, failures = 0;

#define CHECK(cond, ...)                                              \
    do {                                                              \
        checks++;                                                     \
        if (!(cond)) {                                                \
            failures++;                                               \
            std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            std::printf(__VA_ARGS__);                                 \
            std::printf("\n");                                        \
        }                                                             \
    } while (0)

std::string message(CUresult r) {
    const char* s = nullptr;
    cuGetErrorString(r, &s);
    return s ? s : "?";
}

#define EXPECT(call, want)                                                                         \
    do {                                                                                           \
        CUresult got_ = (call);                                                                    \
        CHECK(got_ == (want), "%s returned %d (%s), expected %d", #call, got_, message(got_).c_str(), \
              (int)(want));                                                                        \
    } while (0)
#define OK(call) EXPECT(call, 0)

CUstream stream = nullptr;

template <class... T>
CUresult launch(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                unsigned shared, T... args) {
    void* p[] = {&args..., nullptr};
    return cuLaunchKernel(f, gx, gy, gz, bx, by, bz, shared, stream, p, nullptr);
}

template <class T>
CUdeviceptr upload(const std::vector<T>& v) {
    CUdeviceptr d = 0;
    OK(cuMemAlloc_v2(&d, v.size() * sizeof(T)));
    OK(cuMemcpyHtoDAsync_v2(d, v.data(), v.size() * sizeof(T), stream));
    return d;
}

template <class T>
std::vector<T> download(CUdeviceptr d, std::size_t n) {
    std::vector<T> v(n);
    OK(cuMemcpyDtoHAsync_v2(v.data(), d, n * sizeof(T), stream));
    OK(cuStreamSynchronize(stream));
    return v;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

void testBlockSum(CUfunction f, int threads, int n, std::mt19937& rng) {
    int blocks = (n + threads - 1) / threads;
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    std::vector<float> x(n);
    for (auto& v : x) v = u(rng);
    CUdeviceptr dx = upload(x), sums, maxes, every, sumsD;
    OK(cuMemAlloc_v2(&sums, blocks * 4));
    OK(cuMemAlloc_v2(&maxes, blocks * 4));
    OK(cuMemAlloc_v2(&every, (std::size_t)blocks * threads * 4));
    OK(cuMemAlloc_v2(&sumsD, blocks * 8));
    OK(launch(f, blocks, 1, 1, threads, 1, 1, 0, dx, sums, maxes, every, sumsD, n));
    auto s = download<float>(sums, blocks), m = download<float>(maxes, blocks);
    auto e = download<float>(every, (std::size_t)blocks * threads);
    auto d = download<double>(sumsD, blocks);
    for (int b = 0; b < blocks; b++) {
        double ref = 0, refMax = -1e30;
        for (int i = b * threads; i < n && i < (b + 1) * threads; i++) {
            ref += x[i];
            refMax = std::fmax(refMax, x[i]);
        }
        CHECK(std::fabs(s[b] - ref) <= 1e-4 * (1 + std::fabs(ref)), "block_sum(%d threads) block %d: %g vs %g", threads, b, s[b], ref);
        CHECK(std::fabs(d[b] - ref) <= 1e-9 * (1 + std::fabs(ref)), "block_sum_d block %d: %g vs %g", b, d[b], ref);
        CHECK(m[b] == (float)refMax, "block_max block %d: %g vs %g", b, m[b], refMax);
        bool same = true;
        for (int t = 0; t < threads; t++) same &= e[(std::size_t)b * threads + t] == s[b];
        CHECK(same, "block_sum(%d threads): not every thread of block %d got the sum", threads, b);
    }
    for (CUdeviceptr p : {dx, sums, maxes, every, sumsD}) OK(cuMemFree_v2(p));
}

void naiveGemm(bool ta, bool tb, int m, int n, int k, float alpha, const std::vector<float>& A, int lda,
               const std::vector<float>& B, int ldb, float beta, std::vector<float>& C, int ldc, std::size_t offA = 0,
               std::size_t offB = 0, std::size_t offC = 0) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double acc = 0;
            for (int l = 0; l < k; l++) {
                double a = ta ? A[offA + l + (std::size_t)i * lda] : A[offA + i + (std::size_t)l * lda];
                double b = tb ? B[offB + j + (std::size_t)l * ldb] : B[offB + l + (std::size_t)j * ldb];
                acc += a * b;
            }
            float& c = C[offC + i + (std::size_t)j * ldc];
            c = beta == 0.f ? (float)(alpha * acc) : (float)(alpha * acc + beta * (double)c);
        }
}

double relErr(const std::vector<float>& a, const std::vector<float>& b) {
    double num = 0, den = 1e-6;
    for (std::size_t i = 0; i < a.size(); i++) {
        if (std::isnan(a[i]) != std::isnan(b[i])) return INFINITY;
        if (std::isnan(a[i])) continue;
        num = std::fmax(num, std::fabs((double)a[i] - b[i]));
        den = std::fmax(den, std::fabs((double)b[i]));
    }
    return num / den;
}

void testGemm(std::mt19937& rng) {
    cublasHandle_t h = nullptr;
    CHECK(cublasCreate_v2(&h) == 0, "cublasCreate");
    CHECK(cublasSetStream_v2(h, stream) == 0, "cublasSetStream");
    int version = 0;
    CHECK(cublasGetVersion_v2(h, &version) == 0 && version > 0, "cublasGetVersion");
    CHECK(std::strcmp(cublasGetStatusName(7), "CUBLAS_STATUS_INVALID_VALUE") == 0, "cublasGetStatusName");
    std::uniform_real_distribution<float> u(-1.f, 1.f);
    const int m = 7, n = 5, k = 9, batch = 3;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            int rowsA = ta ? k : m, colsA = ta ? m : k, rowsB = tb ? n : k, colsB = tb ? k : n;
            int lda = rowsA + 3, ldb = rowsB + 1, ldc = m + 2;
            long long sA = (long long)lda * colsA + 5, sB = (long long)ldb * colsB + 2, sC = (long long)ldc * n + 1;
            std::vector<float> A(sA * batch), B(sB * batch), C(sC * batch);
            for (auto& v : A) v = u(rng);
            for (auto& v : B) v = u(rng);
            for (auto& v : C) v = u(rng);
            CUdeviceptr dA = upload(A), dB = upload(B), dC = upload(C);
            float alpha = 1.5f, beta = 0.5f, zero = 0.f;
            // Sgemm with beta 0.5
            std::vector<float> ref = C;
            naiveGemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, ref, ldc);
            CHECK(cublasSgemm_v2(h, ta, tb, m, n, k, &alpha, (float*)dA, lda, (float*)dB, ldb, &beta, (float*)dC, ldc) == 0,
                  "sgemm");
            auto got = download<float>(dC, C.size());
            CHECK(relErr(got, ref) <= 1e-6, "sgemm ta=%d tb=%d: rel err %g", ta, tb, relErr(got, ref));
            // beta 0: C is not read (NaN must not propagate); GemmEx with CUBLAS_COMPUTE_32F
            std::vector<float> nanC(C.size(), NAN);
            OK(cuMemcpyHtoDAsync_v2(dC, nanC.data(), nanC.size() * 4, stream));
            ref = nanC;
            naiveGemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, zero, ref, ldc);
            CHECK(cublasGemmEx(h, ta, tb, m, n, k, &alpha, (void*)dA, 0, lda, (void*)dB, 0, ldb, &zero, (void*)dC, 0, ldc,
                               68, -1) == 0,
                  "gemmEx");
            got = download<float>(dC, C.size());
            CHECK(relErr(got, ref) <= 1e-6, "gemmEx beta=0 ta=%d tb=%d: rel err %g", ta, tb, relErr(got, ref));
            // TF32: close but rounded
            CHECK(cublasGemmEx(h, ta, tb, m, n, k, &alpha, (void*)dA, 0, lda, (void*)dB, 0, ldb, &zero, (void*)dC, 0, ldc,
                               77, -1) == 0,
                  "gemmEx tf32");
            got = download<float>(dC, C.size());
            double e = relErr(got, ref);
            CHECK(e <= 5e-3 && e > 1e-7, "gemmEx tf32 ta=%d tb=%d: rel err %g", ta, tb, e);
            // strided batched
            OK(cuMemcpyHtoDAsync_v2(dC, C.data(), C.size() * 4, stream));
            ref = C;
            for (int b = 0; b < batch; b++)
                naiveGemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, ref, ldc, b * sA, b * sB, b * sC);
            CHECK(cublasSgemmStridedBatched(h, ta, tb, m, n, k, &alpha, (float*)dA, lda, sA, (float*)dB, ldb, sB, &beta,
                                            (float*)dC, ldc, sC, batch) == 0,
                  "sgemmStridedBatched");
            got = download<float>(dC, C.size());
            CHECK(relErr(got, ref) <= 1e-6, "strided batched ta=%d tb=%d: rel err %g", ta, tb, relErr(got, ref));
            for (CUdeviceptr p : {dA, dB, dC}) OK(cuMemFree_v2(p));
        }
    // argument checks
    CUdeviceptr d;
    OK(cuMemAlloc_v2(&d, 4096));
    float one = 1.f;
    float* p = (float*)d;
    CHECK(cublasSgemm_v2(h, 0, 0, -1, 2, 2, &one, p, 2, p, 2, &one, p, 2) == 7, "m < 0");
    CHECK(cublasSgemm_v2(h, 0, 0, 4, 2, 2, &one, p, 3, p, 2, &one, p, 4) == 7, "lda < m");
    CHECK(cublasSgemm_v2(h, 1, 0, 4, 2, 3, &one, p, 2, p, 3, &one, p, 4) == 7, "lda < k (transposed A)");
    CHECK(cublasSgemm_v2(h, 0, 0, 4, 2, 3, &one, p, 4, p, 2, &one, p, 4) == 7, "ldb < k");
    CHECK(cublasSgemm_v2(h, 0, 0, 4, 2, 3, &one, p, 4, p, 3, &one, p, 3) == 7, "ldc < m");
    CHECK(cublasSgemm_v2(h, 5, 0, 4, 2, 3, &one, p, 4, p, 3, &one, p, 4) == 7, "bad op");
    CHECK(cublasGemmEx(h, 0, 0, 4, 2, 3, &one, p, 2, 4, p, 0, 3, &one, p, 0, 4, 68, -1) == 15, "CUDA_R_16F A");
    CHECK(cublasGemmEx(h, 0, 0, 4, 2, 3, &one, p, 0, 4, p, 0, 3, &one, p, 0, 4, 64, -1) == 15, "compute 16F");
    CHECK(cublasSgemmStridedBatched(h, 0, 0, 4, 2, 3, &one, p, 4, 0, p, 3, 0, &one, p, 4, 0, -1) == 7, "batch < 0");
    std::vector<float> host(16);
    CHECK(cublasSgemm_v2(h, 0, 0, 4, 4, 4, &one, host.data(), 4, p, 4, &one, p, 4) == 13, "host pointer A");
    CHECK(cublasSetMathMode(h, 3) == 0 && cublasSetMathMode(h, 0) == 0 && cublasSetMathMode(h, 7) == 7, "math modes");
    OK(cuMemFree_v2(d));
    CHECK(cublasDestroy_v2(h) == 0, "cublasDestroy");
}
}  // namespace

int main() {
    std::mt19937 rng(42);
    CUdeviceptr d0;
    EXPECT(cuDeviceGetCount(new int), 3);
    EXPECT(cuMemAlloc_v2(&d0, 16), 3);
    OK(cuInit(0));
    int count = 0, v = 0;
    OK(cuDeviceGetCount(&count));
    CHECK(count == 1, "device count %d", count);
    CUdevice dev;
    OK(cuDeviceGet(&dev, 0));
    EXPECT(cuDeviceGet(&dev, 1), 101);
    char name[64];
    OK(cuDeviceGetName(name, sizeof name, dev));
    CHECK(std::strcmp(name, "VAVL CPU emulator") == 0, "name %s", name);
    OK(cuDeviceGetAttribute(&v, 16, dev));
    CHECK(v == 132, "SMs %d", v);
    OK(cuDeviceGetAttribute(&v, 75, dev));
    CHECK(v == 9, "cc major %d", v);
    OK(cuDeviceGetAttribute(&v, 97, dev));
    CHECK(v == 232448, "optin %d", v);
    std::size_t total = 0, freeMem = 0;
    OK(cuDeviceTotalMem_v2(&total, dev));
    CHECK(total == (4ull << 30), "total %zu", total);
    EXPECT(cuMemAlloc_v2(&d0, 16), 201);  // no current context yet
    CUcontext ctx;
    OK(cuDevicePrimaryCtxRetain(&ctx, dev));
    OK(cuCtxSetCurrent(ctx));
    OK(cuStreamCreate(&stream, 1));
    OK(cuMemGetInfo_v2(&freeMem, &total));
    CHECK(freeMem == total, "free %zu of %zu", freeMem, total);

    // modules and functions
    unsigned char bad[16] = {1, 2, 3, 4};
    unsigned char image[16] = {0x50, 0xED, 0x55, 0xBA, 1, 0, 16, 0};
    CUmodule mod;
    EXPECT(cuModuleLoadData(&mod, bad), 200);
    OK(cuModuleLoadData(&mod, image));
    CUfunction fn;
    EXPECT(cuModuleGetFunction(&fn, mod, "vavl_no_such_kernel"), 500);
    auto get = [&](const char* n) {
        CUfunction f = nullptr;
        OK(cuModuleGetFunction(&f, mod, n));
        return f;
    };
    CUfunction blockSum = get("emu_selftest_block_sum"), shuffle = get("emu_selftest_shuffle"),
               reverse = get("emu_selftest_reverse"), atomic = get("emu_selftest_atomic"),
               index = get("emu_selftest_index"), divergent = get("emu_selftest_divergent"),
               deadlock = get("emu_selftest_deadlock"), earlyExit = get("emu_selftest_early_exit"),
               write = get("emu_selftest_write"), axpy = get("emu_selftest_axpy");

    // block reductions (warp shuffles + __syncthreads)
    testBlockSum(blockSum, 256, 1000, rng);
    testBlockSum(blockSum, 1024, 2048, rng);
    testBlockSum(blockSum, 32, 70, rng);
    testBlockSum(blockSum, 96, 96, rng);

    // shuffles
    {
        std::vector<float> x(256);
        for (int i = 0; i < 256; i++) x[i] = (float)i;
        CUdeviceptr dx = upload(x), out, lanes;
        OK(cuMemAlloc_v2(&out, 8 * 4));
        OK(cuMemAlloc_v2(&lanes, 256 * 4));
        OK(launch(shuffle, 2, 1, 1, 128, 1, 1, 0, dx, out, lanes));
        auto o = download<float>(out, 8);
        auto l = download<int>(lanes, 256);
        for (int w = 0; w < 8; w++) {
            float ref = 0;
            for (int i = w * 32; i < w * 32 + 32; i++) ref += x[i];
            CHECK(o[w] == ref, "shfl_down warp %d: %g vs %g", w, o[w], ref);
        }
        bool lanesOk = true;
        for (int i = 0; i < 256; i++) lanesOk &= l[i] == ((i % 128) ^ 1);
        CHECK(lanesOk, "shfl_xor of int/unsigned");
        for (CUdeviceptr p : {dx, out, lanes}) OK(cuMemFree_v2(p));
    }

    // dynamic shared memory (48 KiB default limit, raised with cuFuncSetAttribute)
    {
        const int threads = 256, per = 64, blocks = 3, chunk = threads * per;  // 64 KiB per block
        std::vector<float> x((std::size_t)blocks * chunk);
        for (std::size_t i = 0; i < x.size(); i++) x[i] = (float)i;
        CUdeviceptr dx = upload(x), dy, mis;
        OK(cuMemAlloc_v2(&dy, x.size() * 4));
        OK(cuMemAlloc_v2(&mis, 4));
        OK(cuMemsetD32Async(mis, 0, 1, stream));
        EXPECT(launch(reverse, blocks, 1, 1, threads, 1, 1, chunk * 4, dx, dy, mis, per), 1);
        EXPECT(cuFuncSetAttribute(reverse, 8, 232449), 1);
        OK(cuFuncSetAttribute(reverse, 8, chunk * 4));
        OK(launch(reverse, blocks, 1, 1, threads, 1, 1, chunk * 4, dx, dy, mis, per));
        auto y = download<float>(dy, x.size());
        bool rev = true;
        for (int b = 0; b < blocks; b++)
            for (int j = 0; j < chunk; j++) rev &= y[(std::size_t)b * chunk + j] == x[(std::size_t)b * chunk + chunk - 1 - j];
        CHECK(rev, "dynamic shared reverse (64 KiB)");
        OK(launch(reverse, 2, 1, 1, 100, 1, 1, 100 * 4, dx, dy, mis, 1));  // small, odd block
        y = download<float>(dy, 200);
        CHECK(y[0] == 99 && y[99] == 0 && y[100] == 199 && y[199] == 100, "dynamic shared reverse (100 threads)");
        CHECK(download<int>(mis, 1)[0] == 0, "dynamic shared memory not 16-byte aligned");
        for (CUdeviceptr p : {dx, dy, mis}) OK(cuMemFree_v2(p));
    }

    // atomics across blocks
    {
        CUdeviceptr acc, accD;
        OK(cuMemAlloc_v2(&acc, 4));
        OK(cuMemAlloc_v2(&accD, 8));
        OK(cuMemsetD32Async(acc, 0, 1, stream));
        OK(cuMemsetD8Async(accD, 0, 8, stream));
        OK(launch(atomic, 50, 1, 1, 128, 1, 1, 0, acc, accD));
        CHECK(download<float>(acc, 1)[0] == 6400.f, "atomicAdd float %g", download<float>(acc, 1)[0]);
        CHECK(download<double>(accD, 1)[0] == 3200.0, "atomicAdd double");
        OK(cuMemFree_v2(acc));
        OK(cuMemFree_v2(accD));
    }

    // 3-D indices
    {
        const int blocks = 2 * 3 * 2, threads = 4 * 2 * 3;
        CUdeviceptr out;
        OK(cuMemAlloc_v2(&out, blocks * threads * 4));
        OK(launch(index, 2, 3, 2, 4, 2, 3, 0, out));
        auto o = download<int>(out, blocks * threads);
        bool ok = true;
        for (int b = 0; b < blocks; b++)
            for (int t = 0; t < threads; t++) ok &= o[b * threads + t] == b * 1000 + t;
        CHECK(ok, "3-D grid/block indices");
        OK(cuMemFree_v2(out));
    }

    // divergent barriers are launch failures; the device keeps working afterwards
    {
        CUdeviceptr y;
        OK(cuMemAlloc_v2(&y, 1024 * 4));
        CUresult r = launch(divergent, 1, 1, 1, 32, 1, 1, 0, y);
        CHECK(r == 719 && contains(message(r), "divergent __syncthreads"), "divergent: %d %s", r, message(r).c_str());
        r = launch(deadlock, 2, 1, 1, 64, 1, 1, 0, y);
        CHECK(r == 719 && contains(message(r), "deadlock"), "deadlock: %d %s", r, message(r).c_str());
        const char* nm = nullptr;
        OK(cuGetErrorName(719, &nm));
        CHECK(nm && std::strcmp(nm, "CUDA_ERROR_LAUNCH_FAILED") == 0, "error name %s", nm ? nm : "null");
        OK(launch(get("emu_selftest_exited_lane"), 1, 1, 1, 32, 1, 1, 0, y));
        auto e = download<float>(y, 16);
        CHECK(std::isnan(e[0]) && std::isnan(e[15]), "shuffle from an exited lane: %g", e[0]);
        OK(launch(earlyExit, 1, 1, 1, 128, 1, 1, 0, y, 100));
        auto o = download<float>(y, 100);
        CHECK(o[0] == 99.f && o[99] == 0.f, "early exit before __syncthreads");
        OK(cuMemFree_v2(y));
    }

    // out-of-bounds writes, bad frees, bad copies
    {
        CUdeviceptr y;
        OK(cuMemAlloc_v2(&y, 40));
        float val = 1.f;
        CUresult r = launch(write, 1, 1, 1, 32, 1, 1, 0, y, 10, val);
        CHECK(r == 700 && contains(message(r), "40 bytes"), "write past the end: %d %s", r, message(r).c_str());
        EXPECT(cuCtxSynchronize(), 700);
        r = cuMemFree_v2(y);
        CHECK(r == 700 && contains(message(r), "40 bytes") && contains(message(r), "cuMemFree"), "free: %d %s", r,
              message(r).c_str());
        OK(cuCtxSynchronize());
        OK(cuMemAlloc_v2(&y, 40));
        r = launch(write, 1, 1, 1, 32, 1, 1, 0, y, -1, val);
        CHECK(r == 700 && contains(message(r), "before"), "write before the start: %d %s", r, message(r).c_str());
        EXPECT(cuMemFree_v2(y), 700);
        EXPECT(cuMemFree_v2(y), 1);  // double free
        EXPECT(cuMemFree_v2(12345), 1);
        OK(cuMemAlloc_v2(&y, 40));
        std::vector<float> h(11);
        EXPECT(cuMemcpyDtoHAsync_v2(h.data(), y, 44, stream), 1);
        EXPECT(cuMemcpyHtoDAsync_v2(y + 4, h.data(), 40, stream), 1);
        OK(cuMemcpyHtoDAsync_v2(y + 4, h.data(), 36, stream));
        EXPECT(cuMemAlloc_v2(&d0, 0), 1);
        EXPECT(cuMemAlloc_v2(&d0, 5ull << 30), 2);
        OK(cuMemFree_v2(y));
    }

    // launch validation
    {
        CUdeviceptr y;
        OK(cuMemAlloc_v2(&y, 4096));
        EXPECT(launch(axpy, 1, 1, 1, 1025, 1, 1, 0, y, y, 1.f, 0), 1);
        EXPECT(launch(axpy, 1, 1, 1, 32, 33, 1, 0, y, y, 1.f, 0), 1);
        EXPECT(launch(axpy, 1, 1, 1, 1, 1, 65, 0, y, y, 1.f, 0), 1);
        EXPECT(launch(axpy, 1, 65536, 1, 32, 1, 1, 0, y, y, 1.f, 0), 1);
        EXPECT(launch(axpy, 1, 1, 65536, 32, 1, 1, 0, y, y, 1.f, 0), 1);
        EXPECT(launch(axpy, 0, 1, 1, 32, 1, 1, 0, y, y, 1.f, 0), 1);
        EXPECT(launch(axpy, 1, 1, 1, 32, 1, 1, 48 * 1024 + 1, y, y, 1.f, 0), 1);
        OK(launch(axpy, 1, 1, 1, 32, 1, 1, 48 * 1024, y, y, 1.f, 0));
        OK(launch(axpy, 1, 1, 1, 1024, 1, 1, 0, y, y, 1.f, 0));
        EXPECT(launch((CUfunction) nullptr, 1, 1, 1, 32, 1, 1, 0, y), 400);
        OK(cuMemFree_v2(y));
    }

    // many threads without barriers (timing printed for information)
    {
        const int n = 1 << 20;
        std::vector<float> x(n, 2.f), y0(n, 1.f);
        CUdeviceptr dx = upload(x), dy = upload(y0);
        auto t0 = std::chrono::steady_clock::now();
        OK(launch(axpy, n / 256, 1, 1, 256, 1, 1, 0, dx, dy, 3.f, n));
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        auto y = download<float>(dy, n);
        bool ok = true;
        for (float e : y) ok &= e == 7.f;
        CHECK(ok, "axpy over 2^20 threads");
        std::printf("info: 2^20-thread launch without barriers: %.1f ms\n", ms);
        t0 = std::chrono::steady_clock::now();
        testBlockSum(blockSum, 1024, 1 << 18, rng);
        ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::printf("info: block_sum over 2^18 threads (1024 per block) incl. copies: %.1f ms\n", ms);
        OK(cuMemFree_v2(dx));
        OK(cuMemFree_v2(dy));
    }

    testGemm(rng);

    // streams and events
    {
        CUevent a, b;
        OK(cuEventCreate(&a, 0));
        OK(cuEventCreate(&b, 0));
        float ms = -1;
        EXPECT(cuEventElapsedTime_v2(&ms, a, b), 400);
        OK(cuEventRecord(a, stream));
        OK(cuEventRecord(b, stream));
        OK(cuEventSynchronize(b));
        OK(cuEventElapsedTime_v2(&ms, a, b));
        CHECK(ms >= 0, "elapsed %g", ms);
        OK(cuEventDestroy_v2(a));
        OK(cuEventDestroy_v2(b));
        EXPECT(cuEventDestroy_v2(a), 400);
        CUdeviceptr x, y;
        OK(cuMemAlloc_v2(&x, 64));
        OK(cuMemAlloc_v2(&y, 64));
        OK(cuMemsetD8Async(x, 7, 64, stream));
        OK(cuMemcpyDtoDAsync_v2(y, x, 64, stream));
        auto c = download<unsigned char>(y, 64);
        CHECK(c[0] == 7 && c[63] == 7, "memset + DtoD");
        OK(cuMemFree_v2(x));
        OK(cuMemFree_v2(y));
    }

    OK(cuModuleUnload(mod));
    EXPECT(cuLaunchKernel(axpy, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr), 400);
    OK(cuStreamDestroy_v2(stream));
    OK(cuMemGetInfo_v2(&freeMem, &total));
    CHECK(freeMem == total, "leaked %zu bytes", total - freeMem);
    OK(cuDevicePrimaryCtxRelease_v2(dev));

    if (failures) {
        std::printf("selftest FAILED: %d of %d checks\n", failures, checks);
        return 1;
    }
    std::printf("selftest passed: %d checks\n", checks);
    return 0;
}
