package dev.vavl4j.device;

import dev.vavl4j.backend.Backend;
import dev.vavl4j.backend.cpu.CpuBackend;
import java.util.Locale;

/**
 * Chooses a backend from a device name: {@code cpu}, {@code cuda} or {@code auto}. This build has the
 * CPU reference backend only; {@code cuda} fails with one clear line and {@code auto} falls back to the
 * CPU, saying why.
 */
public final class Devices {
    private Devices() {}

    /** The chosen backend and a one-line reason (for {@code auto}, why it chose what it chose). */
    public record Selection(Backend backend, String reason) {}

    public static Selection open(String device) {
        String d = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
        return switch (d) {
            case "cpu" -> new Selection(new CpuBackend(), "cpu: requested");
            case "cuda" -> throw new DeviceUnavailableException(
                    "--device cuda: this build of vavl4j has no CUDA backend yet (CPU reference only); use --device cpu or auto");
            case "auto" -> new Selection(new CpuBackend(), "auto chose cpu: this build has no CUDA backend");
            default -> throw new IllegalArgumentException("unknown device '" + device + "' (expected cpu, cuda or auto)");
        };
    }

    public static final class DeviceUnavailableException extends RuntimeException {
        public DeviceUnavailableException(String message) {
            super(message);
        }
    }
}
