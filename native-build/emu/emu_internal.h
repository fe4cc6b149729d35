// Internal interface between the kernel registry, the fiber runtime and the driver API of the emulator.
#pragma once
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

namespace vavl_emu {
using AnyKernel = void (*)();
using Trampoline = void (*)(AnyKernel kernel, void** params);

struct KernelEntry {
    const char* name;
    AnyKernel kernel;
    Trampoline run;  // calls the kernel with its parameters unpacked from cuLaunchKernel's kernelParams
    int paramCount;
};

// The generated registry (registry.cpp): every VAVL_KERNEL of cuda/*.cu and selftest.cu.
extern const KernelEntry kernels[] __attribute__((visibility("hidden")));
extern const int kernelCount __attribute__((visibility("hidden")));

// Unpacks void** kernelParams with the kernel's real parameter types.
template <class... A>
struct Invoke {
    template <std::size_t... I>
    static void call(void (*f)(A...), void** p, std::index_sequence<I...>) {
        f(*static_cast<std::remove_reference_t<A>*>(p[I])...);
    }
    static void run(AnyKernel k, void** p) {
        call(reinterpret_cast<void (*)(A...)>(k), p, std::index_sequence_for<A...>{});
    }
};

// Deduction picks the one void-returning function of an overload set (a kernel may share its name
// with a __device__ helper, e.g. vavl_dropout).
template <class... A>
constexpr KernelEntry entry(const char* name, void (*f)(A...)) {
    return KernelEntry{name, reinterpret_cast<AnyKernel>(f), &Invoke<A...>::run, (int)sizeof...(A)};
}

// Runs a whole launch synchronously. Returns 0, or a CUresult (719) with the reason in err.
int runLaunch(const KernelEntry& k, const unsigned grid[3], const unsigned block[3], std::size_t sharedBytes,
              void** params, std::string& err) __attribute__((visibility("hidden")));
}  // namespace vavl_emu
