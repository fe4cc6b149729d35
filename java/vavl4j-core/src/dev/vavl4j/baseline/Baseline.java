package dev.vavl4j.baseline;

import dev.vavl4j.data.Corpus;
import dev.vavl4j.data.DataException;
import dev.vavl4j.data.LabelCodec;
import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.data.Split;
import dev.vavl4j.data.Utterance;
import dev.vavl4j.metrics.EvaluationReport;
import dev.vavl4j.predict.Source;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A simple model to compare VAVL with, trained in the same run it is evaluated in. Each utterance becomes
 * the mean and biased standard deviation of every feature dimension over its frames; the columns are
 * standardised with the Train rows' statistics; classification fits multinomial logistic regression with
 * an L2 penalty (L-BFGS), regression fits ridge regression per attribute in closed form (bias not
 * penalised in either). One model per source — audio (utterances with audio), visual (with visual) and
 * fusion (with both, the two pooled vectors concatenated) — each with its λ chosen from
 * {@link #LAMBDA_GRID} on the Development split (see {@link LambdaSelection}), then scored on the requested
 * split exactly as {@code vavl evaluate} scores VAVL. See docs/baseline.md.
 */
public final class Baseline {
    /** The regularisation strengths tried, λ of the mean loss + (λ/2)·‖W‖² objectives. */
    public static final List<Double> LAMBDA_GRID = List.of(1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0);

    private Baseline() {}

    /**
     * Reads the corpus, fits and selects the three models and reports them. Bad input is a
     * {@link dev.vavl4j.InvalidInputException} (mostly {@link DataException}) naming the file, split or value:
     * a manifest or feature file that cannot be used, a missing label column, no Train, Development or
     * evaluation-split rows, or none of them with features, label values the task cannot use.
     */
    public static BaselineResult run(BaselineRequest req) {
        return run(req, LAMBDA_GRID);
    }

    /** {@link #run(BaselineRequest)} over another grid (tests; every λ finite, positive and distinct). */
    static BaselineResult run(BaselineRequest req, List<Double> grid) {
        if (grid.isEmpty() || grid.stream().anyMatch(l -> !(l > 0) || l.isInfinite()) || Set.copyOf(grid).size() != grid.size()) {
            throw new IllegalArgumentException("the λ grid must be non-empty, positive, finite and distinct: " + grid);
        }
        Manifest manifest = Manifest.read(req.manifest(), req.labels());
        Set<Split> used = EnumSet.of(Split.TRAIN, Split.DEVELOPMENT, req.split());
        for (Split s : used) {
            if (manifest.rows(s).isEmpty()) throw new DataException(req.manifest() + ": no rows with Split_Set " + s.label + needs(s, req.split()));
        }
        List<ManifestRow> rows = manifest.rows().stream().filter(r -> used.contains(r.split())).toList();
        Corpus corpus = Corpus.load(rows, req.features(), 0, 0, 0, null);
        List<Utterance> train = withFeatures(corpus, manifest, Split.TRAIN, req);
        List<Utterance> dev = withFeatures(corpus, manifest, Split.DEVELOPMENT, req);
        List<Utterance> eval = withFeatures(corpus, manifest, req.split(), req);
        LabelCodec codec = LabelCodec.fit(req.task(), req.labels(), train.stream().map(Utterance::row).toList(), req.manifest().toString());

        SourceBaseline.Splits splits = new SourceBaseline.Splits(train, dev, eval, corpus.audioDim(), corpus.visualDim());
        SourceBaseline.Outcome audio = SourceBaseline.run(Source.AUDIO, codec, grid, splits);
        SourceBaseline.Outcome visual = SourceBaseline.run(Source.VISUAL, codec, grid, splits);
        SourceBaseline.Outcome fusion = SourceBaseline.run(Source.FUSION, codec, grid, splits);
        // A source the Train split has no utterance for is left out of the report, as VAVL leaves out a head its corpus
        // cannot train (an audio-only corpus has no visual or fusion rows at all).
        EvaluationReport report = new EvaluationReport(req.split().label, codec.columns(), present(audio), present(visual), present(fusion));
        List<String> warnings = new ArrayList<>(corpus.skipped());
        for (SourceBaseline.Outcome o : List.of(audio, visual, fusion)) warnings.addAll(o.warnings());
        return new BaselineResult(req.task(), grid, report, audio.choice(), visual.choice(), fusion.choice(), warnings);
    }

    private static dev.vavl4j.metrics.ModalityReport present(SourceBaseline.Outcome o) {
        return o.choice().trainN() == 0 ? null : o.report();
    }

    /** Why a split is needed, for the message about it missing. */
    private static String needs(Split s, Split evaluated) {
        if (s == evaluated) return "; they are the split to report (--split)";
        return s == Split.TRAIN ? "; the baseline is fitted on them" : "; they choose the regularisation strength";
    }

    private static List<Utterance> withFeatures(Corpus corpus, Manifest manifest, Split s, BaselineRequest req) {
        List<Utterance> utts = corpus.split(s);
        if (utts.isEmpty()) {
            throw new DataException(req.manifest() + ": none of the " + manifest.rows(s).size() + " " + s.label
                    + " rows has features under " + req.features() + needs(s, req.split()));
        }
        return utts;
    }
}
