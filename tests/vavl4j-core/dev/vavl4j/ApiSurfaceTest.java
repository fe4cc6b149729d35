package dev.vavl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vavl4j.model.VavlConfig;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * vavl4j-core is an embeddable library: its public API must not tie callers to the JSON and CSV libraries it
 * uses inside. Scans every class of core's main output (the directory or jar holding VavlConfig.class) and
 * fails, listing every offender, when a public or protected type, method, constructor, field or record
 * component mentions a Jackson or commons-csv type in its generic signature (parameters, return type,
 * thrown types, type-parameter bounds, supertypes).
 */
class ApiSurfaceTest {
    private static final List<String> FORBIDDEN = List.of("com.fasterxml.jackson.", "org.apache.commons.csv.");

    @Test
    void noPublicSignatureInCoreMentionsJacksonOrCommonsCsv() throws Exception {
        List<String> names = coreClassNames();
        assertTrue(names.contains(VavlConfig.class.getName()), "the scan must see VavlConfig: " + names.size() + " classes");
        assertTrue(names.size() > 50, "only " + names.size() + " core classes found; is the scan looking in the right place?");

        Set<String> offenders = new TreeSet<>();
        int apiTypes = 0;
        ClassLoader loader = VavlConfig.class.getClassLoader();
        for (String name : names) {
            Class<?> c = Class.forName(name, false, loader);
            if (!isApi(c)) continue;
            apiTypes++;
            check(offenders, c);
        }
        assertTrue(apiTypes > 30, "only " + apiTypes + " public types found");
        if (!offenders.isEmpty()) {
            fail(offenders.size() + " public signatures in vavl4j-core expose " + FORBIDDEN + " types:\n  "
                    + String.join("\n  ", offenders));
        }
    }

    /** Public top-level types, and public or protected nested types of such types (not local or anonymous ones). */
    private static boolean isApi(Class<?> c) {
        if (c.isSynthetic() || c.isAnonymousClass() || c.isLocalClass()) return false;
        Class<?> outer = c.getDeclaringClass();
        if (outer == null) return Modifier.isPublic(c.getModifiers());
        return (Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers())) && isApi(outer);
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void check(Set<String> offenders, Class<?> c) {
        String type = c.getName();
        mentions(offenders, type + " extends", c.getGenericSuperclass());
        for (Type t : c.getGenericInterfaces()) mentions(offenders, type + " implements", t);
        for (TypeVariable<?> v : c.getTypeParameters()) for (Type b : v.getBounds()) mentions(offenders, type + " <" + v.getName() + " extends>", b);
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) mentions(offenders, type + " record component " + rc.getName(), rc.getGenericType());
        }
        for (Field f : c.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) mentions(offenders, type + "." + f.getName() + " (field)", f.getGenericType());
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k.getModifiers()) && !k.isSynthetic()) executable(offenders, type + ".<init>", k);
        }
        for (Method m : c.getDeclaredMethods()) {
            if (!visible(m.getModifiers()) || m.isSynthetic() || m.isBridge()) continue;
            executable(offenders, type + "." + m.getName(), m);
            mentions(offenders, signature(type + "." + m.getName(), m) + " returns", m.getGenericReturnType());
        }
    }

    private static String signature(String where, Executable e) {
        return where + "(" + String.join(", ", Arrays.stream(e.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
    }

    private static void executable(Set<String> offenders, String where, Executable e) {
        String sig = signature(where, e);
        Type[] params = e.getGenericParameterTypes();
        for (int i = 0; i < params.length; i++) mentions(offenders, sig + " parameter " + i, params[i]);
        for (Type t : e.getGenericExceptionTypes()) mentions(offenders, sig + " throws", t);
        for (TypeVariable<?> v : e.getTypeParameters()) for (Type b : v.getBounds()) mentions(offenders, sig + " <" + v.getName() + " extends>", b);
    }

    private static void mentions(Set<String> offenders, String where, Type t) {
        Set<String> found = new TreeSet<>();
        collect(t, found, new HashSet<>());
        for (String f : found) offenders.add(where + ": " + f);
    }

    /** Adds the forbidden classes that {@code t} mentions anywhere (type arguments, bounds, array components). */
    private static void collect(Type t, Set<String> found, Set<Type> seen) {
        if (t == null || !seen.add(t)) return;
        switch (t) {
            case Class<?> c -> {
                Class<?> base = c;
                while (base.isArray()) base = base.getComponentType();
                String n = base.getName();
                if (FORBIDDEN.stream().anyMatch(n::startsWith)) found.add(n);
            }
            case ParameterizedType p -> {
                collect(p.getRawType(), found, seen);
                collect(p.getOwnerType(), found, seen);
                for (Type a : p.getActualTypeArguments()) collect(a, found, seen);
            }
            case WildcardType w -> {
                for (Type b : w.getUpperBounds()) collect(b, found, seen);
                for (Type b : w.getLowerBounds()) collect(b, found, seen);
            }
            case TypeVariable<?> v -> {
                for (Type b : v.getBounds()) collect(b, found, seen);
            }
            case GenericArrayType g -> collect(g.getGenericComponentType(), found, seen);
            default -> throw new AssertionError("unexpected reflection type " + t.getClass());
        }
    }

    /** Binary names of every class in the directory (or jar) that holds core's VavlConfig.class. */
    private static List<String> coreClassNames() throws IOException, URISyntaxException {
        URI location = VavlConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI();
        Path root = Path.of(location);
        if (Files.isDirectory(root)) return classNames(root);
        try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + location), Map.of())) {
            return classNames(jar.getPath("/"));
        }
    }

    private static List<String> classNames(Path root) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                String rel = root.relativize(p).toString().replace('\\', '/');
                String name = rel.substring(0, rel.length() - ".class".length()).replace('/', '.');
                if (!name.endsWith("module-info") && !name.endsWith("package-info") && !name.startsWith("META-INF")) names.add(name);
            });
        }
        names.sort(null);
        return names;
    }
}
