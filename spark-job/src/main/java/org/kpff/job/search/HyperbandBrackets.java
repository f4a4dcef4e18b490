package org.kpff.job.search;

import java.util.ArrayList;
import java.util.List;

/**
 * Hyperband's brackets (Li, Jamieson, DeSalvo, Rostamizadeh and Talwalkar 2017, "Hyperband: a novel bandit-based
 * approach to hyperparameter optimization", JMLR 18, Algorithm 1) in epochs: several successive-halving brackets with
 * different first rungs, so a search does not bet everything on its first rung being informative.
 *
 * <p>With r = {@code minEpochs}, R = {@code maxEpochs} and η = {@code eta}: s_max is the largest s with
 * r·η^s ≤ R. Bracket s (s = s_max, s_max − 1, ..., 0; the first {@code count} of them) starts
 * n_s = ceil((s_max + 1)·η^s / (s + 1)) trials and has s + 1 rungs; rung i (0 ≤ i ≤ s) holds
 * n_{s,i} = floor(n_s / η^i) trials trained to e_{s,i} = round(R / η^(s−i)) epochs. So every bracket ends at R
 * epochs, rungs are about η apart, and bracket s_max's rungs are successive halving's
 * ({@link SearchTrials#rungs}). Li et al. choose n_s so that every bracket costs about the same, (s_max + 1)·R
 * in units of r. With r = 1, R = 81, η = 3 this is the paper's Table 1: brackets of 81, 34, 15, 8 and 5 trials.
 *
 * @param minEpochs r, the smallest first rung
 * @param maxEpochs R, every bracket's last rung
 * @param eta       η, the reduction factor between rungs
 * @param brackets  the brackets, most exploratory (s = s_max) first
 */
public record HyperbandBrackets(int minEpochs, int maxEpochs, int eta, List<Bracket> brackets) {

    /**
     * One rung of a bracket.
     *
     * @param epochs the epochs its trials have trained when it scores them
     * @param trials how many trials it holds (the best 1/η of the rung before)
     */
    public record Rung(int epochs, int trials) {
    }

    /**
     * One successive-halving bracket.
     *
     * @param s     the bracket's index: s + 1 rungs, the first at R / η^s epochs
     * @param rungs its rungs, first (most trials, fewest epochs) first
     */
    public record Bracket(int s, List<Rung> rungs) {

        /** Freezes the rungs. */
        public Bracket {
            rungs = List.copyOf(rungs);
        }

        /** Trials the bracket starts: its first rung's count n_s. */
        public int trials() {
            return rungs.get(0).trials();
        }

        /** The rungs' epochs, first rung first. */
        public List<Integer> epochs() {
            return rungs.stream().map(Rung::epochs).toList();
        }

        /**
         * Epochs the bracket trains per fold when promoted trials continue from their checkpoint (as this project's
         * rungs do): Σ_i n_{s,i}·(e_{s,i} − e_{s,i−1}) with e_{s,−1} = 0.
         */
        public long epochCellsPerFold() {
            long total = 0;
            int before = 0;
            for (Rung r : rungs) {
                total += (long) r.trials() * (r.epochs() - before);
                before = r.epochs();
            }
            return total;
        }
    }

    /** Freezes the brackets. */
    public HyperbandBrackets {
        brackets = List.copyOf(brackets);
    }

    /**
     * The first {@code count} brackets of Hyperband (0: all s_max + 1 of them).
     *
     * @throws IllegalArgumentException naming the argument when minEpochs < 1, maxEpochs < minEpochs, eta < 2,
     *                                  count outside 0..s_max + 1, or a bracket would hold more than
     *                                  Integer.MAX_VALUE trials
     */
    public static HyperbandBrackets of(int minEpochs, int maxEpochs, int eta, int count) {
        if (minEpochs < 1) {
            throw new IllegalArgumentException("minEpochs = " + minEpochs + ": must be at least 1");
        }
        if (maxEpochs < minEpochs) {
            throw new IllegalArgumentException("maxEpochs = " + maxEpochs + ": must be at least minEpochs = "
                    + minEpochs);
        }
        if (eta < 2) {
            throw new IllegalArgumentException("eta = " + eta + ": must be at least 2");
        }
        int sMax = 0;
        while ((long) minEpochs * pow(eta, sMax + 1) <= maxEpochs) {
            sMax++;
        }
        if (count < 0 || count > sMax + 1) {
            throw new IllegalArgumentException("count = " + count + ": must be 0 (all) or 1.." + (sMax + 1)
                    + " (s_max + 1 for minEpochs = " + minEpochs + ", maxEpochs = " + maxEpochs + ", eta = " + eta
                    + ")");
        }
        int n = count == 0 ? sMax + 1 : count;
        List<Bracket> out = new ArrayList<>();
        for (int s = sMax; s > sMax - n; s--) {
            long etaS = pow(eta, s);
            long first = ((sMax + 1L) * etaS + s) / (s + 1); // ceil((s_max + 1)·η^s / (s + 1))
            if (first > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxEpochs / minEpochs = " + maxEpochs + " / " + minEpochs
                        + ": bracket " + s + " would start " + first + " trials; must be at most "
                        + Integer.MAX_VALUE);
            }
            List<Rung> rungs = new ArrayList<>();
            for (int i = 0; i <= s; i++) {
                int epochs = (int) Math.max(1, Math.round(maxEpochs / (double) pow(eta, s - i)));
                rungs.add(new Rung(epochs, (int) (first / pow(eta, i))));
            }
            out.add(new Bracket(s, rungs));
        }
        return new HyperbandBrackets(minEpochs, maxEpochs, eta, out);
    }

    /** s_max + 1, the number of brackets Hyperband has for these epochs (whether or not all were taken). */
    public int available() {
        int sMax = 0;
        while ((long) minEpochs * pow(eta, sMax + 1) <= maxEpochs) {
            sMax++;
        }
        return sMax + 1;
    }

    /**
     * Deals trials to the brackets in Hyperband's proportions, deterministically: trial t goes to the bracket b whose
     * share lags most, the largest (t + 1)·n_b / N − c_b with n_b the bracket's trials, N their sum and c_b the trials
     * of 0 .. t − 1 it holds (ties: the lower b, the more exploratory). So any first t trials hold each bracket's share
     * to within one trial (a smooth weighted round-robin), and a search of fewer trials than N, or a budget that stops
     * it early, still samples every bracket.
     *
     * @return each trial's bracket index (0 = the first of {@link #brackets()})
     */
    public int[] assign(int trials) {
        long total = trials();
        int[] out = new int[trials];
        long[] held = new long[brackets.size()];
        for (int t = 0; t < trials; t++) {
            int best = 0;
            long bestLag = Long.MIN_VALUE;
            for (int b = 0; b < brackets.size(); b++) {
                long lag = (t + 1L) * brackets.get(b).trials() - held[b] * total;
                if (lag > bestLag) {
                    best = b;
                    bestLag = lag;
                }
            }
            out[t] = best;
            held[best]++;
        }
        return out;
    }

    /** Trials started over all the brackets. */
    public long trials() {
        return brackets.stream().mapToLong(Bracket::trials).sum();
    }

    private static long pow(int base, int exp) {
        long r = 1;
        for (int i = 0; i < exp; i++) {
            r = r > Long.MAX_VALUE / base ? Long.MAX_VALUE : r * base;
        }
        return r;
    }
}
