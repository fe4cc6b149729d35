package dev.vavl4j.cli;

import dev.vavl4j.device.Devices;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --device cpu|cuda|auto}, shared by every command that runs the model. */
final class DeviceOption {
    @Option(names = "--device", paramLabel = "cpu|cuda|auto", defaultValue = "auto",
            description = "backend: cpu, cuda or auto (default: ${DEFAULT-VALUE}; auto says which it chose and why)")
    String device;

    /** Opens the backend and reports the choice on stderr, so stdout keeps only results. */
    Devices.Selection open(PrintWriter err) {
        Devices.Selection sel = Devices.open(device);
        err.println("device: " + sel.reason());
        return sel;
    }
}
