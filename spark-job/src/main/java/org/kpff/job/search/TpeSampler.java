package org.kpff.job.search;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.kpff.core.Seeds;
import org.kpff.job.config.ConfigKeys;
import org.kpff.job.config.SearchSpace;
import org.kpff.job.config.SearchSpace.Dimension;
import org.kpff.job.plan.GridCell;

/**
 * The tree-structured Parzen estimator sampler (TPE; Bergstra, Bardenet, Bengio and Kégl 2011, "Algorithms for
 * hyper-parameter optimization", NIPS, section 4): proposes the next trial's point from the finished trials'
 * points and objective values (larger is better), seeded and deterministic.
 *
 * <p><b>Start-up.</b> While fewer than {@code startupTrials} observations have a finite value, trial t is a random
 * draw from the stream {@code derive(seed, "trial/t/attempt/j")}, key by key exactly as {@link SearchTrials} draws
 * random search's trial t, so TPE's first trials are random search's.
 *
 * <p><b>Model.</b> Afterwards the n observations with a finite value are ranked by value, largest first (ties: by
 * the point's text, so the order of {@code history} does not matter), and split at the γ-quantile: the best
 * n_l = max(1, ceil(γ·n)) are "good", the rest "bad". For each key, with y* the split value,
 * l(x) = p(x | y ≥ y*) is the {@link ParzenEstimator} of the good observations' values of the key and
 * g(x) = p(x | y < y*) that of the bad ones (Bergstra et al. eq. 2). Expected improvement at the threshold y* is
 * EI(x) ∝ (γ + (1 − γ)·g(x)/l(x))^(−1) (their eq. 3), which grows with l(x)/g(x); so {@code candidates} values are
 * drawn from l and the one with the largest log l(x) − log g(x) is taken (first on ties). Keys are modelled
 * independently (the "independent" TPE), in the order below, from the stream {@code derive(seed,
 * "tpe/trial/t/attempt/j")}.
 *
 * <p><b>Coordinates.</b> A list or choice is categorical over its values. {@code uniform} is modelled on
 * [low, high]; {@code log-uniform} on [log low, log high]. Int keys: {@code uniform} on [low − ½, high + ½], the
 * proposal rounded to the nearest integer; {@code log-uniform} on [log low, log(high + 1)], an observation v at
 * log(v + ½), the proposal exp(x) floored; both kept within [low, high]. Doubles are rounded to 6 significant digits
 * and kept within [low, high], as random draws are. Proposed values are canonical config texts.
 *
 * <p><b>Conditional keys.</b> {@code conditions} maps each conditional key to whether it is searched in a point
 * (given the point's unconditional keys). Unconditional keys are proposed first in name order, then the conditional
 * keys that apply, in name order; a key is modelled only over the observations whose points contain it (the "tree"
 * of TPE), and with none of them its l and g are both the prior, so it is drawn from its prior.
 *
 * <p><b>Repeats.</b> A proposal equal to a point in {@code taken} (the points already given to trials) is proposed
 * again with attempt j + 1; after 100 model attempts the point is drawn at random (attempts 100, 101, ...), and
 * after 1000 more the space has too few distinct points: {@link IllegalArgumentException}.
 */
public final class TpeSampler {

    private static final int MODEL_ATTEMPTS = 100;
    private static final int RANDOM_ATTEMPTS = 1000;

    /**
     * One finished trial as the sampler sees it.
     *
     * @param point the trial's point: key → canonical value (conditional keys only where they applied)
     * @param value its objective, larger is better; NaN (a failed trial) is ignored by the model
     */
    public record Observation(Map<String, String> point, double value) {

        /** Freezes the point. */
        public Observation {
            point = Collections.unmodifiableSortedMap(new TreeMap<>(point));
        }
    }

    private final SearchSpace space;
    private final Map<String, Predicate<Map<String, String>>> conditions;
    private final List<String> order;
    private final int startupTrials;
    private final double gamma;
    private final int candidates;
    private final long seed;

