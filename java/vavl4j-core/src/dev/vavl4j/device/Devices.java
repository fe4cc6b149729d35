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

    public static Selection open(String device) {
        String d = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
        return switch (d) {
            case "cpu" -> new Selection(new CpuBackend(), "cpu: requested");
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
                    yield new Selection(new CpuBackend(), "auto chose cpu: " + (looked > 0 ? why.substring(0, looked) : why));
                }
            }
            default -> throw new IllegalArgumentException("unknown device '" + device + "' (expected cpu, cuda or auto)");
        };
    }

    /** The one line a user sees; an unexpected failure keeps its exception class so it can be reported. */
    private static String why(RuntimeException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        if (e instanceof CudaUnavailableException || e.getClass().getSimpleName().startsWith("Cuda")) return m;
        return "the CUDA backend failed to start (" + e.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m) + ")";
    }

    public static final class DeviceUnavailableException extends RuntimeException {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }
}
