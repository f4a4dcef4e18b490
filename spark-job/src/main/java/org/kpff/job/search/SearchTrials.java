package org.kpff.job.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.kpff.job.config.ConfigKeys;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchSpace;
import org.kpff.job.config.SearchSpace.Dimension;
import org.kpff.job.config.SearchStrategy;
import org.kpff.job.plan.GridCell;
import org.kpff.core.Seeds;

/**
 * The trials of a search: hyperparameter points, in trial order (trial 0 first), and the rungs of successive
 * halving. Everything here is a pure function of the search config, so the same config and seed give the same
 * trials on every machine and after every resume.
 *
 * <ul>
 * <li>{@code grid}: the Cartesian product of the space's lists, keys in name order, the last key varying fastest;
 * a conditional key ({@code when}) enters only the points whose values meet its condition, after the others.</li>
 * <li>{@code random} and {@code asha}: over a space of lists only, the first {@code trials} points of a seeded
 * shuffle of the grid (0 trials: all of them, asha only), so points are distinct; otherwise trial i is drawn from
 * the stream {@code derive(seed, "trial/i/attempt/j")}, each key in name order, drawing again (j + 1) when the point
 * repeats an earlier trial.</li>
 * </ul>
 *
 * <p>Draws: a list or choice picks each value with equal probability; {@code uniform} is uniform on [low, high];
 * {@code log-uniform} is uniform in log space; int keys draw integers ({@code uniform}: each of low..high equally;
 * {@code log-uniform}: floor of a log-uniform draw on [low, high + 1)); doubles are rounded to 6 significant digits
 * so that configs stay readable, and kept within [low, high].
 */
public final class SearchTrials {

    private static final int MAX_DRAWS = 1000;

    private SearchTrials() {
    }

    /**
     * The trial points of a search, each a sorted map of config key to canonical value.
     *
     * @throws IllegalArgumentException when the search is not enabled, or when draws keep repeating earlier points
     */
    public static List<SortedMap<String, String>> points(SearchConfig search) {
        SearchSpace space = search.space();
        switch (search.strategy()) {
            case GRID -> {
                return grid(space);
            }
            case RANDOM, ASHA, HYPERBAND -> {
                if (space.isDiscrete()) {
                    List<SortedMap<String, String>> all = new ArrayList<>(grid(space));
                    shuffle(all, Seeds.derive(search.seed(), "grid-order"));
                    int n = search.trials() == 0 ? all.size() : Math.min(search.trials(), all.size());
                    return List.copyOf(all.subList(0, n));
                }
                return draw(space, search.trials(), search.seed());
            }
            case TPE -> throw new IllegalArgumentException("search.strategy = tpe: its trials are proposed during "
                    + "the search from the results of earlier ones (SearchStudy), not fixed in advance");
            default -> throw new IllegalArgumentException("search.strategy = " + search.strategy().id()
                    + ": no trials; set search.strategy to grid, random, asha, hyperband or tpe");
        }
    }