    /**
     * @param space         the searched keys
     * @param conditions    conditional key → whether it is searched in a point (reading only unconditional keys);
     *                      empty when every key is searched in every point
     * @param startupTrials observations with a finite value needed before the model is used, at least 1
     * @param gamma         γ, the fraction of observations that are "good", in (0, 1)
     * @param candidates    draws from l(x) per key among which EI is maximised, at least 1
     * @param seed          the search seed
     * @throws IllegalArgumentException naming the argument when one is outside its range, or a condition names a key
     *                                  the space does not search
     */
    public TpeSampler(SearchSpace space, Map<String, Predicate<Map<String, String>>> conditions, int startupTrials,
            double gamma, int candidates, long seed) {
        this.space = Objects.requireNonNull(space, "space");
        if (space.isEmpty()) {
            throw new IllegalArgumentException("space = {}: must search at least one key");
        }
        for (String k : conditions.keySet()) {
            if (!space.dimensions().containsKey(k)) {
                throw new IllegalArgumentException("conditions: key " + k + " is not searched; searched keys: "
                        + String.join(", ", space.dimensions().keySet()));
            }
        }
        if (startupTrials < 1) {
            throw new IllegalArgumentException("startupTrials = " + startupTrials + ": must be at least 1");
        }
        if (!(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("gamma = " + gamma + ": must be in (0, 1)");
        }
        if (candidates < 1) {
            throw new IllegalArgumentException("candidates = " + candidates + ": must be at least 1");
        }
        this.conditions = Map.copyOf(conditions);
        List<String> keys = new ArrayList<>();
        space.dimensions().keySet().stream().filter(k -> !conditions.containsKey(k)).forEach(keys::add);
        space.dimensions().keySet().stream().filter(conditions::containsKey).forEach(keys::add);
        this.order = List.copyOf(keys);
        this.startupTrials = startupTrials;
        this.gamma = gamma;
        this.candidates = candidates;
        this.seed = seed;
    }

    /** A sampler over a space without conditional keys. */
    public static TpeSampler of(SearchSpace space, int startupTrials, double gamma, int candidates, long seed) {
        return new TpeSampler(space, Map.of(), startupTrials, gamma, candidates, seed);
    }

    /**
     * The point of trial {@code trial}: a function of the seed, the trial index and the observations as a set.
     *
     * @param trial   the trial's index, {@code >= 0}
     * @param history the finished trials
     * @param taken   the points already given to trials (finished or running), never proposed again
     * @throws IllegalArgumentException when trial < 0, an observation's value is infinite or its point has a value
     *                                  outside the space, or the space has run out of distinct points
     */
    public SortedMap<String, String> next(int trial, List<Observation> history,
            Collection<? extends Map<String, String>> taken) {
        if (trial < 0) {
            throw new IllegalArgumentException("trial = " + trial + ": must be >= 0");
        }
        List<Observation> valid = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            double v = history.get(i).value();
            if (Double.isInfinite(v)) {
                throw new IllegalArgumentException("history[" + i + "]: value " + v + "; must be finite, or NaN for "
                        + "a failed trial");
            }
            if (!Double.isNaN(v)) {
                valid.add(history.get(i));
            }
        }
        Set<Map<String, String>> seen = new HashSet<>();
        taken.forEach(p -> seen.add(new TreeMap<>(p)));
        Model model = valid.size() >= startupTrials ? new Model(valid) : null;
        for (int attempt = 0; attempt < MODEL_ATTEMPTS + RANDOM_ATTEMPTS; attempt++) {
            boolean random = model == null || attempt >= MODEL_ATTEMPTS;
            if (model == null && attempt >= RANDOM_ATTEMPTS) {
                break;
            }
            SortedMap<String, String> p = random ? randomPoint(trial, model == null ? attempt : attempt
                    - MODEL_ATTEMPTS) : model.propose(trial, attempt);
            if (!seen.contains(p)) {
                return Collections.unmodifiableSortedMap(GridCell.canonicalPoint(p));
            }
        }
        throw new IllegalArgumentException("search: trial " + trial + " repeated an earlier trial in every draw; the "
                + "space has too few distinct points for " + seen.size() + " + 1 trials");
    }

    private boolean applies(String key, Map<String, String> partial) {
        Predicate<Map<String, String>> c = conditions.get(key);
        return c == null || c.test(partial);
    }

    private SortedMap<String, String> randomPoint(int trial, int attempt) {
        SearchTrials.Stream rng = new SearchTrials.Stream(Seeds.derive(seed, "trial/" + trial + "/attempt/" + attempt));
        SortedMap<String, String> p = new TreeMap<>();
        for (String key : order) {
            if (applies(key, p)) {
                p.put(key, ConfigKeys.canonicalize(key, SearchTrials.drawValue(space.dimensions().get(key), rng)));
            }
        }
        return p;
    }

    /** The good/bad split of the observations, and per-key estimators built on demand. */
    private final class Model {
        private final List<Observation> good;
        private final List<Observation> bad;

        Model(List<Observation> valid) {
            List<Observation> ranked = new ArrayList<>(valid);
            ranked.sort(Comparator.comparingDouble((Observation o) -> -o.value())
                    .thenComparing(o -> o.point().toString()));
            int nGood = (int) Math.max(1, Math.ceil(gamma * ranked.size()));
            good = ranked.subList(0, nGood);
            bad = ranked.subList(nGood, ranked.size());
        }

        SortedMap<String, String> propose(int trial, int attempt) {
            SearchTrials.Stream rng = new SearchTrials.Stream(Seeds.derive(seed, "tpe/trial/" + trial + "/attempt/"
                    + attempt));
            SortedMap<String, String> p = new TreeMap<>();
            for (String key : order) {
                if (!applies(key, p)) {
                    continue;
                }
                Dimension d = space.dimensions().get(key);
                ParzenEstimator l = estimator(key, d, good);
                ParzenEstimator g = estimator(key, d, bad);
                double best = Double.NaN;
                double bestScore = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < candidates; c++) {
                    double x = l.sample(rng);
                    double score = l.logDensity(x) - g.logDensity(x);
                    if (score > bestScore) {
                        bestScore = score;
                        best = x;
                    }
                }
                p.put(key, ConfigKeys.canonicalize(key, TpeCoordinates.text(d, best)));
            }
            return p;
        }

        private ParzenEstimator estimator(String key, Dimension d, List<Observation> obs) {
            List<Observation> with = obs.stream().filter(o -> o.point().containsKey(key)).toList();
            if (d.kind().discrete()) {
                int[] idx = new int[with.size()];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = TpeCoordinates.category(key, d, with.get(i).point().get(key));
                }
                return ParzenEstimator.categorical(d.values().size(), idx);
            }
            double[] xs = new double[with.size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = TpeCoordinates.coordinate(key, d, with.get(i).point().get(key));
            }
            return ParzenEstimator.numeric(TpeCoordinates.low(d), TpeCoordinates.high(d), xs);
        }
    }
}
