package dev.vavl4j.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dict of an NPY file, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (150, 1024), }}.
 * It is a Python literal, so this is a small parser of the literals NumPy writes (strings in either quote,
 * True/False, integers, tuples and lists) rather than a regex: writers differ in spacing, quotes, key order
 * and trailing commas. Errors are {@link IllegalArgumentException}s with a plain description; {@link Npy}
 * adds the file name. The parser is iterative and bounded ({@link #MAX_DEPTH}, {@link #MAX_DIGITS}); {@link Npy}
 * bounds the header's length.
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    /** Parses and checks that exactly the keys descr, fortran_order and shape are present, as NumPy does. */
    static NpyHeader parse(String text) {
        Map<String, Object> dict = new Parser(text).dict();
        for (String key : dict.keySet()) {
            if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
                throw new IllegalArgumentException("unexpected key '" + escape(key) + "'");
            }
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new IllegalArgumentException(dict.containsKey("descr")
                    ? "'descr' is not a plain dtype string (structured arrays are not supported): " + show(dict.get("descr"))
                    : "missing key 'descr'");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new IllegalArgumentException(dict.containsKey("fortran_order")
                    ? "'fortran_order' is not True or False: " + show(dict.get("fortran_order"))
                    : "missing key 'fortran_order'");
        }
        Object shapeValue = dict.get("shape");
        if (!(shapeValue instanceof List<?> items)) {
            throw new IllegalArgumentException(dict.containsKey("shape")
                    ? "'shape' is not a tuple: " + show(shapeValue) : "missing key 'shape'");
        }
        long[] shape = new long[items.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(items.get(i) instanceof Long n) || n < 0) {
                throw new IllegalArgumentException("'shape' holds a non-integer or negative entry: " + show(shapeValue));
            }
            shape[i] = n;
        }
        return new NpyHeader(descr, fortran, shape);
    }

    /** The shape as Python prints it: (3, 4), (5,), (). */
    String shapeString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** Tuples and lists nest at most this deep (a structured dtype's descr nests 2 or 3 levels). */
    static final int MAX_DEPTH = 32;
    /** Digits in one integer: 19 hold every long; more is not a shape NumPy can write. */
    static final int MAX_DIGITS = 19;

    /**
     * An iterative parser over the header text (an explicit stack of open tuples and lists, at most
     * {@link #MAX_DEPTH} deep, so no header can overflow the Java stack); values are String, Boolean, Long,
     * List&lt;Object&gt;, or null (None). Integers are Python integer literals: digits with an optional sign
     * and Python 2's L suffix; fractions, exponents, leading zeros and more than {@link #MAX_DIGITS} digits are
     * errors.
     */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Map<String, Object> dict() {
            skipSpace();
            expect('{');
            Map<String, Object> out = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') break;
                int keyAt = pos;
                char q = peek();
                if (q != '\'' && q != '"') throw new IllegalArgumentException("dict key at offset " + keyAt + " is not a string");
                String key = string(q);
                skipSpace();
                expect(':');
                skipSpace();
                if (out.containsKey(key)) throw new IllegalArgumentException("duplicate key '" + escape(key) + "'");
                out.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw error("',' or '}'");
                }
            }
            pos++;
            skipSpace();
            if (pos != s.length()) throw new IllegalArgumentException("unexpected text after the dict at offset " + pos);
            return out;
        }

        /** An open tuple or list: its items so far and the character that closes it. */
        private record Open(List<Object> items, char close) {}

        /** One value; nested sequences are parsed with an explicit stack, not by recursion. */
        private Object value() {
            Deque<Open> stack = new ArrayDeque<>();
            while (true) {
                skipSpace();
                Object v;
                char c = peek();
                if (c == '(' || c == '[') {
                    if (stack.size() >= MAX_DEPTH) {
                        throw new IllegalArgumentException("tuples or lists nested deeper than " + MAX_DEPTH + " levels at offset " + pos);
                    }
                    pos++;
                    stack.push(new Open(new ArrayList<>(), c == '(' ? ')' : ']'));
                    skipSpace();
                    if (peek() != stack.peek().close()) continue;   // parse the first item
                    pos++;
                    v = stack.pop().items();
                } else {
                    v = scalar();
                }
                // v is complete: add it to the innermost open sequence, closing sequences that end here.
                while (true) {
                    if (stack.isEmpty()) return v;
                    Open open = stack.peek();
                    open.items().add(v);
                    skipSpace();
                    if (peek() == ',') {
                        pos++;
                        skipSpace();
                        if (peek() != open.close()) break;   // another item follows
                    } else if (peek() != open.close()) {
                        throw error("',' or '" + open.close() + "'");
                    }
                    pos++;
                    v = stack.pop().items();
                }
            }
        }

        private Object scalar() {
            char c = peek();
            if (c == '\'' || c == '"') return string(c);
            if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return integer();
            if (Character.isLetter(c)) {
                int start = pos;
                while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos)) && pos - start < 16) pos++;
                String word = s.substring(start, pos);
                return switch (word) {
                    case "True" -> Boolean.TRUE;
                    case "False" -> Boolean.FALSE;
                    case "None" -> null;
                    default -> throw new IllegalArgumentException("unexpected name '" + escape(word) + "' at offset " + start);
                };
            }
            throw error("a value");
        }

        private String string(char quote) {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) throw new IllegalArgumentException("unterminated string");
                char c = s.charAt(pos++);
                if (c == quote) return sb.toString();
                if (c == '\n' || c == '\r') throw new IllegalArgumentException("line break inside a string at offset " + (pos - 1));
                if (c == '\\' && pos < s.length()) c = s.charAt(pos++);
                sb.append(c);
            }
        }

        private Long integer() {
            int start = pos;
            if (peek() == '-' || peek() == '+') pos++;
            int digitsStart = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
            int digits = pos - digitsStart;
            // Python 2 wrote long integers with an L suffix: (3L, 4L).
            boolean suffix = pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l');
            if (suffix) pos++;
            if (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == '_')) {
                int end = pos;
                while (end < s.length() && end - start < 40 && (Character.isLetterOrDigit(s.charAt(end)) || ".+-_".indexOf(s.charAt(end)) >= 0)) end++;
                throw new IllegalArgumentException("'" + escape(s.substring(start, end)) + "' at offset " + start + " is not an integer");
            }
            String text = s.substring(start, pos - (suffix ? 1 : 0));
            if (digits == 0) throw new IllegalArgumentException("bad integer '" + escape(text) + "' at offset " + start);
            if (digits > 1 && s.charAt(digitsStart) == '0') {
                throw new IllegalArgumentException("integer '" + escape(text) + "' at offset " + start + " has a leading zero");
            }
            if (digits > MAX_DIGITS) throw new IllegalArgumentException("integer at offset " + start + " has " + digits + " digits (too large)");
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("integer '" + text + "' at offset " + start + " is too large");
            }
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        private char peek() {
            if (pos >= s.length()) throw new IllegalArgumentException("header ends early");
            return s.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) throw error("'" + c + "'");
            pos++;
        }

        private IllegalArgumentException error(String expected) {
            return new IllegalArgumentException("expected " + expected + " at offset " + pos + ", found '" + escape(String.valueOf(s.charAt(pos))) + "'");
        }
    }

    /**
     * A parsed value as Python prints it, for messages: at most about 200 characters, control characters
     * escaped (a message is one line). Iterative like the parser.
     */
    static String show(Object v) {
        StringBuilder sb = new StringBuilder();
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(v == null ? Text.NONE : v);
        while (!todo.isEmpty() && sb.length() < 200) {
            Object x = todo.pop();
            if (x instanceof Text t) {
                sb.append(t.text);
            } else if (x instanceof String str) {
                sb.append('\'').append(escape(str)).append('\'');
            } else if (x instanceof Boolean b) {
                sb.append(b ? "True" : "False");
            } else if (x instanceof List<?> list) {
                todo.push(new Text(list.size() == 1 ? ",)" : ")"));
                for (int i = list.size() - 1; i >= 0; i--) {
                    todo.push(list.get(i) == null ? Text.NONE : list.get(i));
                    if (i > 0) todo.push(new Text(", "));
                }
                sb.append('(');
            } else {
                sb.append(x);
            }
        }
        return todo.isEmpty() && sb.length() <= 200 ? sb.toString() : sb.substring(0, Math.min(sb.length(), 200)) + "…";
    }

    /** {@code text} with control characters escaped as \\u and four hex digits, and cut to about 200 characters, for one-line messages. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < text.length() && sb.length() < 200; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return i < text.length() ? sb + "…" : sb.toString();
    }

    /** Literal text in {@link #show}'s work list. */
    private record Text(String text) {
        static final Text NONE = new Text("None");
    }
}