    /**
     * The epochs of successive halving's rungs for a largest budget R = {@code train.epochs}: with
     * s = floor(log_eta(R / min-epochs)), the rungs are round(R / eta^s), ..., round(R / eta), R (duplicates dropped),
     * so the last rung trains the full budget and rungs are about eta apart; tpe has the same rungs (one, R, when
     * min-epochs x eta > R: plain TPE; more: BOHB). Grid and random have one rung, the trial's own
     * {@code train.epochs}.
     */
    public static List<Integer> rungs(SearchConfig search, int maxEpochs) {
        if (!search.successiveHalving() && search.strategy() != SearchStrategy.TPE) {
            return List.of(maxEpochs);
        }
        int s = 0;
        while ((long) search.minEpochs() * pow(search.eta(), s + 1) <= maxEpochs) {
            s++;
        }
        List<Integer> out = new ArrayList<>();
        for (int k = s; k >= 0; k--) {
            int e = (int) Math.max(1, Math.round(maxEpochs / (double) pow(search.eta(), k)));
            if (out.isEmpty() || e > out.get(out.size() - 1)) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    private static long pow(int base, int exp) {
        long r = 1;
        for (int i = 0; i < exp; i++) {
            r = r > Long.MAX_VALUE / base ? Long.MAX_VALUE : r * base;
        }
        return r;
    }

    /**
     * The Cartesian product of a discrete space, keys in name order, the last key varying fastest: first the keys
     * searched in every point, then each conditional key in the points its condition holds for.
     */
    static List<SortedMap<String, String>> grid(SearchSpace space) {
        List<SortedMap<String, String>> out = new ArrayList<>();
        out.add(new TreeMap<>());
        for (Map.Entry<String, Dimension> e : ordered(space)) {
            List<SortedMap<String, String>> next = new ArrayList<>();
            for (SortedMap<String, String> partial : out) {
                if (!e.getValue().appliesTo(partial)) {
                    next.add(partial);
                    continue;
                }
                for (String v : e.getValue().values()) {
                    SortedMap<String, String> p = new TreeMap<>(partial);
                    p.put(e.getKey(), v);
                    next.add(p);
                }
            }
            out = next;
        }
        return out.stream().map(SearchTrials::frozen).toList();
    }

    private static List<SortedMap<String, String>> draw(SearchSpace space, int trials, long seed) {
        List<SortedMap<String, String>> out = new ArrayList<>();
        Set<SortedMap<String, String>> seen = new HashSet<>();
        for (int i = 0; i < trials; i++) {
            SortedMap<String, String> p = null;
            for (int attempt = 0; p == null || !seen.add(p); attempt++) {
                if (attempt == MAX_DRAWS) {
                    throw new IllegalArgumentException("search: trial " + i + " repeated an earlier trial in "
                            + MAX_DRAWS + " draws; the space has too few distinct points for search.trials = " + trials);
                }
                p = drawPoint(space, new Stream(Seeds.derive(seed, "trial/" + i + "/attempt/" + attempt)));
            }
            out.add(frozen(p));
        }
        return List.copyOf(out);
    }

    private static SortedMap<String, String> drawPoint(SearchSpace space, Stream rng) {
        SortedMap<String, String> p = new TreeMap<>();
        for (Map.Entry<String, Dimension> e : ordered(space)) {
            if (e.getValue().appliesTo(p)) {
                p.put(e.getKey(), ConfigKeys.canonicalize(e.getKey(), drawValue(e.getValue(), rng)));
            }
        }
        return p;
    }

    /** The space's keys: those searched in every point in name order, then the conditional ones in name order. */
    private static List<Map.Entry<String, Dimension>> ordered(SearchSpace space) {
        List<Map.Entry<String, Dimension>> out = new ArrayList<>();
        space.dimensions().entrySet().stream().filter(e -> e.getValue().when().isEmpty()).forEach(out::add);
        space.dimensions().entrySet().stream().filter(e -> !e.getValue().when().isEmpty()).forEach(out::add);
        return out;
    }

    /** One draw of a dimension as raw text (canonicalised by the caller). */
    static String drawValue(Dimension d, Stream rng) {
        double u = rng.nextDouble();
        switch (d.kind()) {
            case LIST, CHOICE -> {
                return d.values().get((int) Math.min(d.values().size() - 1, Math.floor(u * d.values().size())));
            }
            case UNIFORM -> {
                if (d.integral()) {
                    long lo = (long) d.low();
                    long n = (long) d.high() - lo + 1;
                    return Long.toString(lo + Math.min(n - 1, (long) Math.floor(u * n)));
                }
                return Double.toString(round6(d.low() + u * (d.high() - d.low()), d.low(), d.high()));
            }
            case LOG_UNIFORM -> {
                if (d.integral()) {
                    double lo = Math.log(d.low());
                    double hi = Math.log(d.high() + 1);
                    long v = (long) Math.floor(Math.exp(lo + u * (hi - lo)));
                    return Long.toString(Math.max((long) d.low(), Math.min((long) d.high(), v)));
                }
                double lo = Math.log(d.low());
                double hi = Math.log(d.high());
                return Double.toString(round6(Math.exp(lo + u * (hi - lo)), d.low(), d.high()));
            }
            default -> throw new IllegalStateException("unhandled kind " + d.kind());
        }
    }

    private static double round6(double v, double lo, double hi) {
        double r = new java.math.BigDecimal(v).round(new java.math.MathContext(6)).doubleValue();
        return Math.max(lo, Math.min(hi, r));
    }

    /** Fisher-Yates with the SplitMix64 stream of the seed. */
    private static <T> void shuffle(List<T> list, long seed) {
        Stream rng = new Stream(seed);
        for (int i = list.size() - 1; i > 0; i--) {
            int j = (int) Math.min(i, Math.floor(rng.nextDouble() * (i + 1)));
            Collections.swap(list, i, j);
        }
    }

    private static SortedMap<String, String> frozen(SortedMap<String, String> p) {
        return Collections.unmodifiableSortedMap(GridCell.canonicalPoint(p));
    }

    /** SplitMix64 (Steele, Lea and Flood 2014) as a stream of doubles in [0, 1): fully specified, so portable. */
    static final class Stream {
        private long state;

        Stream(long seed) {
            this.state = seed;
        }

        double nextDouble() {
            state += 0x9e3779b97f4a7c15L;
            return (Seeds.mix64(state) >>> 11) * 0x1.0p-53;
        }
    }
}
