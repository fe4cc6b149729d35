package dev.vavl4j.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The C signature of every kernel in {@code cuda/*.cu} and the block-shape {@code #define}s there, read from
 * {@code vavl_kernels.signatures}, which {@code native-build/kernel-signatures.sh} writes from the sources
 * (with their hash, so {@code KernelSignaturesTest} fails when it is stale, as the fatbin's
 * {@code .sources.sha256} does). {@link CudaDevice#launch} checks every launch against it, so an argument
 * missing, extra or of the wrong kind fails on the emulator and in every test instead of corrupting a GPU run.
 */
final class KernelSignatures {
    /** The resource beside this class. */
    static final String RESOURCE = "vavl_kernels.signatures";

    /** How a parameter is passed, and the one Java type (two for a pointer) {@link CudaDevice#launch} takes for it. */
    enum Kind {
        /** Any {@code T*}: a {@link DevicePointer} (tensor, mask), or a {@code Long} raw device address (0: NULL). */
        POINTER("a tensor, a mask or a Long device address"),
        /** {@code int}, {@code unsigned}: an {@code Integer}. */
        INT32("an Integer"),
        /** {@code long long}, {@code unsigned long long}, {@code u64}: a {@code Long}. */
        INT64("a Long"),
        /** {@code float}: a {@code Float}. */
        FLOAT32("a Float");

        final String takes;

        Kind(String takes) {
            this.takes = takes;
        }

        /** The kind of a C parameter type as the table writes it, e.g. {@code const float*}, {@code u64}. */
        static Kind of(String cType) {
            if (cType.endsWith("*")) return POINTER;
            return switch (cType.startsWith("const ") ? cType.substring(6) : cType) {
                case "int", "unsigned", "unsigned int" -> INT32;
                case "long long", "unsigned long long", "u64" -> INT64;
                case "float" -> FLOAT32;
                default -> throw new IllegalStateException("kernel parameter type " + cType + " cannot be passed");
            };
        }

        boolean accepts(Object arg) {
            return switch (this) {
                case POINTER -> arg instanceof DevicePointer || arg instanceof Long;
                case INT32 -> arg instanceof Integer;
                case INT64 -> arg instanceof Long;
                case FLOAT32 -> arg instanceof Float;
            };
        }
    }

    /** One parameter: its C type and name as declared, and how it is passed. */
    record Param(String cType, String name, Kind kind) {
        @Override
        public String toString() {
            return cType + " " + name;
        }
    }

    /** A kernel's parameters in order. */
    record Signature(String kernel, List<Param> params) {
        Signature {
            params = List.copyOf(params);
        }

        int arity() {
            return params.size();
        }

        /**
         * Checks a launch's arguments: their count, and each one's Java type against its parameter's kind.
         * Throws an {@link IllegalStateException} naming the kernel, the argument, the C type and the Java
         * type given: a launcher out of step with its kernel is a bug in vavl4j, not bad input.
         */
        void check(Object[] args) {
            if (args.length != params.size()) {
                throw new IllegalStateException(kernel + ": launched with " + args.length + " arguments, but the kernel takes "
                        + params.size() + ": " + this);
            }
            for (int i = 0; i < args.length; i++) {
                Param p = params.get(i);
                if (!p.kind().accepts(args[i])) {
                    throw new IllegalStateException(kernel + ": argument " + i + " (" + p.name() + ") has C type " + p.cType()
                            + ", which takes " + p.kind().takes + ", but " + javaType(args[i]) + " was given");
                }
            }
        }

        @Override
        public String toString() {
            return kernel + params.stream().map(Param::toString).collect(Collectors.joining(", ", "(", ")"));
        }
    }

    private final String sourcesSha256;
    private final Map<String, Signature> kernels;
    private final Map<String, Integer> defines;

    private KernelSignatures(String sourcesSha256, Map<String, Signature> kernels, Map<String, Integer> defines) {
        this.sourcesSha256 = sourcesSha256;
        this.kernels = Collections.unmodifiableMap(kernels);
        this.defines = Collections.unmodifiableMap(defines);
    }

    private static final class Embedded {
        static final KernelSignatures TABLE = load();

        private static KernelSignatures load() {
            try (InputStream in = KernelSignatures.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the class path beside " + KernelSignatures.class.getName());
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
        }
    }

    /** The table embedded in the jar. */
    static KernelSignatures embedded() {
        return Embedded.TABLE;
    }

    /** A {@code #define VAVL_...} of the kernel sources, e.g. {@code define("VAVL_NORM_COLS")}; for block shapes. */
    static int define(String name) {
        Integer v = embedded().defines.get(name);
        if (v == null) throw new IllegalStateException("cuda/ defines no " + name + " (" + RESOURCE + " has " + embedded().defines.keySet() + ")");
        return v;
    }

    /** Parses the text of a table; {@code origin} names it in errors. */
    static KernelSignatures parse(String text, String origin) {
        String sha = null;
        Map<String, Signature> kernels = new LinkedHashMap<>();
        Map<String, Integer> defines = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            String where = origin + " line " + (n + 1) + ": ";
            switch (f[0]) {
                case "sources-sha256" -> {
                    if (f.length != 2 || !f[1].matches("[0-9a-f]{64}")) throw new IllegalStateException(where + "bad hash line");
                    sha = f[1];
                }
                case "define" -> {
                    if (f.length != 3 || !f[2].matches("[0-9]+")) throw new IllegalStateException(where + "bad define line");
                    defines.put(f[1], Integer.parseInt(f[2]));
                }
                case "kernel" -> {
                    if (f.length < 2 || f.length % 2 != 0 || f[1].isEmpty()) throw new IllegalStateException(where + "bad kernel line");
                    List<Param> params = new ArrayList<>();
                    for (int i = 2; i < f.length; i += 2) {
                        try {
                            params.add(new Param(f[i], f[i + 1], Kind.of(f[i])));
                        } catch (IllegalStateException e) {
                            throw new IllegalStateException(where + f[1] + ": " + e.getMessage());
                        }
                    }
                    if (kernels.put(f[1], new Signature(f[1], params)) != null) throw new IllegalStateException(where + f[1] + " twice");
                }
                default -> throw new IllegalStateException(where + "unknown line " + line);
            }
        }
        if (sha == null) throw new IllegalStateException(origin + ": no sources-sha256 line");
        return new KernelSignatures(sha, kernels, defines);
    }

    /** The kernel's signature, or null when the table has no such kernel. */
    Signature get(String kernel) {
        return kernels.get(kernel);
    }

    Map<String, Signature> kernels() {
        return kernels;
    }

    Map<String, Integer> defines() {
        return defines;
    }

    /** The hash of the {@code cuda/} sources the table was written from (as in the fatbin's {@code .sources.sha256}). */
    String sourcesSha256() {
        return sourcesSha256;
    }

    private static String javaType(Object arg) {
        if (arg == null) return "null";
        if (arg instanceof Integer) return "an Integer";
        return "a " + arg.getClass().getSimpleName();
    }
}
