package org.kpff.job.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The {@code search.space} of a hyperparameter search: for each searched config key, either a list of values (a
 * grid axis, or a uniform choice for random draws) or a distribution ({@code uniform}, {@code log-uniform} over
 * {@code [low, high]}, or {@code choice} over a list). Keys are sorted by name; list values are canonical texts.
 *
 * <p>In HOCON, quote the dotted key names: {@code space { "train.learning-rate" = { log-uniform = [1e-5, 1e-1] },
 * "train.dropout" = [0.3, 0.5] }} (unquoted dotted names, which HOCON nests, are read the same way).
 *
 * @param dimensions the searched keys and their values or distributions, sorted by key
 */
public record SearchSpace(SortedMap<String, Dimension> dimensions) implements Serializable {

    /** The space with no keys (no search). */
    public static final SearchSpace EMPTY = new SearchSpace(new TreeMap<>());

    /** How one key is searched. */
    public enum Kind {
        /** A plain list: a grid axis; random draws pick one value uniformly. */
        LIST,
        /** {@code { choice = [...] }}: a uniform choice among the values (a grid axis too). */
        CHOICE,
        /** {@code { uniform = [low, high] }}: uniform on the closed interval (integers for int keys). */
        UNIFORM,
        /** {@code { log-uniform = [low, high] }}: log-uniform on the closed interval, low > 0. */
        LOG_UNIFORM;

        /** The name used in configs ({@link org.kpff.core.EnumIds#id}). */
        public String id() {
            return org.kpff.core.EnumIds.id(this);
        }

        /** Whether the kind has finitely many values (a list or a choice). */
        public boolean discrete() {
            return this == LIST || this == CHOICE;
        }
    }

