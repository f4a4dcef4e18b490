package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.job.config.SearchSpace;
import org.kpff.job.config.SearchSpace.Dimension;
import org.kpff.job.config.SearchSpace.Kind;
import org.kpff.job.search.TpeSampler.Observation;

/**
 * TPE against random search on cheap known functions (no training): at the same budget of trials, over 25 seeds,
 * the median of the best value found is better with TPE. Random search is the same sampler with a start-up phase as
 * long as the budget, which is {@link SearchTrials}' random draw; both share their first {@link #STARTUP} points.
 * The mixed space with a conditional key gets 80 trials, and there TPE's lead is small (better on about half the
 * seeds); at 40 trials its median was below random search's (the conditional key's good values are learnt from few
 * observations, and the best learning rate depends on the category, which independent TPE does not model), which
 * is worth knowing when choosing a budget. The shifted sphere and Branin are the two functions where TPE is clearly
 * better.
 */
class TpeBenchmarkTest {

    static final int SEEDS = 25;
    static final int STARTUP = 10;
    static final double GAMMA = 0.25;
    static final int CANDIDATES = 24;

    static final String LR = "train.learning-rate";
    static final String DROPOUT = "train.dropout";
    static final String BATCH = "train.batch-size";
    static final String WIDTH = "model.projection-width";
    static final String DECAY = "train.weight-decay";
    static final String INIT = "model.fusion-init";

    static Dimension uniform(double lo, double hi, boolean integral) {
        return new Dimension(Kind.UNIFORM, List.of(), lo, hi, integral);
    }

    static Dimension logUniform(double lo, double hi, boolean integral) {
        return new Dimension(Kind.LOG_UNIFORM, List.of(), lo, hi, integral);
    }

    static double d(Map<String, String> p, String key) {
        return Double.parseDouble(p.get(key));
    }

    static double sq(double x) {
        return x * x;
    }

    /** The test functions, to maximise. */
    enum Function {
        /**
         * A shifted sphere over a log-uniform double, a uniform double, a uniform int and a log-uniform int, each
         * term scaled to at most 1; maximum 0 at lr 10^-3.5, dropout 0.3, batch 100, width 96.
         */
        SHIFTED_SPHERE(Map.of(LR, logUniform(1e-5, 1e-1, false), DROPOUT, uniform(0, 0.9, false),
                BATCH, uniform(8, 256, true), WIDTH, logUniform(8, 1024, true)), Map.of(),
                p -> -(sq((Math.log10(d(p, LR)) + 3.5) / 4) + sq((d(p, DROPOUT) - 0.3) / 0.9)
                        + sq((d(p, BATCH) - 100) / 248) + sq((Math.log(d(p, WIDTH)) - Math.log(96)) / Math.log(128)))),
        /**
         * Minus Branin (x1 in [-5, 10] from dropout in [0, 0.9], x2 in [0, 15] from weight decay); maximum
         * -0.397887 at three points.
         */
        BRANIN(Map.of(DROPOUT, uniform(0, 0.9, false), DECAY, uniform(0, 15, false)), Map.of(), p -> {
            double x1 = -5 + d(p, DROPOUT) / 0.9 * 15;
            double x2 = d(p, DECAY);
            double a = x2 - 5.1 / (4 * Math.PI * Math.PI) * x1 * x1 + 5 / Math.PI * x1 - 6;
            return -(a * a + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10);
        }),
        /**
         * A categorical key, a log-uniform double, and an int key searched only when the category is "random":
         * identity peaks at 0.8, add at 0.6, random at 1.0 but only with the conditional key near 40.
         */
        MIXED_CONDITIONAL(Map.of(INIT, new Dimension(Kind.CHOICE, List.of("identity", "add", "random"), Double.NaN,
                Double.NaN, false), LR, logUniform(1e-5, 1e-1, false), WIDTH, uniform(1, 64, true)),
                Map.of(WIDTH, p -> "random".equals(p.get(INIT))), p -> {
                    double lr = Math.log10(d(p, LR));
                    return switch (p.get(INIT)) {
                        case "identity" -> 0.8 - sq((lr + 2) / 4);
                        case "add" -> 0.6 - sq((lr + 4) / 4);
                        default -> 1.0 - sq((lr + 3) / 4) - sq((d(p, WIDTH) - 40) / 32);
                    };
                });

        final SearchSpace space;
        final Map<String, Predicate<Map<String, String>>> conditions;
        final ToDoubleFunction<Map<String, String>> f;

        Function(Map<String, Dimension> dims, Map<String, Predicate<Map<String, String>>> conditions,
                ToDoubleFunction<Map<String, String>> f) {
            this.space = new SearchSpace(new TreeMap<>(dims));
            this.conditions = conditions;
            this.f = f;
        }
    }

    /** The best value after {@code budget} trials of a sampler with the given start-up length. */
    static double best(Function fn, int budget, int startup, long seed) {
        TpeSampler sampler = new TpeSampler(fn.space, fn.conditions, startup, GAMMA, CANDIDATES, seed);
        List<Observation> history = new ArrayList<>();
        List<SortedMap<String, String>> taken = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < budget; t++) {
            SortedMap<String, String> p = sampler.next(t, history, taken);
            double y = fn.f.applyAsDouble(p);
            taken.add(p);
            history.add(new Observation(p, y));
            best = Math.max(best, y);
        }
        return best;
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    @ParameterizedTest
    @CsvSource({"SHIFTED_SPHERE, 40", "BRANIN, 40", "MIXED_CONDITIONAL, 80"})
    void tpeBeatsRandomSearchOnTheMedianOverSeeds(Function fn, int budget) {
        double[] tpe = new double[SEEDS];
        double[] random = new double[SEEDS];
        int wins = 0;
        for (int s = 0; s < SEEDS; s++) {
            tpe[s] = best(fn, budget, STARTUP, 1000 + s);
            random[s] = best(fn, budget, budget + 1, 1000 + s);
            wins += tpe[s] > random[s] ? 1 : 0;
        }
        double mt = median(tpe);
        double mr = median(random);
        String figures = fn + " at " + budget + " trials: median best TPE " + mt + ", random " + mr + "; TPE better on " + wins + "/" + SEEDS
                + " seeds";
        assertTrue(mt > mr, figures);
    }
}
