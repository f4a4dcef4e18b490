package org.kpff.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueFactory;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One declared key of the job config: its dotted name, type, default, allowed values, doc line, whether it defines
 * results (and so enters the {@linkplain JobConfig#fingerprint() fingerprint}) and whether a hyperparameter point may
 * override it; it also reads a raw HOCON value into the typed value, or says why it cannot.
 *
 * @param <T> the typed value (Integer, Long, Double, Boolean, String, an enum, or a list of those)
 */
public final class ConfigKey<T> {

    /** Thrown by a {@link Reader} when a raw value is not allowed; the message is an optional detail (may be empty). */
    static final class BadValue extends Exception {
        BadValue(String detail) {
            super(detail, null, false, false);
        }
    }

    /** Converts an unwrapped HOCON value (String, Number, Boolean, List) into the typed value. */
    @FunctionalInterface
    interface Reader<T> {
        T read(Object raw) throws BadValue;
    }

    private final String name;
    private final Section section;
    private final String type;
    private final T defaultValue;
    private final String allowed;
    private final String doc;
    private final boolean definesResults;
    private final boolean perPoint;
    private final Reader<T> reader;
    private final Function<T, Object> plain;
    private final Function<T, String> canonical;

    private ConfigKey(String name, String type, T defaultValue, String allowed, String doc, boolean definesResults,
            boolean perPoint, Reader<T> reader, Function<T, Object> plain, Function<T, String> canonical) {
        this.name = Objects.requireNonNull(name, "name");
        this.section = Section.ofKey(name);
        if (section == null || !name.matches("[a-z]+(\\.[a-z][a-z0-9-]*)+")) {
            throw new IllegalArgumentException("Config key name '" + name
                    + "' must be <section>.<lower-case-hyphenated-name> with a section from " + List.of(Section.values()));
        }
        this.type = type;
        this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
        this.allowed = allowed;
        this.doc = Objects.requireNonNull(doc, "doc");
        this.definesResults = definesResults;
        this.perPoint = perPoint;
        this.reader = reader;
        this.plain = plain;
        this.canonical = canonical;
    }

    // ---------------------------------------------------------------- factories

    /** An int key with an inclusive range. */
    static ConfigKey<Integer> ofInt(String name, int defaultValue, int min, int max, String doc) {
        String allowed = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in [" + min + ", " + max + "]";
        return new ConfigKey<>(name, "int", defaultValue, allowed, doc, true, false, raw -> {
            long v = readIntegral(name, raw);
            if (v < min || v > max) {
                throw new BadValue("");
            }
            return (int) v;
        }, v -> v, String::valueOf);
    }

    /** A long key taking any 64-bit integer. */
    static ConfigKey<Long> ofLong(String name, long defaultValue, String doc) {
        return new ConfigKey<>(name, "long", defaultValue, "an integer (64-bit)", doc, true, false,
                raw -> readIntegral(name, raw), v -> v, String::valueOf);
    }

    /** A finite double key within a range whose ends may be open or closed. */
    static ConfigKey<Double> ofDouble(String name, double defaultValue, double lo, boolean loClosed, double hi,
            boolean hiClosed, String doc) {
        String allowed;
        if (hi == Double.POSITIVE_INFINITY) {
            allowed = "a finite number " + (loClosed ? ">= " : "> ") + canonicalDouble(lo);
        } else {
            allowed = "a number in " + (loClosed ? "[" : "(") + canonicalDouble(lo) + ", " + canonicalDouble(hi)
                    + (hiClosed ? "]" : ")");
        }
        return new ConfigKey<>(name, "double", defaultValue, allowed, doc, true, false, raw -> {
            double v;
            try {
                v = typed(name, raw).getDouble(name);
            } catch (ConfigException e) {
                throw new BadValue("not a number");
            }
            boolean ok = Double.isFinite(v) && (loClosed ? v >= lo : v > lo) && (hiClosed ? v <= hi : v < hi);
            if (!ok) {
                throw new BadValue("");
            }
            return v;
        }, v -> v, ConfigKey::canonicalDouble);
    }

    /** A boolean key; accepts true/false and HOCON's yes/no/on/off (Typesafe Config's {@code getBoolean}). */
    static ConfigKey<Boolean> ofBoolean(String name, boolean defaultValue, String doc) {
        return new ConfigKey<>(name, "boolean", defaultValue, "true or false", doc, true, false, raw -> {
            try {
                return typed(name, raw).getBoolean(name);
            } catch (ConfigException e) {
                throw new BadValue("");
            }
        }, v -> v, String::valueOf);
    }

    /** A free string key. */
    static ConfigKey<String> ofString(String name, String defaultValue, String doc) {
        return new ConfigKey<>(name, "string", defaultValue, "a string", doc, true, false, raw -> {
            if (raw instanceof String s) {
                return s;
            }
            throw new BadValue("");
        }, v -> v, v -> v);
    }

    /** A key whose value is one of a fixed list, read case-insensitively by each value's id. */
    static <E> ConfigKey<E> ofChoice(String name, List<E> values, Function<E, String> id, E defaultValue, String doc) {
        List<String> ids = values.stream().map(id).toList();
        return new ConfigKey<>(name, "enum", defaultValue, "one of " + String.join(", ", ids), doc, true, false,
                raw -> {
                    if (!(raw instanceof String s)) {
                        throw new BadValue("");
                    }
                    return choose(s, values, id, ids);
                }, id::apply, id::apply);
    }

    /** A key whose value is a non-empty list of distinct values from a fixed list; a comma-separated string also works. */
    static <E> ConfigKey<List<E>> ofChoiceList(String name, List<E> values, Function<E, String> id,
            List<E> defaultValue, String doc) {
        List<String> ids = values.stream().map(id).toList();
        return new ConfigKey<>(name, "list of enum", List.copyOf(defaultValue),
                "a non-empty list of distinct values from " + String.join(", ", ids), doc, true, false, raw -> {
                    List<Object> items = new ArrayList<>();
                    if (raw instanceof List<?> list) {
                        items.addAll(list);
                    } else if (raw instanceof String s) {
                        for (String part : s.split(",", -1)) {
                            items.add(part);
                        }
                    } else {
                        throw new BadValue("");
                    }
                    if (items.isEmpty() || (items.size() == 1 && "".equals(items.get(0).toString().trim()))) {
                        throw new BadValue("the list is empty");
                    }
                    Set<E> out = new LinkedHashSet<>();
                    for (Object item : items) {
                        if (!(item instanceof String s)) {
                            throw new BadValue("element " + item + " is not a string");
                        }
                        E e = choose(s, values, id, ids);
                        if (!out.add(e)) {
                            throw new BadValue("'" + id.apply(e) + "' is listed twice");
                        }
                    }
                    return List.copyOf(out);
                }, v -> v.stream().map(id).toList(), v -> v.stream().map(id).collect(Collectors.joining(",")));
    }

    /** The {@code search.space} key: an object of searched keys (see {@link SearchSpace}); empty by default. */
    static ConfigKey<SearchSpace> ofSpace(String name, String doc) {
        return new ConfigKey<>(name, "object", SearchSpace.EMPTY, SearchSpace.ALLOWED, doc, true, false, raw -> {
            List<String> errors = new ArrayList<>();
            return SearchSpace.read(raw, errors).orElseThrow(() -> new BadValue(String.join("; ", errors)));
        }, SearchSpace::plain, SearchSpace::canonical);
    }

    /** This key, left out of the fingerprint: its value does not change any cell's result. */
    ConfigKey<T> notDefiningResults() {
        return new ConfigKey<>(name, type, defaultValue, allowed, doc, false, perPoint, reader, plain, canonical);
    }

    /** This key, allowed to vary per hyperparameter point. */
    ConfigKey<T> perPoint() {
        return new ConfigKey<>(name, type, defaultValue, allowed, doc, definesResults, true, reader, plain, canonical);
    }

    // ---------------------------------------------------------------- accessors

    /** The dotted name, e.g. {@code train.learning-rate}. */
    public String name() {
        return name;
    }

    /** The section the key belongs to. */
    public Section section() {
        return section;
    }

    /** The type as documented: int, long, double, boolean, string, enum, list of enum or object. */
    public String type() {
        return type;
    }

    /** The built-in default. */
    public T defaultValue() {
        return defaultValue;
    }

    /** The allowed values as a phrase that completes "must be ...", e.g. "an integer >= 2". */
    public String allowed() {
        return allowed;
    }

    /** One line saying what the key does. */
    public String doc() {
        return doc;
    }

    /** Whether the key's value can change a cell's result, and so enters the fingerprint. */
    public boolean definesResults() {
        return definesResults;
    }

    /** Whether a hyperparameter point may override the key for its cells. */
    public boolean isPerPoint() {
        return perPoint;
    }

    /** The canonical text of a value: the form used in fingerprints, hyperparameter maps and cell ids. */
    public String canonical(T value) {
        return canonical.apply(value);
    }

    /** The canonical text of the default. */
    public String canonicalDefault() {
        return canonical(defaultValue);
    }

    /** The value as a plain HOCON value (Integer, Long, Double, Boolean, String or List of String). */
    Object plain(T value) {
        return plain.apply(value);
    }

    /** Reads a raw unwrapped value; {@link BadValue} carries an optional detail. */
    T read(Object raw) throws BadValue {
        return reader.read(raw);
    }

    @Override
    public String toString() {
        return name;
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A raw value (from a config file, an override or a search space) as a one-key Config at the key's path, so that
     * Typesafe Config's typed getters read it: they parse strings as HOCON does and throw
     * {@link ConfigException.WrongType} for a value of another type, which the readers turn into a {@link BadValue}
     * (the loader collects one message per bad key, naming it, the value and what is allowed).
     */
    private static Config typed(String name, Object raw) {
        return ConfigValueFactory.fromAnyRef(raw instanceof String s ? s.trim() : raw).atPath(name);
    }

    /** A whole number through {@code getNumber} (which would truncate 1.5 with {@code getLong}: refused instead). */
    private static long readIntegral(String name, Object raw) throws BadValue {
        Number n;
        try {
            n = typed(name, raw).getNumber(name);
        } catch (ConfigException e) {
            throw new BadValue("not an integer");
        }
        if (n instanceof Integer || n instanceof Long) {
            return n.longValue();
        }
        double d = n.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
            return (long) d;
        }
        throw new BadValue("not an integer");
    }

    private static <E> E choose(String s, List<E> values, Function<E, String> id, List<String> ids) throws BadValue {
        String t = s.trim();
        for (E e : values) {
            if (id.apply(e).equalsIgnoreCase(t)) {
                return e;
            }
        }
        Optional<String> near = Suggestions.closest(t.toLowerCase(Locale.ROOT), ids);
        throw new BadValue("'" + t + "' is not allowed" + near.map(n -> "; did you mean '" + n + "'?").orElse(""));
    }

    /** Plain decimal text of a double without trailing zeros: 1.0E-4 gives "0.0001", 1.0 gives "1". */
    static String canonicalDouble(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        if (v == 0) {
            return "0";
        }
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
