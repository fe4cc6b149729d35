package dev.vavl4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vavl4j.VavlException;
import dev.vavl4j.backend.cpu.CpuBackend;
import dev.vavl4j.demo.DemoCorpus;
import dev.vavl4j.io.AtomicFiles;
import dev.vavl4j.io.CrashPoints;
import dev.vavl4j.model.VavlConfig;
import dev.vavl4j.testutil.TinyRuns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a training run (a child JVM: tiny model, {@value #EPOCHS} epochs) at many points and resumes it in
 * fresh child JVMs until it is done: the final {@code best/} and {@code last/} must be byte-identical, every file,
 * to those of a run that was never interrupted. The exact points come from {@link CrashPoints}
 * ({@code -Dvavl.test.crashAt}, a {@link Runtime#halt} at a stage of a checkpoint save or an atomic file write);
 * a few more are timer-based {@link Process#destroyForcibly} (SIGKILL) kills at seeded moments.
 *
 * <p>A kill at a stage that comes after {@code last/} of epoch e is in place means the next child resumes at
 * epoch e + 1, so one run can pass through only one such "late" point per epoch; the points are therefore
 * spread over several runs (lineages), each killed at every one of its points in order and then finished.
 * Each child after a kill does what a user would: {@code train --resume} when the run directory exists, plain
 * {@code train} when it does not (a kill before the directory was created).
 *
 * <p>{@code checkpoint.json} records the wall-clock seconds of each epoch; it is compared with those values
 * set to 0 (every other byte of it, its checksums of the other files included, and every other file, exactly).
 *
 * <p>By default 22 exact points ({@link #points}) and 4 timer kills in 2 runs (28 child JVMs, about 30 s on
 * 2 cores); {@code -Dvavl.crashTest.full=true} kills at every stage of each kind of save with every file:
 * 52 exact points and 8 timer kills in 6 runs (66 child JVMs, about two minutes).
 */
class CrashResumeTest {
    static final int EPOCHS = 3;
    static final long SEED = 11;
    static final String CURVE = "learning-curve.txt";
    /** A small corpus (16 training utterances) and short sequences: a child's time is mostly its JVM warming up. */
    static final int PER_SPEAKER = 1, MAX_FRAMES = 8;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static DemoCorpus.Summary corpus;
    static Path reference;
    static List<Integer> bestEpochs;

    /** The child: trains (or resumes) the tiny model and prints "start N", "epoch N", "finished" or "error: ...". */
    public static final class Child {
        public static void main(String[] a) throws Exception {
            Path out = Path.of(a[2]);
            int epochs = Integer.parseInt(a[3]);
            boolean resume = Files.isDirectory(out);
            TrainRequest req = new TrainRequest(Path.of(a[0]), Path.of(a[1]), VavlConfig.Task.CLASSIFICATION, DemoCorpus.LABELS, out,
                    TinyRuns.keys(TinyRuns.tinyModel()), TinyRuns.keys(TinyRuns.settings(epochs, SEED).put("max_frames", MAX_FRAMES)), resume);
            PrintStream o = System.out;
            try (CpuBackend be = new CpuBackend(1)) {
                Trainer.run(req, be, new TrainListener() {
                    @Override
                    public void onStart(int first, int n, int batches, String summary) {
                        o.println("start " + first);
                        o.flush();
                    }

                    @Override
                    public void onEpoch(EpochSummary s, List<EpochSummary> history) {
                        // what the CLI does with its learning curve: a file beside the checkpoints, written atomically
                        StringBuilder b = new StringBuilder();
                        for (EpochSummary e : history) b.append(e.epoch()).append(' ').append(e.devLoss()).append('\n');
                        try {
                            AtomicFiles.write(out.resolve(CURVE), os -> os.write(b.toString().getBytes(StandardCharsets.UTF_8)));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        o.println("epoch " + s.epoch());
                        o.flush();
                    }
                });
                o.println("finished");
            } catch (VavlException | IOException e) {
                o.println("error: " + e.getMessage());
                o.flush();
                System.exit(2);
            }
        }
    }

    /** A started child: its output lines as they come. */
    record Running(Process process, LinkedBlockingQueue<String> lines, StringBuilder all) {
        String waitFor() throws InterruptedException {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("child JVM did not finish:\n" + all);
            }
            return all.toString();
        }

        /** Waits for a line starting with {@code prefix}; false when the child ended first. */
        boolean await(String prefix) throws InterruptedException {
            while (true) {
                String l = lines.poll(100, TimeUnit.MILLISECONDS);
                if (l != null && l.startsWith(prefix)) return true;
                if (l == null && !process.isAlive() && lines.isEmpty()) return false;
            }
        }
    }

    static Running start(Path out, int epochs, String crashAt, String shellPrefix) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                // a child lives a second or two: C1 alone halves its CPU time (C2 would compile for longer than it
                // runs); every child, the uninterrupted one too, runs so
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-XX:-UsePerfData"));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("vavl.") && !k.equals("vavl.test.crashAt"))
                .sorted().forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        if (crashAt != null) cmd.add("-Dvavl.test.crashAt=" + crashAt);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(),
                corpus.manifest().toString(), corpus.features().toString(), out.toString(), String.valueOf(epochs)));
        List<String> full = cmd;
        if (shellPrefix != null) {
            full = new ArrayList<>(List.of("bash", "-c", shellPrefix + "; exec \"$@\"", "child"));
            full.addAll(cmd);
        }
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        StringBuilder all = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    synchronized (all) {
                        all.append(l).append('\n');
                    }
                    lines.add(l);
                }
            } catch (IOException e) {
                // the child was killed: its pipe closed
            }
        });
        reader.setDaemon(true);
        reader.start();
        Running c = new Running(p, lines, all);
        return c;
    }

    static String runToEnd(Path out, String crashAt, int expectedExit) throws Exception {
        Running c = start(out, EPOCHS, crashAt, null);
        String text = c.waitFor();
        assertEquals(expectedExit, c.process().exitValue(), (crashAt == null ? "finishing " : "crash point " + crashAt + ": ") + out + "\n" + text);
        return text;
    }

    @BeforeAll
    static void referenceRun() throws Exception {
        corpus = DemoCorpus.generate(tmp.resolve("corpus"), 2, PER_SPEAKER);   // seed 2: epochs 2 and 3 improve on epoch 1
        reference = tmp.resolve("reference");
        String out = runToEnd(reference, null, 0);
        assertTrue(out.contains("finished"), out);
        bestEpochs = new ArrayList<>();
        for (JsonNode e : meta(reference.resolve("last")).path("training").path("history")) {
            if (e.path("best").asBoolean()) bestEpochs.add(e.path("epoch").asInt());
        }
        assertEquals(1, (int) bestEpochs.getFirst());
        assertTrue(bestEpochs.size() >= 2, "the test needs a second best epoch (a replacing save of best/): " + bestEpochs);
    }

    // ---- the kill points ----

    static final List<String> FILES = List.of("model.safetensors", "normalization.safetensors", "optimizer.safetensors", "config.json", "checkpoint.json");

    /** One exact kill point: stage of the n-th (counted over the whole uninterrupted run) write of kind, in epoch. */
    record Point(int epoch, String kind, int n, String stage, boolean late) {
        /** The -Dvavl.test.crashAt value for a child that starts after {@code done} finished epochs. */
        String spec(int done) {
            int before = switch (kind) {
                case "save:best" -> (int) bestEpochs.stream().filter(e -> e <= done).count();
                case "file:model.safetensors" -> done + (int) bestEpochs.stream().filter(e -> e <= done).count();
                default -> done;   // save:last and the curve: one per epoch
            };
            return kind + ":" + (n - before) + ":" + stage;
        }
    }

    /**
     * The stages of a checkpoint save, in order; the ones from 'renamed' on are late for last/. {@code all}: every
     * stage, with a kill after each of the five files. Else the stages that leave a different run directory for a
     * process kill: after the first and the last file (between them: a temporary directory with some of the
     * files), and neither 'synced' nor 'replaced' (an fsync changes nothing a process kill can see, so they leave
     * what 'after-checkpoint.json' and 'renamed' leave).
     */
    static List<String> saveStages(boolean replacing, boolean all) {
        List<String> s = new ArrayList<>(List.of("begin"));
        for (String f : all ? FILES : List.of(FILES.getFirst(), FILES.getLast())) s.add("after-" + f);
        if (all) s.add("synced");
        if (replacing) s.add("aside");
        s.add("renamed");
        if (all) s.add("replaced");
        if (replacing) s.addAll(List.of("discarding", "deleting"));
        s.add("done");
        return s;
    }

    /** {@code -Dvavl.crashTest.full=true}: every stage of each kind of save, every file, instead of the default set. */
    static final boolean FULL = Boolean.getBoolean("vavl.crashTest.full");

    /**
     * The kill points. By default: every stage a save has (each file, 'synced', 'aside', 'renamed', 'replaced',
     * 'discarding', 'deleting', 'done') and each stage of an atomic file at least once, placed so that together
     * they leave every run directory a kill can leave (the test asserts the main ones): the first and a replacing
     * save of best/ and of last/, the files inside a save's temporary directory, the learning curve. With
     * {@link #FULL}, every stage of each of those four saves, with every file.
     */
    static List<Point> points() {
        int e2 = bestEpochs.get(1);
        List<Point> p = new ArrayList<>();
        if (FULL) {
            for (int epoch = 1; epoch <= Math.max(2, e2); epoch++) {
                int bestN = bestEpochs.indexOf(epoch) + 1;
                if (bestN > 0 && (epoch == 1 || epoch == e2)) {
                    for (String s : saveStages(epoch > 1, true)) p.add(point(epoch, "save:best", bestN, s));
                }
                if (epoch == 1) for (String s : List.of("written", "synced", "renamed")) p.add(point(1, "file:model.safetensors", 1, s));
                if (epoch <= 2) for (String s : saveStages(epoch > 1, true)) p.add(point(epoch, "save:last", epoch, s));
                if (epoch == 1) for (String s : List.of("written", "synced", "renamed")) p.add(point(1, "file:" + CURVE, 1, s));
            }
            return p;
        }
        for (String s : List.of("begin", "after-normalization.safetensors", "done")) p.add(point(1, "save:best", 1, s));
        for (String s : List.of("synced", "renamed")) p.add(point(1, "file:model.safetensors", 1, s));
        for (String s : List.of("after-model.safetensors", "after-optimizer.safetensors", "after-config.json", "after-checkpoint.json",
                "synced", "renamed")) {
            p.add(point(1, "save:last", 1, s));
        }
        p.add(point(1, "file:" + CURVE, 1, "written"));
        for (String s : List.of("after-model.safetensors", "aside", "renamed", "discarding", "done")) p.add(point(e2, "save:best", 2, s));
        for (String s : List.of("begin", "after-checkpoint.json", "aside", "replaced", "deleting")) p.add(point(2, "save:last", 2, s));
        return p;
    }

    /** A point; late when it comes after last/ of its epoch is in place (a stage from 'renamed' on, or the curve). */
    static Point point(int epoch, String kind, int n, String stage) {
        boolean late = kind.equals("file:" + CURVE)
                || kind.equals("save:last") && List.of("renamed", "replaced", "discarding", "deleting", "done").contains(stage);
        return new Point(epoch, kind, n, stage, late);
    }

    /** Epochs done in the run directory as the next child will find it (last/, or .last.old in the rename window). */
    static int epochsDone(Path run) throws IOException {
        Path last = run.resolve("last"), old = run.resolve(".last.old");
        Path ck = Files.isDirectory(last) ? last : Files.isDirectory(old) ? old : null;
        return ck == null ? 0 : meta(ck).path("training").path("epochs_done").asInt();
    }

    static JsonNode meta(Path checkpoint) throws IOException {
        return JSON.readTree(Files.readString(checkpoint.resolve("checkpoint.json")));
    }

    /** The run directory's entries with the random part of temporary names as '*': the state a kill left. */
    static String state(Path run) throws IOException {
        if (!Files.exists(run)) return "(no directory)";
        try (Stream<Path> s = Files.list(run)) {
            TreeSet<String> names = new TreeSet<>();
            s.forEach(p -> names.add(p.getFileName().toString().replaceAll("\\.tmp-[0-9a-z]+$", ".tmp-*").replaceAll("\\.[0-9a-z]+\\.tmp$", ".*.tmp")));
            return names.isEmpty() ? "(empty)" : String.join(" ", names);
        }
    }

    @Test
    void killedAtEveryStageOfEverySaveAndAtRandomMomentsTheRunResumesToTheSameBits() throws Exception {
        long t0 = System.nanoTime();
        List<Point> all = points();
        List<Point> early = all.stream().filter(p -> !p.late()).toList();
        Map<Integer, List<Point>> lateByEpoch = new TreeMap<>();
        for (Point p : all) if (p.late()) lateByEpoch.computeIfAbsent(p.epoch(), k -> new ArrayList<>()).add(p);
        int lineages = lateByEpoch.values().stream().mapToInt(List::size).max().orElse(1);
        List<List<Point>> plans = new ArrayList<>();
        for (int i = 0; i < lineages; i++) plans.add(new ArrayList<>());
        for (int i = 0; i < early.size(); i++) plans.get(i % lineages).add(early.get(i));
        for (List<Point> late : lateByEpoch.values()) for (int i = 0; i < late.size(); i++) plans.get(i).add(late.get(i));
        for (List<Point> plan : plans) {
            plan.sort((a, b) -> a.epoch() != b.epoch() ? Integer.compare(a.epoch(), b.epoch()) : Boolean.compare(a.late(), b.late()));
        }

        // the runs are independent: a few at a time (each child is one busy thread and its JIT)
        int parallel = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        List<Future<Tally>> tallies = new ArrayList<>();
        try {
            for (int l = 0; l < lineages; l++) {
                int id = l;
                tallies.add(pool.submit(() -> lineage(id, plans.get(id))));
            }
            Tally total = new Tally();
            for (Future<Tally> f : tallies) {
                try {
                    total.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) throw err;
                    throw e;
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("CrashResumeTest: %d exact kill points + %d timer kills (%d more came after the end) in %d runs, %d child JVMs, %.1f s%n",
                    total.exact, total.timed, total.missed, lineages, total.children, secs);
            total.states.forEach((st, n) -> System.out.println("  state after a kill: " + st + " (" + n + "x)"));
            assertEquals(all.size(), total.exact);
            // the states: best/ and a temporary directory of last/; the rename windows of last/ and of best/
            assertTrue(total.states.containsKey(".last.tmp-* best"), total.states.toString());
            assertTrue(total.states.keySet().stream().anyMatch(st -> st.contains(".last.old") && !st.contains(" last")), total.states.toString());
            assertTrue(total.states.keySet().stream().anyMatch(st -> st.contains(".best.old") && !st.contains(" best")), total.states.toString());
            assertTrue(total.states.containsKey("(no directory)") && total.states.containsKey("(empty)"), total.states.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    /** What the kills of one run found. */
    static final class Tally {
        int exact, timed, missed, children;
        final Map<String, Integer> states = new TreeMap<>();

        void add(Tally t) {
            exact += t.exact;
            timed += t.timed;
            missed += t.missed;
            children += t.children;
            t.states.forEach((k, v) -> states.merge(k, v, Integer::sum));
        }
    }

    /** One run: killed at each point of its plan in order (and by timers), then finished and compared. */
    static Tally lineage(int l, List<Point> plan) throws Exception {
        Tally t = new Tally();
        Random rnd = new Random(SEED + l);
        Path run = tmp.resolve("crashed-" + l);
        if (l == 0) {
            // killed at once: before the run directory exists
            Running c = start(run, EPOCHS, null, null);
            c.process().destroyForcibly();
            c.waitFor();
            t.timed++;
            t.children++;
            t.states.merge(state(run), 1, Integer::sum);
        }
        if (l == 1) {
            // killed as soon as training starts: the run directory exists and is empty
            Running c = start(run, EPOCHS, null, null);
            assertTrue(c.await("start"), "child did not start training:\n" + c.all());
            c.process().destroyForcibly();
            c.waitFor();
            t.timed++;
            t.children++;
            t.states.merge(state(run), 1, Integer::sum);
        }
        for (Point p : plan) {
            int done = epochsDone(run);
            assertTrue(p.epoch() > done, "plan order: " + p + " after " + done + " epochs");
            runToEnd(run, p.spec(done), CrashPoints.HALT_STATUS);
            t.exact++;
            t.children++;
            t.states.merge(state(run), 1, Integer::sum);
        }
        {
            // a timer kill at a seeded moment of what is left
            Running c = start(run, EPOCHS, null, null);
            t.children++;
            if (c.await("start")) {
                Thread.sleep(rnd.nextInt(600));
                boolean alive = c.process().isAlive();
                c.process().destroyForcibly();
                c.waitFor();
                if (alive && c.process().exitValue() != 0) {
                    t.timed++;
                    t.states.merge(state(run), 1, Integer::sum);
                } else {
                    t.missed++;
                }
            } else {
                c.waitFor();
            }
        }
        String out = runToEnd(run, null, 0);
        t.children++;
        assertTrue(out.contains("finished"), out);
        assertSameCheckpoints(reference, run);
        assertEquals("best last " + CURVE, state(run), "nothing but the run is left in " + run);
        return t;
    }

    /**
     * A full disk (here: a file-size limit, which fails writes with EFBIG as a full disk fails them with ENOSPC)
     * during a save: the error names the checkpoint and the file, the previous checkpoints are unchanged, nothing
     * is left behind, and once there is room again --resume ends with the same bits.
     */
    @Test
    void aFullDiskDuringASaveNamesThePathAndLeavesThePreviousCheckpointWhole() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash for ulimit");
        Path run = tmp.resolve("full-disk");
        Running first = start(run, 1, null, null);
        first.waitFor();
        assertEquals(0, first.process().exitValue(), first.all().toString());
        Map<String, byte[]> before = files(run);
        long model = Files.size(run.resolve("last/model.safetensors"));
        Running full = start(run, EPOCHS, null, "ulimit -f " + Math.max(1, model / 1024 / 2));
        String out = full.waitFor();
        assertEquals(2, full.process().exitValue(), out);
        String msg = out.lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow(() -> new AssertionError(out));
        assertTrue(msg.contains(run.toString()) && msg.contains("model.safetensors") && msg.contains("File too large")
                && msg.contains("previous checkpoint there is unchanged"), msg);
        Map<String, byte[]> after = files(run);
        assertEquals(before.keySet(), after.keySet(), "no file added or removed");
        before.forEach((k, v) -> assertTrue(Arrays.equals(v, after.get(k)), k + " unchanged"));
        assertEquals("best last " + CURVE, state(run));
        runToEnd(run, null, 0);
        assertSameCheckpoints(reference, run);
    }

    /** Every file under best/ and last/ of both runs, byte for byte (checkpoint.json without its wall-clock seconds). */
    static void assertSameCheckpoints(Path expected, Path actual) throws IOException {
        for (String ck : List.of("best", "last")) {
            Map<String, byte[]> a = files(expected.resolve(ck)), b = files(actual.resolve(ck));
            assertEquals(a.keySet(), b.keySet(), actual + "/" + ck + ": the same files");
            for (String f : a.keySet()) {
                byte[] x = a.get(f), y = b.get(f);
                if (f.equals("checkpoint.json")) {
                    x = withoutSeconds(x);
                    y = withoutSeconds(y);
                }
                assertTrue(Arrays.equals(x, y), actual + "/" + ck + "/" + f + " differs from the uninterrupted run's");
            }
        }
    }

    private static byte[] withoutSeconds(byte[] json) throws IOException {
        ObjectNode n = (ObjectNode) JSON.readTree(json);
        JsonNode h = n.path("training").path("history");
        if (h instanceof ArrayNode arr) for (JsonNode e : arr) if (e instanceof ObjectNode o && o.has("seconds")) o.put("seconds", 0);
        return JSON.writeValueAsBytes(n);
    }

    private static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return m;
    }
}
