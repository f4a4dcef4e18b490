package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParzenEstimatorTest {

    private static final double[][] SETS = {{}, {0.3}, {0.0, 0.0, 1.0}, {0.1, 0.2, 0.25, 0.9, 0.95}, {0.5, 0.5, 0.5}};

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void numericDensityIntegratesToOneOnTheInterval(int set) {
        ParzenEstimator p = ParzenEstimator.numeric(0, 1, SETS[set]);
        int n = 20000;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(p.logDensity((i + 0.5) / n)) / n; // midpoint rule
        }
        assertEquals(1.0, sum, 1e-6);
    }

    @Test
    void withoutObservationsItIsTheTruncatedPrior() {
        // N(0.5, 1) truncated to [0, 1]: φ(0) / (Φ(0.5) − Φ(−0.5)) at the centre.
        ParzenEstimator p = ParzenEstimator.numeric(0, 1, new double[0]);
        assertEquals(Math.log(0.3989422804014327 / 0.38292492254802624), p.logDensity(0.5), 1e-12);
    }

    @Test
    void bandwidthIsTheLargerNeighbourDistanceClippedBelowByTheRangeOverObservations() {
        // One observation at 0.3 on [0, 1]: σ = max(0.3, 0.7) = 0.7; density = (prior + N_[0,1](x; 0.3, 0.7)) / 2.
        ParzenEstimator p = ParzenEstimator.numeric(0, 1, new double[] {0.3});
        double prior = 0.39104269397545588 / 0.38292492254802624; // φ(0.3 − 0.5) / (Φ(0.5) − Φ(−0.5))
        double mass = 0.5 * (org.apache.commons.math3.special.Erf.erf(-0.3 / 0.7 / Math.sqrt(2),
                0.7 / 0.7 / Math.sqrt(2)));
        double kernel = 0.3989422804014327 / 0.7 / mass;
        assertEquals(Math.log((prior + kernel) / 2), p.logDensity(0.3), 1e-12);
    }

    @Test
    void samplesFollowTheDensity() {
        ParzenEstimator p = ParzenEstimator.numeric(0, 1, new double[] {0.2, 0.21, 0.22, 0.23, 0.24, 0.25});
        SearchTrials.Stream rng = new SearchTrials.Stream(42);
        int n = 40000;
        int below = 0;
        for (int i = 0; i < n; i++) {
            double x = p.sample(rng);
            assertTrue(x >= 0 && x <= 1);
            below += x < 0.4 ? 1 : 0;
        }
        double cdf = 0;
        int m = 20000;
        for (int i = 0; i < m * 0.4; i++) {
            cdf += Math.exp(p.logDensity((i + 0.5) / m)) / m;
        }
        assertEquals(cdf, below / (double) n, 0.01);
    }

    @Test
    void categoricalIsCountsPlusAUniformPriorOfWeightOne() {
        ParzenEstimator p = ParzenEstimator.categorical(3, new int[] {0, 0, 2});
        assertEquals(Math.log((2 + 1.0 / 3) / 4), p.logDensity(0), 1e-12);
        assertEquals(Math.log((1.0 / 3) / 4), p.logDensity(1), 1e-12);
        assertEquals(Math.log((1 + 1.0 / 3) / 4), p.logDensity(2), 1e-12);
        SearchTrials.Stream rng = new SearchTrials.Stream(7);
        int[] counts = new int[3];
        for (int i = 0; i < 30000; i++) {
            counts[(int) p.sample(rng)]++;
        }
        assertEquals((2 + 1.0 / 3) / 4, counts[0] / 30000.0, 0.01);
        assertEquals((1.0 / 3) / 4, counts[1] / 30000.0, 0.01);
    }

    @Test
    void refusesObservationsOutsideAndEmptyIntervals() {
        assertEquals("observation 1.5: must be in [0.0, 1.0]", assertThrows(IllegalArgumentException.class,
                () -> ParzenEstimator.numeric(0, 1, new double[] {1.5})).getMessage());
        assertEquals("[low, high] = [1.0, 1.0]: must be finite with low < high",
                assertThrows(IllegalArgumentException.class, () -> ParzenEstimator.numeric(1, 1, new double[0]))
                        .getMessage());
        assertEquals("observation 3: must be a category index in 0..2", assertThrows(IllegalArgumentException.class,
                () -> ParzenEstimator.categorical(3, new int[] {3})).getMessage());
    }
}
