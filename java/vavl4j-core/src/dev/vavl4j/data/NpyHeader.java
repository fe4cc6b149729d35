package dev.vavl4j.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header dict of an NPY file, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape': (150, 1024), }}.
 * It is a Python literal, so this is a small parser of the literals NumPy writes (strings in either quote,
 * True/False, integers, tuples and lists) rather than a regex: writers differ in spacing, quotes, key order
 * and trailing commas. Errors are {@link IllegalArgumentException}s with a plain description; {@link Npy}
 * adds the file name.
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {

    /** Parses and checks that exactly the keys descr, fortran_order and shape are present, as NumPy does. */
    static NpyHeader parse(String text) {
        Map<String, Object> dict = new Parser(text).dict();
        for (String key : dict.keySet()) {
            if (!key.equals("descr") && !key.equals("fortran_order") && !key.equals("shape")) {
                throw new IllegalArgumentException("unexpected key '" + key + "'");
            }
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new IllegalArgumentException(dict.containsKey("descr")
                    ? "'descr' is not a plain dtype string (structured arrays are not supported): " + Parser.show(dict.get("descr"))
                    : "missing key 'descr'");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new IllegalArgumentException(dict.containsKey("fortran_order")
                    ? "'fortran_order' is not True or False: " + Parser.show(dict.get("fortran_order"))
                    : "missing key 'fortran_order'");
        }
        Object shapeValue = dict.get("shape");
        if (!(shapeValue instanceof List<?> items)) {
            throw new IllegalArgumentException(dict.containsKey("shape")
                    ? "'shape' is not a tuple: " + Parser.show(shapeValue) : "missing key 'shape'");
        }
        long[] shape = new long[items.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(items.get(i) instanceof Long n) || n < 0) {
                throw new IllegalArgumentException("'shape' holds a non-integer or negative entry: " + Parser.show(shapeValue));
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

    /** Recursive-descent parser over the header text; values are String, Boolean, Long, List<Object>, or null (None). */
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
                if (!(value() instanceof String key)) throw new IllegalArgumentException("dict key at offset " + keyAt + " is not a string");
                skipSpace();
                expect(':');
                skipSpace();
                if (out.put(key, value()) != null) throw new IllegalArgumentException("duplicate key '" + key + "'");
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

        private Object value() {
            char c = peek();
            if (c == '\'' || c == '"') return string(c);
            if (c == '(') return sequence(')');
            if (c == '[') return sequence(']');
            if (c == '-' || (c >= '0' && c <= '9')) return integer();
            if (Character.isLetter(c)) {
                int start = pos;
                while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) pos++;
                String word = s.substring(start, pos);
                return switch (word) {
                    case "True" -> Boolean.TRUE;
                    case "False" -> Boolean.FALSE;
                    case "None" -> null;
                    default -> throw new IllegalArgumentException("unexpected name '" + word + "' at offset " + start);
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
                if (c == '\\' && pos < s.length()) c = s.charAt(pos++);
                sb.append(c);
            }
        }

        private List<Object> sequence(char close) {
            pos++;
            List<Object> out = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == close) break;
                out.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != close) {
                    throw error("',' or '" + close + "'");
                }
            }
            pos++;
            return out;
        }

        private Long integer() {
            int start = pos;
            if (peek() == '-') pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            String digits = s.substring(start, pos);
            // Python 2 wrote long integers with an L suffix: (3L, 4L).
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) pos++;
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad integer '" + digits + "' at offset " + start);
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
            return new IllegalArgumentException("expected " + expected + " at offset " + pos + ", found '" + s.charAt(pos) + "'");
        }

        static String show(Object v) {
            if (v instanceof String str) return "'" + str + "'";
            if (v instanceof Boolean b) return b ? "True" : "False";
            if (v == null) return "None";
            if (v instanceof List<?> list) {
                StringBuilder sb = new StringBuilder("(");
                for (int i = 0; i < list.size(); i++) sb.append(i == 0 ? "" : ", ").append(show(list.get(i)));
                return sb.append(')').toString();
            }
            return v.toString();
        }
    }
}
