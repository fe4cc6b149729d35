package dev.vavl4j.perf;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wall time per backend op: wraps a {@link Backend} in a proxy that times every call it forwards.
 *
 * <p>Only meaningful for a synchronous backend (the CPU one): a CUDA op returns when it is queued. Calls an
 * op makes to its own backend (a default method calling its parts) do not pass the proxy, so they count
 * under the outer op and the totals add up to the time spent in the backend. Matrix products are keyed by
 * their form and shape ({@code gemm NT 600x2048x512}: m×n×k; a {@code *} marks a product over valid frames only),
 * since which products dominate is the question.
 */
public final class OpProfile {
    /** Accumulated calls, nanoseconds and (for matrix products, else 0) floating-point operations of one op. */
    public record Entry(String op, long calls, long nanos, long flops) {}

    private final Map<String, LongAdder[]> totals = new ConcurrentHashMap<>();

    /** A backend that forwards to {@code target} and records into this profile. */
    public Backend wrap(Backend target) {
        InvocationHandler h = (proxy, method, args) -> forward(target, method, args);
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    private Object forward(Backend target, Method method, Object[] args) throws Throwable {
        long t0 = System.nanoTime();
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            long dt = System.nanoTime() - t0;
            LongAdder[] acc = totals.computeIfAbsent(key(method, args),
                    k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
            acc[0].increment();
            acc[1].add(dt);
            acc[2].add(gemmFlops(method, args));
        }
    }

    /**
     * 2·m·n·k for gemm(a, transA, b, transB, c, alpha, beta), and for gemmValidRows(a, b, transB, bias, c,
     * beta, mask) counting every row, padded ones included: the model's FLOPs as a dense implementation (the
     * PyTorch peer) computes them, whatever a backend skips. 0 for any other op.
     */
    private static long gemmFlops(Method method, Object[] args) {
        if (args == null) return 0;
        if (method.getName().equals("gemm") && args.length == 7) {
            Tensor a = (Tensor) args[0], c = (Tensor) args[4];
            long k = (Boolean) args[1] ? a.rows() : a.cols();
            return 2L * c.rows() * c.cols() * k;
        }
        if (method.getName().equals("gemmValidRows") && args.length == 7) {
            Tensor a = (Tensor) args[0], c = (Tensor) args[4];
            return 2L * c.rows() * c.cols() * a.cols();
        }
        return 0;
    }

    /** gemm(a, transA, b, transB, c, alpha, beta) → "gemm NT m×n×k", gemmValidRows → "gemm NT* m×n×k"; else the name. */
    private static String key(Method method, Object[] args) {
        if (method.getName().equals("gemmValidRows") && args != null && args.length == 7) {
            Tensor a = (Tensor) args[0], c = (Tensor) args[4];
            return "gemm N" + ((Boolean) args[2] ? "T" : "N") + "* " + c.rows() + "x" + c.cols() + "x" + a.cols();
        }
        if (!method.getName().equals("gemm") || args == null || args.length != 7) return method.getName();
        Tensor a = (Tensor) args[0], c = (Tensor) args[4];
        boolean transA = (Boolean) args[1], transB = (Boolean) args[3];
        int k = transA ? a.rows() : a.cols();
        return "gemm " + (transA ? "T" : "N") + (transB ? "T" : "N") + " " + c.rows() + "x" + c.cols() + "x" + k;
    }

    /** Forgets everything recorded so far (call after warm-up). */
    public void reset() {
        totals.clear();
    }

    /** Matrix-product operations recorded so far. */
    public long gemmFlops() {
        return totals.values().stream().mapToLong(acc -> acc[2].sum()).sum();
    }

    /** The ops recorded so far, most time first. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        totals.forEach((op, acc) -> out.add(new Entry(op, acc[0].sum(), acc[1].sum(), acc[2].sum())));
        out.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return out;
    }
}
