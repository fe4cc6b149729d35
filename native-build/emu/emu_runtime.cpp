// The fiber runtime of the emulator: runs a launch's blocks one after another and a block's threads as
// fibers on the calling OS thread. Barriers:
//   warp barrier (shuffles, __syncwarp): released when every unfinished thread of the warp waits at one;
//   __syncthreads: released when every unfinished thread of the block waits at it, all at the same source line.
// When nothing can run and no barrier can be released the launch fails (a __syncthreads in divergent
// code, a shuffle some lanes of a warp skip, ...).
//
// Scheduling (the order in which the fibers run; race-free kernels cannot tell): the scheduler enters
// the warps of the block in order; inside a warp a fiber that stops (finishes, or waits at a barrier)
// switches directly to the next runnable lane of its warp, and the last lane to reach a warp barrier
// releases it and switches to the lowest waiting lane. When a warp can do nothing more (all its lanes
// finished, or waiting at __syncthreads, or stuck) control goes back to the scheduler, which enters the
// next warp; when no warp can run it releases __syncthreads or reports the deadlock. Stacks are pooled:
// a fiber takes one when it starts and gives it back when it finishes, and a thread that finishes
// without ever waiting hands its stack straight to the next lane, which then runs without any switch
// (so kernels without barriers run their threads back to back on one stack).
#include "cuda_emu.h"
#include "emu_internal.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#if defined(__x86_64__) && !defined(VAVL_EMU_UCONTEXT)
#define VAVL_EMU_ASM_SWITCH 1  // a minimal context switch; elsewhere (or with -DVAVL_EMU_UCONTEXT) ucontext
#else
#define VAVL_EMU_ASM_SWITCH 0
#include <ucontext.h>
#endif

