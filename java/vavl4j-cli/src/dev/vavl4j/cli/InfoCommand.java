package dev.vavl4j.cli;

import dev.vavl4j.checkpoint.Checkpoint;
import dev.vavl4j.io.HostTensor;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.train.EpochSummary;
import dev.vavl4j.train.TrainingState;
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
        Checkpoint ck = Checkpoint.load(model);   // the loader every command uses: every file validated, checksums verified
        // validated (before anything is printed) as resuming validates it: a damaged trainer state fails info too, naming the field
        TrainingState t = ck.trainingJson() == null ? null
                : TrainingState.fromJson(ck.trainingJson(), Checkpoint.resolve(model).resolve("checkpoint.json").toString());
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
        var h = ck.heads();
        o.printf("inputs:      %s%s%n", h.audio() && h.visual() ? "audio " + c.audioDim() + ", visual " + c.visualDim()
                        : h.audio() ? "audio " + c.audioDim() + " (no visual: trained on audio only)" : "visual " + c.visualDim() + " (no audio: trained on visual only)",
                ck.maxFrames() > 0 ? " (first " + ck.maxFrames() + " frames)" : "");
        o.println("heads:       " + String.join(", ", h.names()));
        o.printf("model:       d %d, %d heads, ff x%d, kernel %d, %d modality + %d shared layers, heads %d/%d, %,d parameters%n",
                c.modelDim(), c.heads(), c.ffExpansion(), c.convKernel(), c.modalityLayers(), c.sharedLayers(), c.headHidden1(),
                c.headHidden2(), params);
        ck.weights().values().stream().findFirst().ifPresent(w -> o.println("weights:     stored as " + w.dtype()));
        o.printf("optimizer:   Adam, lr %s, betas (%s, %s), eps %s, weight decay %s; state %s%n", c.lr(), c.beta1(), c.beta2(),
                c.adamEps(), c.weightDecay(), ck.optimizer() == null ? "absent" : "saved");
        if (t != null) {
            o.printf("training:    %d epochs done, best epoch %d (development loss %s), settings %s%n", t.epochsDone(),
                    t.bestEpoch(), fmt(t.bestDevLoss()), t.settings().toJson());
            // the training loss the development loss mirrors: fused, or the trained unimodal heads' task loss
            String trainName = h.fusion() ? "fusion loss" : "task loss";
            for (EpochSummary e : t.history()) {
                o.printf("  epoch %3d  %s %-10s dev loss %-10s dev score %-10s%s%n", e.epoch(), trainName,
                        fmt(e.trainTaskLoss()), fmt(e.devLoss()), fmt(e.devScore()), e.best() ? " *" : "");
            }
        }
        return 0;
    }

    /** A loss or score; "-" when none was measured (stored as null). */
    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(java.util.Locale.ROOT, "%.4f", v) : "-";
    }
}
