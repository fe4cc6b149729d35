package dev.vavl4j.cli;

import dev.vavl4j.data.Manifest;
import dev.vavl4j.data.ManifestRow;
import dev.vavl4j.io.RealPaths;
import dev.vavl4j.media.ClipExtractor;
import dev.vavl4j.media.FeatureJob;
import dev.vavl4j.media.FrontEndRecord;
import dev.vavl4j.media.FrontEndSpec;
import dev.vavl4j.media.FrontEnds;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "features", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Extracts features from media files (WAV without anything else; MP3, FLV, MP4, WebM, ... through "
                + "FFmpeg) into the layout train reads: OUT/audio/<stem>.npy, OUT/visual/<stem>.npy, and OUT/frontend.json "
                + "recording the front end, which train copies into the checkpoint and predict --media uses.",
                "Each manifest row's media file is found by its stem in --media: a video (<stem>.mp4, .mkv, .webm, .flv, ...) "
                + "first, else the file FileName names, else an audio file (<stem>.wav, .flac, .mp3, ...).",
                "Re-running skips clips already done; a file that cannot be used is reported, the run goes on, and "
                + "OUT/features-summary.json lists it with the clips that lack a modality (no face, no audio)."})
final class FeaturesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "manifest CSV (only FileName is needed)")
    Path manifest;

    @Option(names = "--media", required = true, paramLabel = "DIR", description = "folder of the media files")
    Path media;

    @Option(names = "--out", required = true, paramLabel = "FEATURES", description = "features folder: new, or one this command made with the same front ends (it resumes)")
    Path out;

    @Option(names = "--audio", defaultValue = "fbank", paramLabel = "fbank|onnx:FILE|none",
            description = "audio front end (default: ${DEFAULT-VALUE}: Kaldi log-mel filterbank, 80 bins, 25 ms / 10 ms at 16 kHz)")
    String audio;

    @Option(names = "--visual", defaultValue = "faceexpr", paramLabel = "faceexpr|onnx:FILE|none",
            description = "visual front end (default: ${DEFAULT-VALUE}: face detection, tracked square crop, face-expression network's penultimate layer)")
    String visual;

    @Option(names = "--fps", paramLabel = "N", description = "video frames per second to use (default: the video's own rate)")
    Double fps;

    @Option(names = "--threads", paramLabel = "N", description = "files extracted at once (default: one per core)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (fps != null && !(fps >= 0.1 && fps <= 1000)) throw new UsageException("--fps must be between 0.1 and 1000, got " + fps);
        if (threads != null && threads < 1) throw new UsageException("--threads must be ≥ 1, got " + threads);
        FrontEndSpec a = FrontEndSpec.parseAudio(audio, "--audio"), v = FrontEndSpec.parseVisual(visual, "--visual");
        Path outReal = RealPaths.resolve(out), mediaReal = RealPaths.resolve(media);
        if (outReal.startsWith(mediaReal) || mediaReal.startsWith(outReal)) {
            throw new UsageException("--out " + out + " and --media " + media + " must not be inside one another: the features go to a folder of their own");
        }
        OutputGuard.refuseDirectoryInsideCheckpoint("--out", out);
        List<ManifestRow> rows = Manifest.read(manifest, List.of(), Manifest.Mode.PREDICTION).rows();
        try (FrontEnds.Opened fe = FrontEnds.open(a, v)) {
            ClipExtractor ex = new ClipExtractor(fe.audio(), fe.visual(), fps == null ? 0 : fps);
            FrontEndRecord record = FrontEnds.record(a, v, ex);
            FeatureJob job = new FeatureJob(ex, record, threads != null ? threads : Runtime.getRuntime().availableProcessors());
            AtomicReference<Progress> bar = new AtomicReference<>();
            FeatureJob.Result r;
            try {
                r = job.run(rows, media, out, new FeatureJob.Listener() {
                    @Override
                    public void onStart(int clips, int alreadyDone) {
                        if (alreadyDone > 0) err.println("features: " + alreadyDone + " of " + clips + " clips already done in " + out + ", skipped");
                        Progress p = Progress.start(err, "features", clips, "clip");
                        p.stepTo(alreadyDone);
                        bar.set(p);
                    }

                    @Override
                    public void onClip(int done, int clips) {
                        synchronized (bar) {
                            bar.get().stepTo(done);
                        }
                    }
                });
            } finally {
                if (bar.get() != null) bar.get().close();
            }
            r.failures().forEach(f -> err.println("failed: " + f.message()));
            r.missing().forEach(m -> err.println("no " + m.modality() + ": " + m.fileName() + " (" + m.reason() + ")"));
            o.println("features: " + r.extracted() + " extracted, " + r.skipped() + " already done, " + r.failures().size()
                    + " failed, " + r.missing().size() + " without a modality; " + out + " (summary in " + r.summary() + ")");
            o.flush();
            return r.failures().isEmpty() ? 0 : 1;
        }
    }
}
