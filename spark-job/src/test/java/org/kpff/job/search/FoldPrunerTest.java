package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FoldPrunerTest {

    static final double ALPHA = 0.05;
    /** Fold noise of a paired difference, in accuracy points. */
    static final double SIGMA = 2.0;
    static final int RUNS = 20000;

    /** Box–Muller from the seeded generator, so the simulation does not depend on the JDK's nextGaussian. */
    static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /**
     * Runs one trial fold by fold against an incumbent until the pruner stops it, and returns the folds trained.
     * Paired differences are δ + σ(√r Z_0 + √(1 − r) Z_j): normal, equicorrelated with correlation r.
     */
    static int foldsTrained(FoldPruner pruner, int k, double delta, double r, SplittableRandom rng) {
        double common = Math.sqrt(r) * gaussian(rng);
        double[] incumbent = new double[k];
        double[] trial = new double[k];
        for (int j = 0; j < k; j++) {
            incumbent[j] = 80 + 3 * gaussian(rng); // fold difficulty: cancels in the pairing
            trial[j] = incumbent[j] + delta + SIGMA * (common + Math.sqrt(1 - r) * gaussian(rng));
        }
        for (int m = 1; m <= k; m++) {
            if (pruner.test(Arrays.copyOf(trial, m), Arrays.copyOf(incumbent, m)).prune()) {
                return m;
            }
        }
        return k;
    }

    /** The fraction of {@link #RUNS} trials of true difference δ that are pruned before their last fold. */
    static double pruneRate(FoldPruner pruner, int k, double delta, double r, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int pruned = 0;
        for (int i = 0; i < RUNS; i++) {
            pruned += foldsTrained(pruner, k, delta, r, rng) < k ? 1 : 0;
        }
        return pruned / (double) RUNS;
    }

    /** Three Monte Carlo standard errors of a rate of α over {@link #RUNS} runs. */
    static final double SLACK = 3 * Math.sqrt(ALPHA * (1 - ALPHA) / RUNS);

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 10})
    void aTrialAsGoodAsTheIncumbentIsPrunedAtMostAlphaOfTheTime(int k) {
        // k-fold training sets overlap: ρ = 1/(k − 1) = r/(1 − r), so r = 1/k.
        double rate = pruneRate(FoldPruner.forKFold(k, ALPHA), k, 0, 1.0 / k, 100 + k);
        assertTrue(rate <= ALPHA + SLACK, "false-prune rate " + rate + " for k = " + k);
        if (k == 3) {
            // One look (after fold 2) spends all of α, and the corrected t is exact under this model: the rate is α.
            assertEquals(ALPHA, rate, SLACK, "false-prune rate with one look");
        } else {
            // Several looks: the union bound is loose, so the rate is below α.
            assertTrue(rate < ALPHA - SLACK, "false-prune rate " + rate + " for k = " + k);
        }
    }

    @Test
    void withoutTheCorrectionCorrelatedFoldsArePrunedTooOften() {
        double correlated = pruneRate(new FoldPruner(5, 2, ALPHA, 0), 5, 0, 0.2, 7);
        double independent = pruneRate(new FoldPruner(5, 2, ALPHA, 0), 5, 0, 0, 8);
        assertTrue(correlated > ALPHA + SLACK, "plain paired t on correlated folds: " + correlated);
        assertTrue(independent <= ALPHA, "plain paired t on independent folds: " + independent);
    }

    @Test
    void aClearlyWorseTrialIsPrunedEarly() {
        SplittableRandom rng = new SplittableRandom(11);
        FoldPruner pruner = FoldPruner.forKFold(5, ALPHA);
        int[] trained = new int[6];
        for (int i = 0; i < RUNS; i++) {
            trained[foldsTrained(pruner, 5, -3 * SIGMA, 0.2, rng)]++;
        }
        String figures = "folds trained (index = folds): " + Arrays.toString(trained);
        assertEquals(0, trained[1], figures);
        assertTrue(trained[2] + trained[3] >= 0.45 * RUNS, figures);
        assertTrue(RUNS - trained[5] >= 0.75 * RUNS, figures);
    }

    @Test
    void epochCellsSavedOnAMixOfTrials() {
        // True differences 0, -1, -2, -4, -8 points (σ = 2), 5 folds of 10 epochs each, equicorrelated r = 1/5.
        double[] deltas = {0, -1, -2, -4, -8};
        FoldPruner pruner = FoldPruner.forKFold(5, ALPHA);
        SplittableRandom rng = new SplittableRandom(13);
        long[] saved = new long[deltas.length];
        int[] pruned = new int[deltas.length];
        int per = 2000;
        for (int i = 0; i < deltas.length; i++) {
            for (int n = 0; n < per; n++) {
                int f = foldsTrained(pruner, 5, deltas[i], 0.2, rng);
                saved[i] += (5 - f) * 10L;
                pruned[i] += f < 5 ? 1 : 0;
            }
        }
        long total = Arrays.stream(saved).sum();
        String figures = "epoch-cells saved per delta " + Arrays.toString(saved) + " of " + per * 50 + " each, "
                + "pruned " + Arrays.toString(pruned) + " of " + per;
        // Savings grow with how much worse the trial is; equal trials are rarely pruned (at most α).
        for (int i = 1; i < deltas.length; i++) {
            assertTrue(saved[i] > saved[i - 1], figures);
        }
        assertTrue(pruned[0] <= (ALPHA + 3 * Math.sqrt(ALPHA * (1 - ALPHA) / per)) * per, figures);
        assertTrue(saved[4] >= 0.3 * per * 50, figures);
        assertTrue(total >= 0.12 * deltas.length * per * 50, figures);
    }

    @Test
    void knownValues() {
        // d = (-0.10, -0.09, -0.10): mean -0.29/3, s = sqrt(1/3)/100, t = mean / (s·sqrt(1/3 + 1/4)) for k = 5.
        FoldPruner pruner = FoldPruner.forKFold(5, ALPHA);
        FoldPruner.Verdict v = pruner.test(new double[] {0.70, 0.72, 0.69}, new double[] {0.80, 0.81, 0.79});
        double mean = -0.29 / 3;
        double s = Math.sqrt(1.0 / 3) / 100;
        assertEquals(mean, v.meanDifference(), 1e-12);
        assertEquals(mean / (s * Math.sqrt(1.0 / 3 + 1.0 / 4)), v.statistic(), 1e-6);
        // Student's t with 2 degrees of freedom has the quantile (2p − 1)/sqrt(2p(1 − p)); p = α/3 for 3 looks.
        double p = ALPHA / 3;
        assertEquals((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), v.threshold(), 1e-9);
        assertTrue(v.prune());
        assertEquals(3, pruner.looks());
        assertEquals(ALPHA / 3, pruner.lookLevel(), 1e-15);
    }

    @Test
    void undefinedTestsNeverPrune() {
        FoldPruner pruner = FoldPruner.forKFold(5, ALPHA);
        FoldPruner.Verdict one = pruner.test(new double[] {0.1}, new double[] {0.9});
        assertFalse(one.prune());
        assertEquals("too few folds: 1 < minFolds = 2", one.reason());
        assertTrue(Double.isNaN(one.statistic()));
        FoldPruner.Verdict flat = pruner.test(new double[] {0.5, 0.6, 0.7}, new double[] {0.8, 0.9, 1.0});
        assertFalse(flat.prune(), "every fold 0.3 worse, but no spread: the test is undefined");
        assertEquals("undefined: the 3 paired differences have no spread", flat.reason());
        FoldPruner.Verdict all = pruner.test(new double[] {0.1, 0.1, 0.2, 0.1, 0.1},
                new double[] {0.9, 0.8, 0.9, 0.9, 0.9});
        assertFalse(all.prune());
        assertEquals("all 5 folds done: nothing left to save, the rung decides", all.reason());
        FoldPruner none = FoldPruner.forKFold(2, ALPHA);
        assertEquals(0, none.looks());
        assertTrue(Double.isNaN(none.lookLevel()));
        assertEquals("no look: folds = 2 leaves no fold to save after minFolds = 2",
                none.test(new double[] {0.1}, new double[] {0.9}).reason());
        assertFalse(pruner.test(new double[0], new double[0]).prune());
    }

    @Test
    void aBetterTrialIsNotPruned() {
        FoldPruner.Verdict v = FoldPruner.forKFold(5, ALPHA).test(new double[] {0.9, 0.85, 0.95},
                new double[] {0.8, 0.8, 0.8});
        assertFalse(v.prune());
        assertTrue(v.statistic() > 0);
        assertTrue(v.reason().startsWith("not shown worse: t = "), v.reason());
    }

    @Test
    void refusesBadInputNamingIt() {
        assertEquals("alpha = 0.0: must be in (0, 1)",
                assertThrows(IllegalArgumentException.class, () -> new FoldPruner(5, 2, 0, 0.25)).getMessage());
        assertEquals("minFolds = 1: must be at least 2 (a t-test needs two paired differences)",
                assertThrows(IllegalArgumentException.class, () -> new FoldPruner(5, 1, 0.05, 0.25)).getMessage());
        assertEquals("folds = 1: must be at least 2",
                assertThrows(IllegalArgumentException.class, () -> FoldPruner.forKFold(1, 0.05)).getMessage());
        assertEquals("testTrainRatio = -0.1: must be a finite number >= 0",
                assertThrows(IllegalArgumentException.class, () -> new FoldPruner(5, 2, 0.05, -0.1)).getMessage());
        FoldPruner pruner = FoldPruner.forKFold(5, ALPHA);
        assertEquals("trial has 2 folds, incumbent 3: must be the same folds, paired",
                assertThrows(IllegalArgumentException.class,
                        () -> pruner.test(new double[2], new double[3])).getMessage());
        assertEquals("fold 1: trial NaN, incumbent 0.5: scores must be finite (a failed fold has no score)",
                assertThrows(IllegalArgumentException.class,
                        () -> pruner.test(new double[] {0.5, Double.NaN}, new double[] {0.5, 0.5})).getMessage());
        assertEquals("trial has 6 folds: must be at most folds = 5",
                assertThrows(IllegalArgumentException.class,
                        () -> pruner.test(new double[6], new double[6])).getMessage());
    }
}
