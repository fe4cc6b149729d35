package dev.vavl4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A static check of every kernel launch in the CUDA backend's sources against the signature table: each
 * kernel of cuda/ is launched somewhere, each launch names a kernel that exists, with as many arguments as
 * the kernel has parameters. (The Java type of each argument is checked at run time by CudaDevice.launch, on
 * every launch of every emulator test; this test adds what only a look at the sources can give: kernels
 * nothing launches, and call sites no test happens to reach.)
 *
 * <p>The sources are read with a small Java tokenizer (comments, strings and nesting understood), not a
 * regular expression. A launch is {@code <expr>.launch("name", gridX, gridY, gridZ, block, shared, args...)}
 * or {@code launch1d("name", n, args...)} (CudaElementwise's helper). A launch whose name is not a string
 * literal is allowed only as a forwarder that passes a varargs {@code args} on.
 */
class CudaLaunchSitesTest {
    private static final Path SOURCES = Path.of("java/vavl4j-core/src/dev/vavl4j/backend/cuda");
    /** Leading non-kernel arguments of each launch method: the name and the launch geometry. */
    private static final Map<String, Integer> LAUNCHERS = Map.of("launch", 6, "launch1d", 2);

    record Token(String text, boolean string, int line) {}

    record Site(String file, int line, String kernel, int arity) {}

    @Test
    void everyKernelIsLaunchedAndEveryLaunchMatchesItsKernelsArity() throws Exception {
        KernelSignatures table = KernelSignatures.embedded();
        List<Site> sites = new ArrayList<>();
        List<String> forwarders = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(EmulatedCuda.projectRoot().resolve(SOURCES))) {
            files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path f : files) collect(f.getFileName().toString(), tokens(Files.readString(f)), sites, forwarders);

        List<String> problems = new ArrayList<>();
        Map<String, Integer> launched = new TreeMap<>();
        for (Site s : sites) {
            KernelSignatures.Signature sig = table.get(s.kernel());
            String at = s.file() + ":" + s.line() + ": ";
            if (sig == null) problems.add(at + s.kernel() + " is not a kernel of cuda/");
            else if (sig.arity() != s.arity())
                problems.add(at + s.kernel() + " launched with " + s.arity() + " arguments, the kernel takes " + sig.arity() + ": " + sig);
            launched.merge(s.kernel(), 1, Integer::sum);
        }
        Set<String> never = new TreeSet<>(table.kernels().keySet());
        never.removeAll(launched.keySet());
        for (String k : never) problems.add(k + " is never launched");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        // The one forwarder: CudaElementwise.launch1d passes its varargs on to CudaDevice.launch.
        assertEquals(List.of("CudaElementwise.java"), forwarders, "launches by a computed name");
        assertTrue(sites.size() >= table.kernels().size(), sites.size() + " sites");
    }

    /** The launch sites of one file; a launch by a non-literal name that forwards {@code args} goes to forwarders. */
    private static void collect(String file, List<Token> t, List<Site> sites, List<String> forwarders) {
        for (int i = 0; i + 1 < t.size(); i++) {
            Token name = t.get(i);
            Integer leading = LAUNCHERS.get(name.text());
            if (leading == null || name.string() || !t.get(i + 1).text().equals("(")) continue;
            boolean member = i > 0 && t.get(i - 1).text().equals(".");
            if (name.text().equals("launch") && !member) continue;              // the declaration in CudaDevice
            if (i > 0 && !member && isTypeOrModifier(t.get(i - 1))) continue; // a declaration: void launch1d(
            List<List<Token>> args = arguments(t, i + 1);
            if (args.isEmpty()) throw new AssertionError(file + ":" + name.line() + ": a launch without arguments");
            List<Token> first = args.get(0);
            if (first.size() == 1 && first.get(0).string()) {
                sites.add(new Site(file, name.line(), first.get(0).text(), args.size() - leading));
            } else {
                List<Token> last = args.get(args.size() - 1);
                if (args.size() != leading + 1 || last.size() != 1 || !last.get(0).text().equals("args")) {
                    throw new AssertionError(file + ":" + name.line() + ": a launch by a computed kernel name cannot be checked;"
                            + " name the kernel with a string literal");
                }
                forwarders.add(file);
            }
        }
    }

    private static boolean isTypeOrModifier(Token t) {
        return !t.string() && Set.of("void", "int", "static", "private", "final", "boolean").contains(t.text());
    }

    /** The arguments of the call whose "(" is token open, each a list of tokens, split at top-level commas. */
    private static List<List<Token>> arguments(List<Token> t, int open) {
        List<List<Token>> args = new ArrayList<>();
        List<Token> cur = new ArrayList<>();
        int depth = 0;
        for (int i = open; i < t.size(); i++) {
            Token x = t.get(i);
            String s = x.string() ? "" : x.text();
            if (s.equals("(") || s.equals("[") || s.equals("{")) {
                if (depth++ == 0) continue;
            } else if (s.equals(")") || s.equals("]") || s.equals("}")) {
                if (--depth == 0) {
                    if (!cur.isEmpty()) args.add(cur);
                    return args;
                }
            } else if (s.equals(",") && depth == 1) {
                args.add(cur);
                cur = new ArrayList<>();
                continue;
            }
            cur.add(x);
        }
        throw new AssertionError("unbalanced parentheses");
    }

    /** Identifiers, numbers, string literals (their content), and single punctuation characters; comments dropped. */
    static List<Token> tokens(String src) {
        List<Token> out = new ArrayList<>();
        int line = 1;
        for (int i = 0; i < src.length(); ) {
            char c = src.charAt(i);
            if (c == '\n') {
                line++;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (src.startsWith("//", i)) {
                while (i < src.length() && src.charAt(i) != '\n') i++;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                for (int j = i; j < end; j++) if (src.charAt(j) == '\n') line++;
                i = end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                String body = src.substring(i + 3, end);
                out.add(new Token(body, true, line));
                line += (int) body.chars().filter(ch -> ch == '\n').count();
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (src.charAt(j) != c) {
                    if (src.charAt(j) == '\\') sb.append(src.charAt(j++));
                    sb.append(src.charAt(j++));
                }
                out.add(new Token(sb.toString(), c == '"', line));
                i = j + 1;
            } else if (Character.isJavaIdentifierStart(c) || Character.isDigit(c)) {
                int j = i;
                while (j < src.length() && (Character.isJavaIdentifierPart(src.charAt(j)) || src.charAt(j) == '.'
                        && j + 1 < src.length() && Character.isDigit(src.charAt(j + 1)) && Character.isDigit(c))) j++;
                out.add(new Token(src.substring(i, j), false, line));
                i = j;
            } else {
                out.add(new Token(String.valueOf(c), false, line));
                i++;
            }
        }
        return out;
    }

    @Test
    void theTokenizerSplitsArgumentsAtTopLevelCommasOnly() {
        List<Site> sites = new ArrayList<>();
        List<String> fw = new ArrayList<>();
        collect("X.java", tokens("""
                class X { void f() {
                    // dev.launch("vavl_commented", 1, 1, 1, 1, 0, a);
                    dev.launch("vavl_a", g(1, 2), 1, 1, T, 0, x, f(y, z), new int[] {1, 2}, "s,t", 1.5f);
                    launch1d("vavl_b", n, a, b);
                }
                private void launch1d(String kernel, int n, Object... args) { dev.launch(kernel, 1, 1, 1, 1, 0, args); }
                }"""), sites, fw);
        assertEquals(List.of(new Site("X.java", 3, "vavl_a", 5), new Site("X.java", 4, "vavl_b", 2)), sites);
        assertEquals(List.of("X.java"), fw);
    }
}
