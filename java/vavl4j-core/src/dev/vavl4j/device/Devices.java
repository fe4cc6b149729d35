package dev.vavl4j.device;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.backend.cuda.CudaBackend;
import dev.vavl4j.backend.cuda.CudaUnavailableException;
import java.util.Locale;

/**
 * Chooses a backend from a device name: {@code cpu}, {@code cuda} or {@code auto}. {@code cuda} fails
 * with one clear line when no GPU can be used; {@code auto} takes the GPU when one opens and otherwise
 * the CPU, saying why.
 */
public final class Devices {
    private Devices() {}

    /** The chosen backend and a one-line reason (for {@code auto}, why it chose what it chose). */
    public record Selection(Backend backend, String reason) {}

    private static final System.Logger LOG = System.getLogger(Devices.class.getName());

    /** {@link #open(String, int)} with one CPU thread per core. */
    public static Selection open(String device) {
        return open(device, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Opens the backend {@code device} names; a CPU backend gets {@code cpuThreads} threads. The choice and
     * its reason are also logged (System.Logger {@code dev.vavl4j.device.Devices}, level INFO).
     */
    public static Selection open(String device, int cpuThreads) {
        Selection s = choose(device, cpuThreads);
        LOG.log(System.Logger.Level.INFO, "vavl4j backend: {0}", s.reason());
        return s;
    }

    private static Selection choose(String device, int cpuThreads) {
        String d = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
        return switch (d) {
            case "cpu" -> new Selection(new CpuBackend(cpuThreads), "cpu: requested (" + cpuThreads + " threads)");
            case "cuda" -> {
                try {
                    CudaBackend b = CudaBackend.open();
                    yield new Selection(b, "cuda: " + b.description());
                } catch (RuntimeException e) {
                    throw new DeviceUnavailableException("--device cuda: " + why(e) + "; use --device cpu or auto");
                }
            }
            case "auto" -> {
                try {
                    CudaBackend b = CudaBackend.open();
                    yield new Selection(b, "auto chose cuda: " + b.description());
                } catch (RuntimeException e) {
                    // The full search list belongs to an explicit --device cuda; auto keeps it to the cause.
                    String why = why(e);
                    int looked = why.indexOf(" (looked in ");
                    yield new Selection(new CpuBackend(cpuThreads), "auto chose cpu: " + (looked > 0 ? why.substring(0, looked) : why));
                }
            }
            default -> throw new dev.vavl4j.ConfigException("unknown device '" + device + "' (expected cpu, cuda or auto)");
        };
    }

    /** The one line a user sees; an unexpected failure keeps its exception class so it can be reported. */
    private static String why(RuntimeException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        if (e instanceof CudaUnavailableException || e.getClass().getSimpleName().startsWith("Cuda")) return m;
        return "the CUDA backend failed to start (" + e.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m) + ")";
    }

    public static final class DeviceUnavailableException extends dev.vavl4j.DeviceException {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }
}
