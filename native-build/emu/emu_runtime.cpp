// The fiber runtime of the emulator: runs a launch's blocks one after another and a block's threads as
// fibers on the calling OS thread. A fiber runs until it finishes or waits at a barrier; a pass runs
// every runnable fiber, then barriers whose threads have all arrived are released:
//   warp barrier (shuffles, __syncwarp): every unfinished thread of the warp waits at one;
//   __syncthreads: every unfinished thread of the block waits at it, all at the same source line.
// When nothing can run and no barrier can be released the launch fails (a __syncthreads in divergent
// code, a shuffle some lanes of a warp skip, ...). A kernel without barriers runs each thread in one go.
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
#include <ucontext.h>
#endif

namespace vavl_emu {
Regs regs;

namespace {
enum State : unsigned char { S_READY, S_BLOCK, S_WARP, S_DONE };

constexpr std::size_t kStack = 256 * 1024;  // per fiber; a PROT_NONE page below catches overflow

struct Fiber {
    void* sp = nullptr;
    char* stackLo = nullptr;
#if !VAVL_EMU_ASM_SWITCH
    ucontext_t uc;
#endif
    State state = S_DONE;
    unsigned linear = 0;
    unsigned stagger = 0;
    unsigned long long gen = 0;  // shuffles done, offset by the block's epoch
    uint3 tid{0, 0, 0};
    const char* file = nullptr;  // where it waits at __syncthreads
    int line = 0;
};

std::vector<Fiber*> fibers;
Fiber* cur = nullptr;
unsigned nthreads = 0;
const KernelEntry* curKernel = nullptr;
void** curParams = nullptr;
unsigned char* dynShared = nullptr;
std::size_t dynCapacity = 0;
unsigned long long epoch = 0;
uint64_t xbuf[32][2][32];
unsigned long long xgen[32][2][32];

#if VAVL_EMU_ASM_SWITCH
extern "C" void vavl_emu_switch(void** save, void* to) __attribute__((visibility("hidden")));
asm(R"(
.text
.globl vavl_emu_switch
.hidden vavl_emu_switch
.type vavl_emu_switch,@function
vavl_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
.size vavl_emu_switch, .-vavl_emu_switch
)");
void* schedSp = nullptr;
#else
ucontext_t schedCtx;
#endif

void fiberMain() {
    curKernel->run(curKernel->kernel, curParams);
    cur->state = S_DONE;
#if VAVL_EMU_ASM_SWITCH
    vavl_emu_switch(&cur->sp, schedSp);
#else
    swapcontext(&cur->uc, &schedCtx);
#endif
    std::abort();  // a finished fiber is never resumed
}

void startFiber(Fiber& f) {
#if VAVL_EMU_ASM_SWITCH
    // Stack tops are staggered (by up to 64 KiB) so that the fibers' hot frames do not all map to the
    // same cache sets.
    uintptr_t top = (reinterpret_cast<uintptr_t>(f.stackLo) + kStack - (f.stagger & 0xFFFF)) & ~uintptr_t(15);
    uint64_t* x = reinterpret_cast<uint64_t*>(top - 16);
    x[1] = 0;                                         // fake return address of fiberMain
    x[0] = reinterpret_cast<uint64_t>(&fiberMain);    // popped by `ret`
    uint64_t* sp = x - 6;                             // 6 callee-saved registers
    for (int i = 0; i < 6; i++) sp[i] = 0;
    f.sp = sp;  // (MXCSR and the x87 control word are shared: kernels do not change them)
#else
    getcontext(&f.uc);
    f.uc.uc_stack.ss_sp = f.stackLo;
    f.uc.uc_stack.ss_size = kStack;
    f.uc.uc_link = nullptr;
    makecontext(&f.uc, &fiberMain, 0);
#endif
}

void resume(Fiber& f) {
    cur = &f;
    regs.tid = f.tid;
#if VAVL_EMU_ASM_SWITCH
    vavl_emu_switch(&schedSp, f.sp);
#else
    swapcontext(&schedCtx, &f.uc);
#endif
}

void yieldToScheduler() {
    Fiber* f = cur;
#if VAVL_EMU_ASM_SWITCH
    vavl_emu_switch(&f->sp, schedSp);
#else
    swapcontext(&f->uc, &schedCtx);
#endif
}

bool ensureFibers(unsigned n, std::string& err) {
    static const std::size_t page = (std::size_t)sysconf(_SC_PAGESIZE);
    while (fibers.size() < n) {
        void* m = mmap(nullptr, kStack + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (m == MAP_FAILED) {
            err = "emulator: cannot map a fiber stack";
            return false;
        }
        mprotect(m, page, PROT_NONE);
        Fiber* f = new Fiber();
        f->stackLo = static_cast<char*>(m) + page;
        f->stagger = (unsigned)fibers.size() * 4160u;
        fibers.push_back(f);
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

// Runs one block to completion; false with err when it cannot finish.
bool runBlock(std::string& err) {
    for (unsigned i = 0; i < nthreads; i++) {
        Fiber& f = *fibers[i];
        f.state = S_READY;
        f.gen = epoch;
        startFiber(f);
    }
    unsigned warps = (nthreads + 31) / 32;
    for (;;) {
        for (unsigned i = 0; i < nthreads; i++)
            if (fibers[i]->state == S_READY) resume(*fibers[i]);
        // Nothing is runnable now: release what can be released.
        bool released = false;
        unsigned done = 0, atBlock = 0;
        for (unsigned w = 0; w < warps; w++) {
            unsigned lo = w * 32, hi = lo + 32 < nthreads ? lo + 32 : nthreads, unfinished = 0, atWarp = 0;
            for (unsigned i = lo; i < hi; i++) {
                State s = fibers[i]->state;
                if (s == S_DONE) done++;
                else unfinished++;
                if (s == S_WARP) atWarp++;
                if (s == S_BLOCK) atBlock++;
            }
            if (atWarp > 0 && atWarp == unfinished) {
                for (unsigned i = lo; i < hi; i++)
                    if (fibers[i]->state == S_WARP) fibers[i]->state = S_READY;
                released = true;
            }
        }
        if (done == nthreads) return true;
        if (released) continue;
        if (atBlock == nthreads - done) {
            const Fiber* first = nullptr;
            for (unsigned i = 0; i < nthreads; i++) {
                const Fiber& f = *fibers[i];
                if (f.state != S_BLOCK) continue;
                if (!first) first = &f;
                else if (f.line != first->line || std::strcmp(f.file, first->file) != 0) {
                    err = "divergent __syncthreads: " + describe(*first) + " waits at " + site(*first) + " but " +
                          describe(f) + " at " + site(f);
                    return false;
                }
            }
            for (unsigned i = 0; i < nthreads; i++)
                if (fibers[i]->state == S_BLOCK) fibers[i]->state = S_READY;
            continue;
        }
        // Deadlock.
        const Fiber *b = nullptr, *w = nullptr;
        unsigned atWarp = 0;
        for (unsigned i = 0; i < nthreads; i++) {
            const Fiber& f = *fibers[i];
            if (f.state == S_BLOCK && !b) b = &f;
            if (f.state == S_WARP) {
                atWarp++;
                if (!w) w = &f;
            }
        }
        err = "deadlock: " + std::to_string(atBlock) + " threads wait at __syncthreads" +
              (b ? " (e.g. " + describe(*b) + " at " + site(*b) + ")" : std::string()) + ", " +
              std::to_string(atWarp) + " at a warp shuffle/__syncwarp" +
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
    f->state = S_BLOCK;
    yieldToScheduler();
}

void syncwarp() {
    cur->state = S_WARP;
    yieldToScheduler();
}

unsigned lane() { return cur->linear & 31; }

uint64_t exchange(uint64_t bits, int srcLane) {
    Fiber* f = cur;
    unsigned w = f->linear >> 5, me = f->linear & 31;
    unsigned long long g = ++f->gen;
    unsigned slot = (unsigned)(g & 1);
    xbuf[w][slot][me] = bits;
    xgen[w][slot][me] = g;
    f->state = S_WARP;
    yieldToScheduler();
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
        Fiber& f = *fibers[i];
        f.linear = i;
        f.tid = uint3{i % block[0], (i / block[0]) % block[1], i / (block[0] * block[1])};
    }
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
