package dev.vavl4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.VavlConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Describes a checkpoint: task, labels, input sizes, configuration, parameters and training history.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "checkpoint directory, or a training --out directory (uses its best/)")
    Path model;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        Checkpoint ck = Checkpoint.load(model);
        VavlConfig c = ck.config();
        long params = 0;
        for (var e : ck.weights().entrySet()) if (!e.getKey().contains("running_")) params += HostTensor.elements(e.getValue().shape());
        o.println("checkpoint:  " + Checkpoint.resolve(model).toAbsolutePath());
        o.println("task:        " + c.task().name().toLowerCase(java.util.Locale.ROOT) + " " + ck.labels().columns());
        if (c.task() == VavlConfig.Task.REGRESSION) {
            for (int i = 0; i < ck.labels().outputs(); i++) {
                o.printf("             %s scaled from [%g, %g]%n", ck.labels().columns().get(i), ck.labels().min()[i], ck.labels().max()[i]);
            }
        }
        o.printf("inputs:      audio %d, visual %d%s%n", c.audioDim(), c.visualDim(),
                ck.maxFrames() > 0 ? " (first " + ck.maxFrames() + " frames)" : "");
        o.printf("model:       d %d, %d heads, ff x%d, kernel %d, %d modality + %d shared layers, heads %d/%d, %,d parameters%n",
                c.modelDim(), c.heads(), c.ffExpansion(), c.convKernel(), c.modalityLayers(), c.sharedLayers(), c.headHidden1(),
                c.headHidden2(), params);
        o.printf("optimizer:   Adam, lr %s, betas (%s, %s), eps %s, weight decay %s; state %s%n", c.lr(), c.beta1(), c.beta2(),
                c.adamEps(), c.weightDecay(), ck.optimizer() == null ? "absent" : "saved");
        JsonNode t = ck.trainerState();
        if (t != null) {
            o.printf("training:    %d epochs done, best epoch %d (development loss %s), settings %s%n", t.path("epochs_done").asInt(),
                    t.path("best_epoch").asInt(), fmt(t.get("best_dev_loss")), t.path("settings"));
            for (JsonNode e : t.path("history")) {
                o.printf("  epoch %3d  fusion loss %-10s dev loss %-10s dev score %-10s%s%n", e.path("epoch").asInt(),
                        fmt(e.get("fusion_loss")), fmt(e.get("dev_loss")), fmt(e.get("dev_score")), e.path("best").asBoolean() ? " *" : "");
            }
        }
        return 0;
    }

    private static String fmt(JsonNode n) {
        return n == null || !n.isNumber() ? "-" : String.format(java.util.Locale.ROOT, "%.4f", n.asDouble());
    }
}