namespace vavl_emu {
Regs regs;

namespace {
constexpr std::size_t kStack = 256 * 1024;  // per fiber; a PROT_NONE page below catches overflow
constexpr unsigned kMaxThreads = 1024;

// A saved execution context.
struct Ctx {
#if VAVL_EMU_ASM_SWITCH
    void* sp = nullptr;  // (offsets 0, 8, 16 are used by the switch below)
    void* pc = nullptr;
    void* bp = nullptr;
#else
    ucontext_t uc;
#endif
};

struct Stack {
    char* lo = nullptr;
    unsigned stagger = 0;  // the top is lowered by this many bytes (mod 64 KiB)
};

struct alignas(64) Fiber {  // (the fields a switch touches first: one cache line with the asm switch)
    Ctx ctx;
    unsigned long long gen = 0;  // shuffles done, offset by the block's epoch
    uint3 tid{0, 0, 0};
    int line = 0;                // where it waits at __syncthreads
    const char* file = nullptr;
    Stack* stack = nullptr;  // while started and unfinished
};

// The state of the lanes of one warp, one bit per lane. A lane is in exactly one of: runnable (not
// started, or released from a barrier), running (the current fiber), atWarp (waits at a shuffle or
// __syncwarp), atBlock (waits at __syncthreads), done.
struct Warp {
    Fiber* base = nullptr;  // lane 0
    uint32_t exist = 0;     // lanes the block has
    uint32_t runnable = 0;
    uint32_t fresh = 0;  // runnable lanes that have not started (no stack yet)
    uint32_t atWarp = 0, atBlock = 0, done = 0;
};

Fiber* fibers = nullptr;  // kMaxThreads, by linear thread index
Warp warps[kMaxThreads / 32];
unsigned nwarps = 0;
std::vector<Stack*> stacks, freeStacks;
Fiber* cur = nullptr;  // the running fiber
Warp* curWarp = nullptr;  // and its warp (regs.lane is its lane)
unsigned nthreads = 0;
const KernelEntry* curKernel = nullptr;
void** curParams = nullptr;
unsigned char* dynShared = nullptr;
std::size_t dynCapacity = 0;
unsigned long long epoch = 0;
uint64_t xbuf[32][2][32];
unsigned long long xgen[32][2][32];
Ctx sched;  // the scheduler's context (the launching OS thread's stack)

#if VAVL_EMU_ASM_SWITCH
// switchCtx(save, to): saves where this fiber continues (stack pointer, frame pointer, resume address)
// in `save` and continues at `to`. Every other register is declared clobbered, so the compiler keeps
// nothing in registers across the switch and saves the callee-saved ones in the enclosing function's
// prologue as usual; the switch itself writes no stack. jumpCtx(to): the same without saving.
#ifdef __AVX512F__
#define VAVL_EMU_CLOBBER_AVX512                                                                                    \
    , "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", \
        "xmm28", "xmm29", "xmm30", "xmm31", "k1", "k2", "k3", "k4", "k5", "k6", "k7"
#else
#define VAVL_EMU_CLOBBER_AVX512
#endif
inline __attribute__((always_inline)) void switchCtx(Ctx& save, Ctx& to) {
    Ctx* s = &save;
    Ctx* t = &to;
    asm volatile(
        "leaq 1f(%%rip), %%rax\n\t"
        "movq %%rax, 8(%0)\n\t"
        "movq %%rsp, 0(%0)\n\t"
        "movq %%rbp, 16(%0)\n\t"
        "movq 0(%1), %%rsp\n\t"
        "movq 16(%1), %%rbp\n\t"
        "jmpq *8(%1)\n\t"
        "1:\n\t"
        : "+D"(s), "+S"(t)
        :
        : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "memory", "cc",
          "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
          "xmm12", "xmm13", "xmm14", "xmm15" VAVL_EMU_CLOBBER_AVX512);
}
[[noreturn]] inline __attribute__((always_inline)) void jumpCtx(Ctx& to) {
    asm volatile(
        "movq 0(%0), %%rsp\n\t"
        "movq 16(%0), %%rbp\n\t"
        "jmpq *8(%0)\n\t"
        :
        : "r"(&to)
        : "memory");
    __builtin_unreachable();
}
#else
inline void switchCtx(Ctx& save, Ctx& to) { swapcontext(&save.uc, &to.uc); }
[[noreturn]] inline void jumpCtx(Ctx& to) {
    setcontext(&to.uc);
    std::abort();
}
#endif

void fiberMain();

// Gives the fresh fiber f a free stack and a context that starts in fiberMain.
void start(Fiber& f) {
    f.stack = freeStacks.back();
    freeStacks.pop_back();
#if VAVL_EMU_ASM_SWITCH
    // Stack tops are staggered (by up to 64 KiB) so that the fibers' hot frames do not all map to the
    // same cache sets.
    uintptr_t top = (reinterpret_cast<uintptr_t>(f.stack->lo) + kStack - (f.stack->stagger & 0xFFFF)) & ~uintptr_t(15);
    uint64_t* sp = reinterpret_cast<uint64_t*>(top - 8);  // as after a call: the ABI's alignment at entry
    *sp = 0;                                                // fiberMain's (fake) return address
    f.ctx.sp = sp;
    f.ctx.pc = reinterpret_cast<void*>(&fiberMain);
    f.ctx.bp = nullptr;  // (MXCSR and the x87 control word are shared: kernels do not change them)
#else
    getcontext(&f.ctx.uc);
    f.ctx.uc.uc_stack.ss_sp = f.stack->lo;
    f.ctx.uc.uc_stack.ss_size = kStack;
    f.ctx.uc.uc_link = nullptr;
    makecontext(&f.ctx.uc, &fiberMain, 0);
#endif
}

// The lane of warp w to run after lane `lane` stopped (itself included), or -1 when the warp can do
// nothing more now: the next runnable lane after it (cyclically), or, when none is runnable and every
// unfinished lane waits at a warp barrier, the lowest of them after releasing the barrier.
inline int nextInWarp(Warp& w, unsigned lane) {
    uint32_t r = w.runnable;
    if (r) {
        uint32_t after = r & ~((2u << lane) - 1u);  // lanes above `lane` (none for lane 31)
        return __builtin_ctz(after ? after : r);
    }
    if (w.atWarp == 0 || w.atWarp != (w.exist & ~w.done)) return -1;
    w.runnable = w.atWarp;
    w.atWarp = 0;
    return __builtin_ctz(w.runnable);
}

// Makes the runnable lane `lane` of warp w the running fiber; true when it has not started yet.
inline bool take(Warp& w, unsigned lane) {
    uint32_t bit = 1u << lane;
    w.runnable &= ~bit;
    bool fresh = (w.fresh & bit) != 0;
    w.fresh &= ~bit;
    Fiber* n = w.base + lane;
    cur = n;
    curWarp = &w;
    regs.lane = lane;
    regs.tid = n->tid;
    return fresh;
}

void fiberMain() {
    for (;;) {
        curKernel->run(curKernel->kernel, curParams);
        Fiber* f = cur;
        Warp& w = *curWarp;
        unsigned lane = regs.lane;
        w.done |= 1u << lane;
        Stack* st = f->stack;
        f->stack = nullptr;
        int next = nextInWarp(w, lane);
        if (next >= 0 && take(w, (unsigned)next)) {  // a fresh lane: it runs on this stack, from here
            cur->stack = st;
            continue;
        }
        freeStacks.push_back(st);  // reused only after this fiber has left it
        jumpCtx(next >= 0 ? cur->ctx : sched);
    }
}

// The running fiber waits at a barrier (at __syncthreads when block) until another fiber resumes it.
inline __attribute__((always_inline)) void suspend(bool block) {
    Fiber* f = cur;
    Warp& w = *curWarp;
    unsigned lane = regs.lane;
    if (block) w.atBlock |= 1u << lane;
    else w.atWarp |= 1u << lane;
    int next = nextInWarp(w, lane);
    if (next < 0) {
        switchCtx(f->ctx, sched);
        return;
    }
    bool fresh = take(w, (unsigned)next);
    Fiber* n = cur;
    if (n == f) return;  // it released its own warp barrier and is the lowest waiting lane
    if (fresh) start(*n);
    switchCtx(f->ctx, n->ctx);
}

bool ensureFibers(unsigned n, std::string& err) {
    static const std::size_t page = (std::size_t)sysconf(_SC_PAGESIZE);
    if (!fibers) fibers = new Fiber[kMaxThreads];
    while (stacks.size() < n) {
        void* m = mmap(nullptr, kStack + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (m == MAP_FAILED) {
            err = "emulator: cannot map a fiber stack";
            return false;
        }
        mprotect(m, page, PROT_NONE);
        Stack* s = new Stack();
        s->lo = static_cast<char*>(m) + page;
        s->stagger = (unsigned)stacks.size() * 4160u;
        stacks.push_back(s);
    }
    return true;
}

std::string describe(const Fiber& f) {
    char b[96];
    std::snprintf(b, sizeof b, "thread (%u,%u,%u)", f.tid.x, f.tid.y, f.tid.z);
    return b;
}

std::string site(const Fiber& f) {
    const char* s = f.file ? f.file : "?";
    const char* slash = std::strrchr(s, '/');
    return std::string(slash ? slash + 1 : s) + ":" + std::to_string(f.line);
}

inline bool atBlock(unsigned i) { return (warps[i >> 5].atBlock >> (i & 31)) & 1u; }
inline bool atWarp(unsigned i) { return (warps[i >> 5].atWarp >> (i & 31)) & 1u; }

// Runs one block to completion; false with err when it cannot finish.
bool runBlock(std::string& err) {
    for (unsigned i = 0; i < nthreads; i++) fibers[i].gen = epoch;
    for (unsigned k = 0; k < nwarps; k++) {
        Warp& w = warps[k];
        w.runnable = w.fresh = w.exist;
        w.atWarp = w.atBlock = w.done = 0;
    }
    for (;;) {
        for (unsigned k = 0; k < nwarps; k++) {
            Warp& w = warps[k];
            if (!w.runnable) continue;
            if (take(w, (unsigned)__builtin_ctz(w.runnable))) start(*cur);
            switchCtx(sched, cur->ctx);  // back when the warp can do nothing more
        }
        // No warp can run: release __syncthreads, or fail.
        unsigned done = 0, waiting = 0;
        for (unsigned k = 0; k < nwarps; k++) {
            done += (unsigned)__builtin_popcount(warps[k].done);
            waiting += (unsigned)__builtin_popcount(warps[k].atBlock);
        }
        if (done == nthreads) return true;
        if (waiting == nthreads - done) {
            const Fiber* first = nullptr;
            for (unsigned i = 0; i < nthreads; i++) {
                if (!atBlock(i)) continue;
                const Fiber& f = fibers[i];
                if (!first) first = &f;
                else if (f.line != first->line || std::strcmp(f.file, first->file) != 0) {
                    err = "divergent __syncthreads: " + describe(*first) + " waits at " + site(*first) + " but " +
                          describe(f) + " at " + site(f);
                    return false;
                }
            }
            for (unsigned k = 0; k < nwarps; k++) {
                warps[k].runnable = warps[k].atBlock;
                warps[k].atBlock = 0;
            }
            continue;
        }
        // Deadlock.
        const Fiber *b = nullptr, *w = nullptr;
        unsigned shuffling = 0;
        for (unsigned i = 0; i < nthreads; i++) {
            if (atBlock(i) && !b) b = &fibers[i];
            if (atWarp(i)) {
                shuffling++;
                if (!w) w = &fibers[i];
            }
        }
        err = "deadlock: " + std::to_string(waiting) + " threads wait at __syncthreads" +
              (b ? " (e.g. " + describe(*b) + " at " + site(*b) + ")" : std::string()) + ", " +
              std::to_string(shuffling) + " at a warp shuffle/__syncwarp" +
              (w ? " (e.g. " + describe(*w) + ")" : std::string()) + ", " + std::to_string(done) +
              " finished: a barrier in divergent code";
        return false;
    }
}
}  // namespace

void syncthreads(const char* file, int line) {
    Fiber* f = cur;
    f->file = file;
    f->line = line;
    suspend(true);
}

void syncwarp() { suspend(false); }

uint64_t exchange(uint64_t bits, int srcLane) {
    Fiber* f = cur;
    unsigned w = (unsigned)(curWarp - warps), me = regs.lane;
    unsigned long long g = ++f->gen;
    unsigned slot = (unsigned)(g & 1);
    xbuf[w][slot][me] = bits;
    xgen[w][slot][me] = g;
    suspend(false);
    if (srcLane < 0 || srcLane > 31) return bits;
    // A lane that has exited or does not exist (partial warp) has no value: undefined on a GPU, all
    // one bits (NaN, -1) here so that results depending on it show.
    if (xgen[w][slot][srcLane] != g) return ~uint64_t(0);
    return xbuf[w][slot][srcLane];
}

void* dynamic_shared() { return dynShared; }

int runLaunch(const KernelEntry& k, const unsigned grid[3], const unsigned block[3], std::size_t sharedBytes,
              void** params, std::string& err) {
    nthreads = block[0] * block[1] * block[2];
    if (!ensureFibers(nthreads, err)) return 719;
    std::size_t need = sharedBytes < 16 ? 16 : sharedBytes;
    if (need > dynCapacity) {
        std::free(dynShared);
        dynCapacity = (need + 4095) & ~std::size_t(4095);
        dynShared = static_cast<unsigned char*>(std::aligned_alloc(64, dynCapacity));
    }
    for (unsigned i = 0; i < nthreads; i++) {
        Fiber& f = fibers[i];
        f.tid = uint3{i % block[0], (i / block[0]) % block[1], i / (block[0] * block[1])};
    }
    nwarps = (nthreads + 31) / 32;
    for (unsigned k = 0; k < nwarps; k++) {
        warps[k].base = fibers + 32 * k;
        unsigned lanes = nthreads - 32 * k < 32 ? nthreads - 32 * k : 32;
        warps[k].exist = lanes == 32 ? ~0u : (1u << lanes) - 1u;
    }
    // Every stack is free (a failed launch abandons its fibers); the first is taken first.
    freeStacks.assign(stacks.rbegin(), stacks.rend());
    curKernel = &k;
    curParams = params;
    regs.bdim = dim3(block[0], block[1], block[2]);
    regs.gdim = dim3(grid[0], grid[1], grid[2]);
    for (unsigned z = 0; z < grid[2]; z++)
        for (unsigned y = 0; y < grid[1]; y++)
            for (unsigned x = 0; x < grid[0]; x++) {
                regs.bid = uint3{x, y, z};
                std::memset(dynShared, 0xFF, need);  // uninitialised shared memory reads as NaN / -1
                epoch += 1ull << 32;
                if (!runBlock(err)) {
                    char where[160];
                    std::snprintf(where, sizeof where, "kernel %s, block (%u,%u,%u) of grid (%u,%u,%u), block dim (%u,%u,%u): ",
                                  k.name, x, y, z, grid[0], grid[1], grid[2], block[0], block[1], block[2]);
                    err = where + err;
                    return 719;
                }
            }
    return 0;
}
}  // namespace vavl_emu
