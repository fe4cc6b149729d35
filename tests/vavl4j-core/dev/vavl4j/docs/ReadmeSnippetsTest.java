package dev.vavl4j.docs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of the README compiles against the library as built, so the front page
 * cannot drift from the API.
 *
 * <p>Each block is compiled on its own, with javac from {@link ToolProvider#getSystemJavaCompiler()},
 * the test JVM's class path (which holds vavl4j-core's classes and its dependencies) and
 * {@code --release 25 --add-modules jdk.incubator.vector -proc:none}. A block that declares a top-level
 * type (at the start of a line) is compiled as it is, in a file named after its public type. Any other
 * block is a fragment: its {@code import} lines stay on top, a few default imports are added
 * ({@link #FRAGMENT_IMPORTS}), and the rest becomes the body of {@code void run() throws Exception} in a
 * class of its own, so a fragment may use checked exceptions and try-with-resources freely but must
 * declare every variable it uses.
 *
 * <p>The README is read from the working directory, the repository root (surefire's
 * {@code workingDirectory}, see the parent pom).
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("README.md");

    /** Imports every fragment gets, so a short fragment need not repeat them. */
    static final List<String> FRAGMENT_IMPORTS = List.of(
            "import dev.vavl4j.*;",
            "import dev.vavl4j.data.*;",
            "import dev.vavl4j.predict.*;",
            "import java.nio.file.*;",
            "import java.util.*;");

    /** A fence that opens a Java block, possibly indented (inside a list item). */
    private static final Pattern OPEN = Pattern.compile("^(\\s*)```java\\s*$");
    private static final Pattern CLOSE = Pattern.compile("^\\s*```\\s*$");
    /** A top-level type declaration: at the start of a line, after the block's indentation is removed. */
    private static final Pattern TYPE = Pattern.compile(
            "^(?:(?:public|final|abstract|sealed|non-sealed|strictfp)\\s+)*(class|record|interface|enum)\\s+([A-Za-z_$][\\w$]*)",
            Pattern.MULTILINE);
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "^(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*"
                    + "(?:class|record|interface|enum)\\s+([A-Za-z_$][\\w$]*)",
            Pattern.MULTILINE);

    /** One fenced block: its text (indentation of the fence removed) and the README line of its first line. */
    record Snippet(int line, String code) {}

    @Test
    void everyJavaBlockOfTheReadmeCompiles(@TempDir Path tmp) throws IOException {
        assertNotNull(ToolProvider.getSystemJavaCompiler(), "no system Java compiler: the tests need a JDK, not a JRE");
        List<Snippet> snippets = javaBlocks(Files.readAllLines(README, StandardCharsets.UTF_8));
        assertFalse(snippets.isEmpty(), README.toAbsolutePath() + " has no ```java block; this test would pass vacuously");

        List<String> failures = new ArrayList<>();
        for (int i = 0; i < snippets.size(); i++) {
            String failure = compile(snippets.get(i), i, tmp.resolve("snippet" + i));
            if (failure != null) failures.add(failure);
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + snippets.size() + " ```java blocks of " + README + " do not compile:\n\n"
                    + String.join("\n\n", failures));
        }
    }

    /** The {@code ```java} blocks in order; an unclosed block is an error (it would silently swallow the rest). */
    static List<Snippet> javaBlocks(List<String> lines) {
        List<Snippet> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = OPEN.matcher(lines.get(i));
            if (!open.matches()) continue;
            int indent = open.group(1).length(), start = i + 1;
            StringBuilder code = new StringBuilder();
            int j = start;
            for (; j < lines.size() && !CLOSE.matcher(lines.get(j)).matches(); j++) {
                code.append(dedent(lines.get(j), indent)).append('\n');
            }
            if (j == lines.size()) fail(README + " line " + (i + 1) + ": ```java block is never closed");
            out.add(new Snippet(start + 1, code.toString()));
            i = j;
        }
        return out;
    }

    private static String dedent(String line, int indent) {
        int k = 0;
        while (k < indent && k < line.length() && line.charAt(k) == ' ') k++;
        return line.substring(k);
    }

    /** A compilation unit made from a snippet, and for each of its lines the README line it came from (0: none). */
    record Unit(String source, int[] readmeLines) {}

    /** Compiles one snippet; null when it compiles without errors, else a report with the source and the errors. */
    private static String compile(Snippet s, int index, Path dir) throws IOException {
        Matcher type = TYPE.matcher(s.code());
        String fileName;
        Unit unit;
        if (type.find()) {
            Matcher pub = PUBLIC_TYPE.matcher(s.code());
            fileName = (pub.find() ? pub.group(1) : "Snippet" + index) + ".java";
            int n = s.code().split("\n", -1).length;
            int[] map = new int[n + 1];
            for (int i = 1; i <= n; i++) map[i] = s.line() + i - 1;
            unit = new Unit(s.code(), map);
        } else {
            fileName = "Snippet" + index + ".java";
            unit = wrap(s, "Snippet" + index);
        }
        String source = unit.source();
        Path src = dir.resolve("src").resolve(fileName), classes = dir.resolve("classes");
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, source, StandardCharsets.UTF_8);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter javacOut = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "25", "--add-modules", "jdk.incubator.vector", "-proc:none",
                    "-classpath", classPath(), "-d", classes.toString());
            ok = javac.getTask(javacOut, files, diagnostics, options, null, files.getJavaFileObjects(src)).call();
        }
        List<Diagnostic<? extends JavaFileObject>> errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR).toList();
        if (ok && errors.isEmpty()) return null;

        StringBuilder report = new StringBuilder("block at README.md line " + s.line() + " (compiled as " + fileName + "):\n");
        for (Diagnostic<? extends JavaFileObject> d : errors) {
            long line = d.getLineNumber();
            int readmeLine = line > 0 && line < unit.readmeLines().length ? unit.readmeLines()[(int) line] : 0;
            report.append("  error at ").append(fileName).append(':').append(line).append(':').append(d.getColumnNumber())
                    .append(readmeLine > 0 ? " (README.md line " + readmeLine + ")" : "").append(": ")
                    .append(d.getMessage(Locale.ROOT)).append('\n');
        }
        if (!javacOut.toString().isBlank()) report.append("  javac: ").append(javacOut.toString().strip()).append('\n');
        report.append("  source as compiled:\n");
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) report.append(String.format(Locale.ROOT, "  %4d | %s%n", i + 1, lines[i]));
        return report.toString();
    }

    /** A fragment as a class: its imports and the defaults on top, the rest as the body of run(). */
    static Unit wrap(Snippet fragment, String className) {
        Set<String> imports = new LinkedHashSet<>(FRAGMENT_IMPORTS);
        List<String> body = new ArrayList<>();
        List<Integer> bodyLines = new ArrayList<>();
        String[] lines = fragment.code().split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("import ")) {
                imports.add(lines[i].strip());
            } else {
                body.add("        " + lines[i]);
                bodyLines.add(fragment.line() + i);
            }
        }
        List<String> out = new ArrayList<>(imports);
        out.add("");
        out.add("class " + className + " {");
        out.add("    void run() throws Exception {");
        int bodyStart = out.size() + 1; // 1-based line of the first body line
        out.addAll(body);
        out.add("    }");
        out.add("}");
        int[] map = new int[out.size() + 1];
        for (int k = 0; k < bodyLines.size(); k++) map[bodyStart + k] = bodyLines.get(k);
        return new Unit(String.join("\n", out) + "\n", map);
    }

    /**
     * The test JVM's class path. Surefire may start the JVM from a manifest-only jar, and then also names
     * the real class path in {@code surefire.test.class.path}; both are passed, the real one first.
     */
    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String prop : new String[] {"surefire.test.class.path", "java.class.path"}) {
            String v = System.getProperty(prop);
            if (v == null || v.isBlank()) continue;
            for (String e : v.split(java.io.File.pathSeparator)) if (!e.isBlank()) entries.add(e);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