    /**
     * One searched key.
     *
     * @param kind     list, choice, uniform or log-uniform
     * @param values   the canonical values of a list or choice, in the order given; empty for distributions
     * @param low      the lower bound of a distribution; NaN for lists
     * @param high     the upper bound of a distribution; NaN for lists
     * @param integral whether the key is an int key (distributions then draw integers)
     * @param when     the condition of a conditional key: searched key → the canonical values for which this key is
     *                 searched (absent from the point otherwise); empty for a key searched in every point
     */
    public record Dimension(Kind kind, List<String> values, double low, double high, boolean integral,
            SortedMap<String, List<String>> when) implements Serializable {

        /** A key searched in every point. */
        public Dimension(Kind kind, List<String> values, double low, double high, boolean integral) {
            this(kind, values, low, high, integral, new TreeMap<>());
        }

        /** Copies the values and the condition. */
        public Dimension {
            Objects.requireNonNull(kind, "kind");
            values = List.copyOf(values);
            SortedMap<String, List<String>> w = new TreeMap<>();
            when.forEach((k, v) -> w.put(k, List.copyOf(v)));
            when = Collections.unmodifiableSortedMap(w);
        }

        /** Whether the key is searched in a point: unconditional, or the point's values meet the condition. */
        public boolean appliesTo(Map<String, String> point) {
            return when.entrySet().stream().allMatch(e -> e.getValue().contains(point.get(e.getKey())));
        }

        /**
         * The canonical text of the dimension, e.g. {@code log-uniform[0.00001,0.1]}, {@code list[0.3,0.5]} or
         * {@code choice[identity,add]when{model.methods=kpff}}.
         */
        public String canonical() {
            StringBuilder sb = new StringBuilder(kind.id() + "[" + String.join(",", kind.discrete() ? values
                    : List.of(ConfigKey.canonicalDouble(low), ConfigKey.canonicalDouble(high))) + "]");
            if (!when.isEmpty()) {
                sb.append("when{");
                when.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : ";").append(k).append('=')
                        .append(String.join("|", v)));
                sb.append('}');
            }
            return sb.toString();
        }

        Object plain() {
            if (kind == Kind.LIST && when.isEmpty()) {
                return values;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(kind == Kind.LIST ? Kind.CHOICE.id() : kind.id(), kind.discrete() ? values : List.of(low, high));
            if (!when.isEmpty()) {
                Map<String, Object> w = new LinkedHashMap<>();
                when.forEach(w::put);
                m.put(WHEN, w);
            }
            return m;
        }
    }

    /** The entry of a distribution that makes a key conditional. */
    static final String WHEN = "when";

    /** Sorts and freezes the dimensions. */
    public SearchSpace {
        dimensions = Collections.unmodifiableSortedMap(new TreeMap<>(dimensions));
    }

    /** Whether no key is searched. */
    public boolean isEmpty() {
        return dimensions.isEmpty();
    }

    /** Whether every key has finitely many values (lists and choices only). */
    public boolean isDiscrete() {
        return dimensions.values().stream().allMatch(d -> d.kind().discrete());
    }

    /**
     * The number of distinct points of a discrete space (the Cartesian product of the unconditional keys, each
     * point times the values of the conditional keys that apply to it), saturating at Long.MAX_VALUE; 0 if not
     * discrete.
     */
    public long gridSize() {
        if (!isDiscrete()) {
            return 0;
        }
        return SpaceConditions.count(dimensions);
    }

    /** The canonical text: {@code key=dimension} entries sorted by key, joined by {@code ;}; {@code {}} for no keys. */
    public String canonical() {
        if (dimensions.isEmpty()) {
            return "{}";
        }
        StringBuilder sb = new StringBuilder();
        dimensions.forEach((k, d) -> sb.append(sb.length() == 0 ? "" : ";").append(k).append('=').append(d.canonical()));
        return sb.toString();
    }

    /** The space as a plain HOCON value: a map from key name to a list or a one-entry distribution map. */
    Object plain() {
        Map<String, Object> m = new LinkedHashMap<>();
        dimensions.forEach((k, d) -> m.put(k, d.plain()));
        return m;
    }

    // ---------------------------------------------------------------- reading

    /** What a search.space entry may look like, completing "must be ...". */
    static final String ALLOWED = "an object from searchable keys to a list of values or one of { uniform = [low, high] },"
            + " { log-uniform = [low, high] }, { choice = [values] }";

    /**
     * Reads an unwrapped HOCON object into a space, adding one sentence per problem to {@code errors}.
     *
     * @return the space, or empty when there was any problem
     */
    static Optional<SearchSpace> read(Object raw, List<String> errors) {
        if (!(raw instanceof Map<?, ?> map)) {
            errors.add(ConfigKeys.SEARCH_SPACE.name() + ": must be " + ALLOWED);
            return Optional.empty();
        }
        int before = errors.size();
        SortedMap<String, Dimension> dims = new TreeMap<>();
        readEntries(map, "", dims, errors);
        if (errors.size() == before) {
            SpaceConditions.check(dims, errors);
        }
        return errors.size() == before ? Optional.of(new SearchSpace(dims)) : Optional.empty();
    }

    private static void readEntries(Map<?, ?> map, String prefix, SortedMap<String, Dimension> dims,
            List<String> errors) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = prefix + e.getKey();
            Optional<ConfigKey<?>> key = ConfigKeys.byName(name);
            if (key.isEmpty()) {
                if (e.getValue() instanceof Map<?, ?> nested && !isDistribution(nested)) {
                    readEntries(nested, name + ".", dims, errors);
                    continue;
                }
                errors.add(where(name) + "is not a config key" + Suggestions.closest(name, searchableNames())
                        .map(n -> "; did you mean '" + n + "'?").orElse("; searchable keys: "
                                + String.join(", ", searchableNames())));
                continue;
            }
            if (!ConfigKeys.searchableKeys().contains(key.get())) {
                errors.add(where(name) + "cannot be searched"
                        + (key.get() == ConfigKeys.TRAIN_SEED ? " (choosing the luckiest seed overfits the folds)" : "")
                        + "; searchable keys: " + String.join(", ", searchableNames()));
                continue;
            }
            readDimension(key.get(), e.getValue(), errors).ifPresent(d -> dims.put(name, d));
        }
    }

    private static boolean isDistribution(Map<?, ?> m) {
        Map<?, ?> rest = new LinkedHashMap<>(m);
        rest.remove(WHEN);
        return rest.size() == 1 && rest.keySet().stream().allMatch(k -> k instanceof String s
                && (s.equals("uniform") || s.equals("log-uniform") || s.equals("choice")));
    }

    private static List<String> searchableNames() {
        return ConfigKeys.searchableKeys().stream().map(ConfigKey::name).toList();
    }

    static String where(String key) {
        return ConfigKeys.SEARCH_SPACE.name() + " \"" + key + "\": ";
    }

    private static Optional<Dimension> readDimension(ConfigKey<?> key, Object raw, List<String> errors) {
        boolean integral = "int".equals(key.type());
        boolean numeric = integral || "double".equals(key.type());
        if (raw instanceof List<?> list) {
            return readValues(key, Kind.LIST, list, integral, errors);
        }
        if (raw instanceof Map<?, ?> withWhen && withWhen.containsKey(WHEN)) {
            Map<Object, Object> rest = new LinkedHashMap<>(withWhen);
            Object when = rest.remove(WHEN);
            Optional<SortedMap<String, List<String>>> w = SpaceConditions.readWhen(key.name(), when, errors);
            Optional<Dimension> d = readDimension(key, rest, errors);
            return w.isPresent() && d.isPresent() ? Optional.of(new Dimension(d.get().kind(), d.get().values(),
                    d.get().low(), d.get().high(), d.get().integral(), w.get())) : Optional.empty();
        }
        if (!(raw instanceof Map<?, ?> m) || m.size() != 1) {
            errors.add(where(key.name()) + "must be a list of values or one of { uniform = [low, high] }, "
                    + "{ log-uniform = [low, high] }, { choice = [values] } (each may add when = { key = value })");
            return Optional.empty();
        }
        Map.Entry<?, ?> only = m.entrySet().iterator().next();
        String kindName = String.valueOf(only.getKey()).toLowerCase(Locale.ROOT);
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k != Kind.LIST && k.id().equals(kindName)) {
                kind = k;
            }
        }
        if (kind == null) {
            errors.add(where(key.name()) + "unknown distribution '" + only.getKey() + "'"
                    + Suggestions.closest(kindName, List.of("uniform", "log-uniform", "choice"))
                            .map(n -> "; did you mean '" + n + "'?").orElse("")
                    + "; allowed: uniform, log-uniform, choice");
            return Optional.empty();
        }
        if (!(only.getValue() instanceof List<?> args)) {
            errors.add(where(key.name()) + kind.id() + " must be given a list, e.g. " + kind.id()
                    + (kind == Kind.CHOICE ? " = [a, b]" : " = [low, high]"));
            return Optional.empty();
        }
        if (kind == Kind.CHOICE) {
            return readValues(key, kind, args, integral, errors);
        }
        if (!numeric) {
            errors.add(where(key.name()) + kind.id() + " needs a numeric key; " + key.name() + " is " + key.type()
                    + ": give a list of values instead");
            return Optional.empty();
        }
        if (args.size() != 2 || !(args.get(0) instanceof Number lo) || !(args.get(1) instanceof Number hi)) {
            errors.add(where(key.name()) + kind.id() + " = " + args + ": must be [low, high], two numbers");
            return Optional.empty();
        }
        double low = lo.doubleValue();
        double high = hi.doubleValue();
        String bounds = kind.id() + " = [" + ConfigKey.canonicalDouble(low) + ", " + ConfigKey.canonicalDouble(high)
                + "]";
        if (!(low < high)) {
            errors.add(where(key.name()) + bounds + ": low must be less than high");
            return Optional.empty();
        }
        if (kind == Kind.LOG_UNIFORM && !(low > 0)) {
            errors.add(where(key.name()) + bounds + ": log-uniform needs low > 0");
            return Optional.empty();
        }
        if (integral && (low != Math.rint(low) || high != Math.rint(high))) {
            errors.add(where(key.name()) + bounds + ": " + key.name() + " is an int key, so the bounds must be "
                    + "whole numbers");
            return Optional.empty();
        }
        for (double b : new double[] {low, high}) {
            if (!allowed(key, integral ? (Object) (long) b : (Object) b)) {
                errors.add(where(key.name()) + bounds + ": bound " + ConfigKey.canonicalDouble(b) + " is not allowed; "
                        + key.name() + " must be " + key.allowed());
                return Optional.empty();
            }
        }
        return Optional.of(new Dimension(kind, List.of(), low, high, integral));
    }

    private static Optional<Dimension> readValues(ConfigKey<?> key, Kind kind, List<?> raw, boolean integral,
            List<String> errors) {
        if (raw.isEmpty()) {
            errors.add(where(key.name()) + (kind == Kind.CHOICE ? "choice" : "the list") + " is empty; give at least "
                    + "one value");
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        boolean ok = true;
        for (Object v : raw) {
            try {
                String c = canonicalOf(key, v);
                if ((key == ConfigKeys.MODEL_BACKBONES || key == ConfigKeys.MODEL_METHODS) && c.contains(",")) {
                    errors.add(where(key.name()) + "value " + c + " names several; each value of a searched "
                            + key.name() + " is one " + (key == ConfigKeys.MODEL_BACKBONES ? "backbone" : "method"));
                    ok = false;
                    continue;
                }
                if (values.contains(c)) {
                    errors.add(where(key.name()) + "value " + c + " is listed twice");
                    ok = false;
                }
                values.add(c);
            } catch (ConfigKey.BadValue e) {
                errors.add(where(key.name()) + "value " + v + " is not allowed; " + key.name() + " must be "
                        + key.allowed() + (e.getMessage().isEmpty() ? "" : " (" + e.getMessage() + ")"));
                ok = false;
            }
        }
        return ok ? Optional.of(new Dimension(kind, values, Double.NaN, Double.NaN, integral)) : Optional.empty();
    }

    static <T> String canonicalOf(ConfigKey<T> key, Object raw) throws ConfigKey.BadValue {
        return key.canonical(key.read(raw));
    }

    private static <T> boolean allowed(ConfigKey<T> key, Object raw) {
        try {
            key.read(raw);
            return true;
        } catch (ConfigKey.BadValue e) {
            return false;
        }
    }
}
