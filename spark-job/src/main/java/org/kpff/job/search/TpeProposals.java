package org.kpff.job.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Predicate;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchSpace;
import org.kpff.job.search.TpeSampler.Observation;

/**
 * The points of a {@code tpe} search's trials, proposed in trial order by {@link TpeSampler} (one rung) or
 * {@link BohbSampler} (rungs) from a history fixed by the trial's index alone, so the same config and seed give the
 * same trials however the cells were scheduled, retried or resumed.
 *
 * <p><b>History of trial t.</b> With w = {@code search.tpe.in-flight} and n = max(0, t − w + 1): while
 * n < {@code search.tpe.startup-trials}, trial t is random search's trial t (the samplers' start-up draw) and waits
 * for nothing. Otherwise it learns from m_0 = n entrants of rung 0 (trials 0 .. n − 1) and, rung by rung,
 * m_{k+1} = min(⌊m_k / eta⌋, the non-failed among those m_k) first entrants of rung k + 1: exactly the trials the
 * scheduler has promoted by the time rung k has processed its first m_k, so they exist without any later trial.
 * With {@code search.budget}, m_{k+1} is also at most the entrants rung k + 1 had once rung k had processed its first
 * m_k (a promotion refused by the budget makes none). With brackets ({@code search.brackets}), bracket b contributes
 * its own m_b = trials of bracket b among 0 .. n − 1 at its first rung b and climbs the same way; rung k's observations
 * are those of every bracket that reaches k, bracket by bracket, so BOHB models the highest rung with enough of them
 * across brackets.
 * Trial t is proposed once all of them have their rung's results (a failed trial is an observation with no value);
 * until then the scheduler starts no cell of it and gives the slots to promoted trials. Rung k's observation of a
 * trial is its fold-mean there. BOHB keeps a third of the trials random (Falkner et al.'s ρ) and models the highest
 * rung with at least {@code startup-trials} scores; TPE uses γ = 0.25 and 24 candidates (Hyperopt's and Optuna's
 * defaults).
 */
final class TpeProposals {

    /** γ: the fraction of observations that are "good". */
    static final double GAMMA = 0.25;
    /** Draws from l(x) per key among which the expected improvement is maximised. */
    static final int CANDIDATES = 24;
    /** BOHB's fraction of random trials. */
    static final double RANDOM_FRACTION = 1.0 / 3;

    private final TpeSampler tpe;
    private final BohbSampler bohb;
    private final int trials;
    private final int eta;
    private final int startup;
    private final int inFlight;

    /**
     * @param search the search section (strategy tpe)
     * @param rungs  the study's number of rungs: 1 is TPE, more is BOHB
     */
    TpeProposals(SearchConfig search, int rungs) {
        this.tpe = new TpeSampler(search.space(), conditions(search.space()), search.tpeStartupTrials(), GAMMA,
                CANDIDATES, search.seed());
        this.bohb = rungs > 1 ? new BohbSampler(tpe, search.tpeStartupTrials(), RANDOM_FRACTION, search.seed()) : null;
        this.trials = search.trials();
        this.eta = search.eta();
        this.startup = search.tpeStartupTrials();
        this.inFlight = search.tpeInFlight();
    }

    /** Each conditional key's condition, as the sampler reads it. */
    static Map<String, Predicate<Map<String, String>>> conditions(SearchSpace space) {
        Map<String, Predicate<Map<String, String>>> out = new HashMap<>();
        space.dimensions().forEach((k, d) -> {
            if (!d.when().isEmpty()) {
                out.put(k, d::appliesTo);
            }
        });
        return out;
    }

    /**
     * The points of the next trials (after {@code given}) whose history is in, in trial order; empty while the next
     * one's is not, or when every trial has its point.
     */
    List<SortedMap<String, String>> advance(SearchScheduler scheduler, List<SortedMap<String, String>> given) {
        List<SortedMap<String, String>> taken = new ArrayList<>(given);
        List<SortedMap<String, String>> out = new ArrayList<>();
        while (taken.size() < Math.min(trials, scheduler.trials())) {
            int t = taken.size();
            Optional<List<List<Observation>>> h = history(t, scheduler, taken);
            if (h.isEmpty()) {
                break;
            }
            SortedMap<String, String> p = bohb == null ? tpe.next(t, h.get().get(0), taken)
                    : bohb.next(t, h.get(), taken);
            taken.add(p);
            out.add(p);
        }
        return out;
    }

    /** Trial t's observations per rung (rung 0 first), or empty while some of them have no result yet. */
    Optional<List<List<Observation>>> history(int t, SearchScheduler scheduler, List<SortedMap<String, String>> points) {
        int n = Math.max(0, t - inFlight + 1);
        List<List<Observation>> rungs = new ArrayList<>();
        if (n < startup) {
            rungs.add(List.of());
            return Optional.of(rungs);
        }
        for (int k = 0; k < scheduler.rungs(); k++) {
            rungs.add(new ArrayList<>());
        }
        for (int b = 0; b < scheduler.brackets(); b++) {
            int m = 0;
            for (int u = 0; u < n; u++) {
                m += scheduler.bracket(u) == b ? 1 : 0;
            }
            for (int k = b; k < scheduler.rungs() && (k == b || m > 0); k++) {
                List<Integer> scored = scheduler.scored(b, k);
                if (scored.size() < m) {
                    return Optional.empty();
                }
                int ok = 0;
                for (int trial : scored.subList(0, m)) {
                    double v = scheduler.foldMean(trial, k);
                    rungs.get(k).add(new Observation(points.get(trial), v));
                    ok += Double.isNaN(v) ? 0 : 1;
                }
                m = k + 1 == scheduler.rungs() ? 0 : Math.min(Math.min(m / eta, ok), scheduler.nextAfter(b, k, m));
            }
        }
        return Optional.of(rungs);
    }
}
