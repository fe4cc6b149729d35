package dev.vavl4j.cli;

import dev.vavl4j.device.Devices;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.io.SafeTensors;
import dev.vavl4j.parity.Fixture;
import dev.vavl4j.parity.ParityCheck;
import dev.vavl4j.parity.ParityRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "parity", mixinStandardHelpOptions = true,
        description = {"Computes everything a parity fixture defines (eval outputs, one full VAVL training step, "
                + "gradients, updated weights) and checks it against the fixture's expected.safetensors when present.",
                "Without --fixture, runs the fixtures shipped in the jar."})
final class ParityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--fixture", paramLabel = "DIR", description = "fixture directory (config.json, weights.safetensors, batch.safetensors[, expected.safetensors])")
    Path fixture;

    @Option(names = "--out", paramLabel = "FILE", description = "write every computed tensor to this safetensors file (written "
            + "atomically, never inside the --fixture directory or a checkpoint or run directory)")
    Path out;

    @Option(names = "--overwrite", description = "replace an existing --out file")
    boolean overwrite;

    @Option(names = "--device", paramLabel = "cpu|cuda|auto", defaultValue = "auto", description = "backend (default: ${DEFAULT-VALUE})")
    String device;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        if (fixture == null && out != null) throw new UsageException("--out needs --fixture (the shipped fixtures are checked, not written)");
        if (overwrite && out == null) throw new UsageException("--overwrite applies to --out, which is not given");
        Path target = out == null ? null : OutputGuard.check("--out", out, overwrite, OutputGuard.input("--fixture", fixture));
        Devices.Selection sel = Devices.open(device);
        o.println("device: " + sel.reason());
        List<Fixture> fixtures = new ArrayList<>();
        if (fixture != null) {
            fixtures.add(Fixture.load(fixture));
        } else {
            for (String name : Fixture.BUNDLED) fixtures.add(Fixture.bundled(name));
        }
        boolean allPass = true;
        o.printf("%-24s %7s %10s %10s %10s %10s  %s%n", "fixture", "tensors", "value", "grad", "update", "zero-grad", "result");
        for (Fixture fx : fixtures) {
            long t0 = System.nanoTime();
            Map<String, HostTensor> computed = ParityRunner.run(fx, sel.backend());
            double ms = (System.nanoTime() - t0) / 1e6;
            if (out != null) {
                try {
                    SafeTensors.write(target, computed, Map.of("format", "vavl-actual-v1", "device", sel.backend().name()));
                } catch (java.io.IOException e) {
                    throw new UsageException("cannot write --out " + out + ": " + IoErrors.describe(e));
                }
            }
            if (fx.expected() == null) {
                o.printf("%-24s %7d %s (%.0f ms; no expected.safetensors to check)%n", fx.name(), computed.size(), "computed", ms);
                continue;
            }
            ParityCheck.Result r = ParityCheck.compare(fx.expected(), computed, fx.config().lr());
            allPass &= r.passed();
            o.printf("%-24s %7d %10s %10s %10s %10s  %s (%.0f ms)%n", fx.name(), computed.size(), worst(r, "value"),
                    worst(r, "grad"), worst(r, "update"), worst(r, "zero-grad"), r.passed() ? "PASS" : "FAIL", ms);
            r.failures().stream().limit(20).forEach(f -> o.println("  FAIL " + f));
            if (r.failures().size() > 20) o.println("  ... " + (r.failures().size() - 20) + " more failures");
        }
        if (out != null) o.println("wrote " + out);
        o.println("limits: value 1e-4 (relative L2), grad 1e-3 (relative L2), update 1e-2 (|Δ|/lr), zero-grad 1e-6 (max |a|)");
        return allPass ? 0 : 1;
    }

    private static String worst(ParityCheck.Result r, String kind) {
        ParityCheck.Worst w = r.worst().get(kind);
        return w == null ? "-" : String.format("%.2e", w.error());
    }
}
