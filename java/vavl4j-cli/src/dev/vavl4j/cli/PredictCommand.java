package dev.vavl4j.cli;

import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.predict.Prediction;
import dev.vavl4j.predict.Predictor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predicts every utterance of one split (labels are not needed) and writes a CSV: FileName, "
                + "the modality used (audio, visual or fusion), the prediction, and the scores of that prediction "
                + "(class probabilities, or attribute values in the manifest's units)."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CorpusOptions corpus;

    @Option(names = "--out", required = true, paramLabel = "FILE.csv", description = "predictions CSV (written atomically)")
    Path out;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " is a directory; give a file name");
        Predictor p = Predictor.load(corpus.model, device.open(err).backend());
        Corpus c = corpus.load(p, List.of(), err);
        List<Utterance> utts = c.utterances();
        AtomicInteger done = new AtomicInteger();
        List<Prediction> preds;
        try (Progress bar = Progress.start(err, "predict", utts.size(), "utt")) {
            preds = p.predictUtterances(utts, n -> bar.stepTo(done.addAndGet(n)));
        }
        List<String> header = new ArrayList<>(List.of("FileName", "modality", "prediction"));
        for (String l : p.labels()) header.add(l);
        AtomicFiles.write(out, os -> {
            var w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            try (CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get())) {
                for (int i = 0; i < utts.size(); i++) {
                    Prediction pr = preds.get(i);
                    List<String> row = new ArrayList<>(List.of(utts.get(i).row().fileName(), pr.used().key, pr.answer()));
                    for (double s : pr.scores()) row.add(String.format(Locale.ROOT, "%.6g", s));
                    csv.printRecord(row);
                }
            }
        });
        long fusion = preds.stream().filter(x -> x.used() == dev.vavl4j.predict.Source.FUSION).count();
        o.printf("wrote %d predictions to %s (%d fused, %d from one modality)%n", preds.size(), out, fusion, preds.size() - fusion);
        return 0;
    }
}
