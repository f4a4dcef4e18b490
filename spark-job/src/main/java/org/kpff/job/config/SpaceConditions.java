package org.kpff.job.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.kpff.job.config.SearchSpace.Dimension;

/**
 * The conditional keys of a search space ({@code when = { key = value }}): reading and checking conditions, and
 * counting the distinct points of a discrete space that has some.
 */
final class SpaceConditions {

    private SpaceConditions() {
    }

    /**
     * The number of distinct points of a discrete space: the product of the keys no condition names, times, summed
     * over the combinations of the condition keys' values, the values of the conditional keys that apply.
     *
     * @throws ArithmeticException never: saturates at Long.MAX_VALUE
     */
    static long count(SortedMap<String, Dimension> dimensions) {
        try {
            long others = 1;
            List<String> conditions = new ArrayList<>();
            dimensions.values().forEach(d -> d.when().keySet().stream().filter(k -> !conditions.contains(k))
                    .forEach(conditions::add));
            for (Map.Entry<String, Dimension> e : dimensions.entrySet()) {
                if (e.getValue().when().isEmpty() && !conditions.contains(e.getKey())) {
                    others = Math.multiplyExact(others, e.getValue().values().size());
                }
            }
            List<Map<String, String>> partial = new ArrayList<>(List.of(new TreeMap<>()));
            for (String c : conditions) {
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> p : partial) {
                    for (String v : dimensions.get(c).values()) {
                        Map<String, String> q = new TreeMap<>(p);
                        q.put(c, v);
                        next.add(q);
                    }
                }
                partial = next;
            }
            long total = 0;
            for (Map<String, String> p : partial) {
                long n = others;
                for (Dimension d : dimensions.values()) {
                    if (!d.when().isEmpty() && d.appliesTo(p)) {
                        n = Math.multiplyExact(n, d.values().size());
                    }
                }
                total = Math.addExact(total, n);
            }
            return total;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Checks every condition: its keys are searched, unconditional and discrete, and its values are theirs; nothing
     * depends on a key that is itself conditional.
     */
    static void check(SortedMap<String, Dimension> dims, List<String> errors) {
        dims.forEach((name, d) -> d.when().forEach((k, vs) -> {
            Dimension c = dims.get(k);
            if (c == null || !c.when().isEmpty() || !c.kind().discrete()) {
                errors.add(SearchSpace.where(name) + "when \"" + k + "\": a condition must name a key searched in every point "
                        + "with a list or choice of values" + (c == null ? "; searched keys: "
                        + String.join(", ", dims.keySet()) : ""));
                return;
            }
            for (String v : vs) {
                if (!c.values().contains(v)) {
                    errors.add(SearchSpace.where(name) + "when \"" + k + "\" = " + v + ": not one of its searched values "
                            + c.values());
                }
            }
        }));
    }

    /** Reads a {@code when} object: searched key → one value or a list of values, canonical. */
    static Optional<SortedMap<String, List<String>>> readWhen(String name, Object raw, List<String> errors) {
        if (!(raw instanceof Map<?, ?> m) || m.isEmpty()) {
            errors.add(SearchSpace.where(name) + "when must be an object from searched keys to a value or a list of values, e.g."
                    + " when = { \"model.methods\" = kpff }");
            return Optional.empty();
        }
        SortedMap<String, List<String>> out = new TreeMap<>();
        int before = errors.size();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = String.valueOf(e.getKey());
            Optional<ConfigKey<?>> key = ConfigKeys.byName(k);
            if (key.isEmpty()) {
                errors.add(SearchSpace.where(name) + "when \"" + k + "\": is not a config key");
                continue;
            }
            List<String> values = new ArrayList<>();
            for (Object v : e.getValue() instanceof List<?> l ? l : List.of(e.getValue())) {
                try {
                    values.add(SearchSpace.canonicalOf(key.get(), v));
                } catch (ConfigKey.BadValue ex) {
                    errors.add(SearchSpace.where(name) + "when \"" + k + "\" = " + v + ": not allowed; " + k + " must be "
                            + key.get().allowed());
                }
            }
            out.put(k, values);
        }
        return errors.size() == before ? Optional.of(out) : Optional.empty();
    }
}
