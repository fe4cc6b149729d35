package dev.vavl4j.cli;

import dev.vavl4j.device.Devices;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --device cpu|cuda|auto} and {@code --threads N}, shared by every command that runs the model. */
final class DeviceOption {
    @Option(names = "--device", paramLabel = "cpu|cuda|auto", defaultValue = "auto",
            description = "backend: cpu, cuda or auto (default: ${DEFAULT-VALUE}; auto says which it chose and why)")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "threads of the CPU backend (default: one per core)")
    Integer threads;

    /** Opens the backend and reports the choice on stderr, so stdout keeps only results. */
    Devices.Selection open(PrintWriter err) {
        if (threads != null && threads < 1) throw new UsageException("--threads must be ≥ 1, got " + threads);
        Devices.Selection sel = Devices.open(device, threads != null ? threads : Runtime.getRuntime().availableProcessors());
        err.println("device: " + sel.reason());
        return sel;
    }
}
