package org.kpff.job.search;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import org.kpff.core.Seeds;
import org.kpff.job.search.TpeSampler.Observation;

/**
 * BOHB's proposal rule (Falkner, Klein and Hutter 2018, "BOHB: robust and efficient hyperparameter optimization at
 * scale", ICML, section 4, Algorithm 2) over successive-halving rungs: the TPE model is fitted to the observations
 * of the highest rung that has enough of them, and a fixed fraction of trials is drawn at random.
 *
 * <p>Rung b's observations are the trials scored at rung b with their objective there (its fold-mean); only trials
 * promoted to b are in it, so high rungs hold fewer, better-trained observations. The model rung is the highest b
 * whose observations with a finite value number at least {@code minObservations} (Falkner et al. use
 * N_min = d + 1 plus two for the split; here the caller chooses, e.g. the TPE's start-up count). With no such rung,
 * the lowest rung's observations are passed on, so the TPE stays in its start-up (random) phase while they are too
 * few.
 *
 * <p>Trial t is a random draw, regardless of the model, when u_t < {@code randomFraction} with u_t the first
 * uniform of the SplitMix64 stream {@code derive(seed, "bohb/random/t")}; the draw is the TPE's start-up draw of
 * trial t (random search's trial t). Falkner et al. keep a third of the trials random so that the search keeps
 * exploring (their ρ = 1/3), which bounds how much worse than random search BOHB can be.
 */
public final class BohbSampler {

    private final TpeSampler tpe;
    private final int minObservations;
    private final double randomFraction;
    private final long seed;

    /**
     * @param tpe             the sampler that proposes from a rung's observations
     * @param minObservations finite observations a rung needs to be the model rung, at least 1
     * @param randomFraction  the fraction of trials drawn at random, in [0, 1]
     * @param seed            the search seed
     * @throws IllegalArgumentException naming the argument when one is outside its range
     */
    public BohbSampler(TpeSampler tpe, int minObservations, double randomFraction, long seed) {
        this.tpe = Objects.requireNonNull(tpe, "tpe");
        if (minObservations < 1) {
            throw new IllegalArgumentException("minObservations = " + minObservations + ": must be at least 1");
        }
        if (!(randomFraction >= 0 && randomFraction <= 1)) {
            throw new IllegalArgumentException("randomFraction = " + randomFraction + ": must be in [0, 1]");
        }
        this.minObservations = minObservations;
        this.randomFraction = randomFraction;
        this.seed = seed;
    }

    /**
     * The highest rung with at least {@code minObservations} finite observations, or −1 when none has.
     *
     * @param rungs the observations of each rung, rung 0 (fewest epochs) first
     */
    public static int modelRung(List<List<Observation>> rungs, int minObservations) {
        for (int b = rungs.size() - 1; b >= 0; b--) {
            long finite = rungs.get(b).stream().filter(o -> !Double.isNaN(o.value())).count();
            if (finite >= minObservations) {
                return b;
            }
        }
        return -1;
    }

    /** Whether trial t is one of the trials drawn at random. */
    public boolean random(int trial) {
        return new SearchTrials.Stream(Seeds.derive(seed, "bohb/random/" + trial)).nextDouble() < randomFraction;
    }

    /**
     * The point of trial {@code trial}.
     *
     * @param trial the trial's index, {@code >= 0}
     * @param rungs the observations of each rung, rung 0 first (at least one rung, which may be empty)
     * @param taken the points already given to trials, never proposed again
     * @throws IllegalArgumentException when there is no rung, or as {@link TpeSampler#next}
     */
    public SortedMap<String, String> next(int trial, List<List<Observation>> rungs,
            Collection<? extends Map<String, String>> taken) {
        if (rungs.isEmpty()) {
            throw new IllegalArgumentException("rungs: none; give at least rung 0 (empty before any result)");
        }
        if (random(trial)) {
            return tpe.next(trial, List.of(), taken);
        }
        int b = modelRung(rungs, minObservations);
        return tpe.next(trial, rungs.get(Math.max(0, b)), taken);
    }
}
