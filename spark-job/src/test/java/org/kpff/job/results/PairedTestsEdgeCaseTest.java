package org.kpff.job.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionMethod;

/**
 * Every statistic's edge cases: n = 0, 1 and 2 folds, all differences zero, equal differences (also up to rounding),
 * a failed fold, identical predictions and b + c = 0. None may report a p-value it has no evidence for.
 */
class PairedTestsEdgeCaseTest {

    private static final double EPS = 1e-12;
    private static final int K = 5;
    private static final double RHO = 1.0 / (K - 1);

    @Test
    void sampleStatsOfNothingOneValueAndConstants() {
        assertEquals(new SampleStats(0, Double.NaN, Double.NaN), SampleStats.of());
        // one value: commons-math3's variance says 0, a sample std needs two values: NaN
        assertEquals(new SampleStats(1, 0.25, Double.NaN), SampleStats.of(0.25));
        assertEquals(new SampleStats(3, 0.0, 0.0), SampleStats.of(0, 0, 0));
        SampleStats two = SampleStats.of(0.1, 0.3);
        assertEquals(0.2, two.mean(), EPS);
        assertEquals(Math.sqrt(0.02), two.std(), EPS);
        SampleStats withNaN = SampleStats.of(0.1, Double.NaN, 0.3);
        assertTrue(Double.isNaN(withNaN.mean()) && Double.isNaN(withNaN.std()));
    }

    @Test
    void tTestNeedsThreePairedFolds() {
        for (double[] d : List.of(new double[] {}, new double[] {0.1}, new double[] {0.02, 0.05})) {
            PairedTests.TTest t = PairedTests.correctedResampledTTest(d, RHO);
            assertEquals(TTestStatus.TOO_FEW_FOLDS, t.status(), d.length + " folds");
            assertTrue(Double.isNaN(t.statistic()) && Double.isNaN(t.pValue()), t.toString());
            assertEquals(d.length - 1, t.degreesOfFreedom());
        }
        PairedTests.TTest three = PairedTests.correctedResampledTTest(new double[] {0.02, 0.05, 0.02}, RHO);
        assertEquals(TTestStatus.OK, three.status());
        // mean 0.03, s² = (1e-4 + 4e-4 + 1e-4) / 2 = 3e-4, t = 0.03 / sqrt((1/3 + 1/4) 3e-4) = 2.2677868380553634
        assertEquals(0.03 / Math.sqrt((1.0 / 3 + 0.25) * 3e-4), three.statistic(), 1e-9);
        // ν = 2: p = 1 - |t| / sqrt(2 + t²)
        assertEquals(1 - three.statistic() / Math.sqrt(2 + three.statistic() * three.statistic()), three.pValue(),
                1e-9);
    }

    @Test
    void equalDifferencesGiveAnUndefinedTestNotInfinity() {
        // the smoke-run case: every fold difference the same, so s = 0 and t = mean / 0
        PairedTests.TTest equal = PairedTests.correctedResampledTTest(new double[] {0.01, 0.01, 0.01}, RHO);
        assertEquals(TTestStatus.ZERO_VARIANCE, equal.status());
        assertTrue(Double.isNaN(equal.statistic()) && Double.isNaN(equal.pValue()), equal.toString());
        // all differences zero: 0 / 0, also undefined (not t = 0, p = 1)
        PairedTests.TTest zero = PairedTests.correctedResampledTTest(new double[] {0, 0, 0, 0}, RHO);
        assertEquals(TTestStatus.ZERO_VARIANCE, zero.status());
        assertTrue(Double.isNaN(zero.statistic()) && Double.isNaN(zero.pValue()), zero.toString());
    }

    @Test
    void differencesEqualUpToRoundingAreZeroVariance() {
        // accuracy differences that are equal as fractions but not as doubles: s ≈ 1e-17 would give |t| ≈ 1e15
        double[] d = {0.35 - 0.30, 0.40 - 0.35, 0.75 - 0.70};
        assertNotEquals(d[0], d[1]);
        assertTrue(SampleStats.of(d).std() > 0);
        PairedTests.TTest t = PairedTests.correctedResampledTTest(d, RHO);
        assertEquals(TTestStatus.ZERO_VARIANCE, t.status());
        assertTrue(Double.isNaN(t.pValue()));
        // one image of 420 apart is a real spread and gives a defined test
        PairedTests.TTest real = PairedTests.correctedResampledTTest(new double[] {0.05, 0.05, 0.05 + 1.0 / 420},
                RHO);
        assertEquals(TTestStatus.OK, real.status());
        assertTrue(real.pValue() > 0 && real.pValue() < 1, real.toString());
    }

    @Test
    void badInputIsRejectedWithTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PairedTests.correctedResampledTTest(new double[] {0.1, Double.NaN, 0.2}, RHO));
        assertTrue(e.getMessage().contains("differences[1] = NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PairedTests.correctedResampledTTest(new double[] {0.1, 0.2, 0.3}, -1));
        assertTrue(e.getMessage().contains("testTrainRatio = -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PairedTests.mcNemarExactP(-1, 2));
        assertTrue(e.getMessage().contains("b = -1"), e.getMessage());
    }

    @Test
    void mcNemarWithoutDiscordantImagesIsOneAndSaysSo() {
        assertEquals(1.0, PairedTests.mcNemarExactP(0, 0), EPS);
        assertEquals(McNemarStatus.NO_DISCORDANT, McNemarStatus.of(40, 0, 0));
        assertEquals(McNemarStatus.NO_IMAGES, McNemarStatus.of(0, 0, 0));
        assertEquals(McNemarStatus.OK, McNemarStatus.of(40, 1, 0));
        // b = 1, c = 0: the smallest possible evidence, p = 2 · 1/2 = 1
        assertEquals(1.0, PairedTests.mcNemarExactP(1, 0), EPS);
    }

    /** A run with k = 5 folds where kpff and concat tie on every fold and predict identically. */
    @Test
    void identicalPredictionsAndEqualFoldsThroughTheAggregator() {
        List<CellResult> cells = new ArrayList<>();
        List<ImagePrediction> predictions = new ArrayList<>();
        double[] acc = {0.50, 0.75, 0.25, 1.0, 0.5};
        for (int f = 0; f < K; f++) {
            cells.add(ResultFixtures.ok("alexnet", FusionMethod.CONCAT, f, acc[f], acc[f]));
            // fold 4 of kpff failed: only folds 0-3 pair
            cells.add(f == 4 ? ResultFixtures.failed("alexnet", FusionMethod.KPFF, f)
                    : ResultFixtures.ok("alexnet", FusionMethod.KPFF, f, acc[f], acc[f]));
            for (FusionMethod m : List.of(FusionMethod.CONCAT, FusionMethod.KPFF)) {
                if (m == FusionMethod.KPFF && f == 4) {
                    continue;
                }
                for (int i = 0; i < 4; i++) {
                    boolean right = i < acc[f] * 4;
                    predictions.add(new ImagePrediction(ResultFixtures.key("alexnet", m, f), "c/f" + f + "i" + i
                            + ".tif", "x", right ? "x" : "y", right ? List.of(0.9f, 0.1f) : List.of(0.1f, 0.9f)));
                }
            }
        }
        ComparisonRow c = Aggregator.aggregate(cells, predictions, K).comparisons().get(0);
        assertEquals(FusionMethod.KPFF, c.method());
        assertEquals(FusionMethod.CONCAT, c.baseline());
        assertEquals(4, c.nFolds(), "the failed fold is not paired");
        assertEquals(0.0, c.meanDiff(), EPS);
        assertEquals(0.0, c.stdDiff(), EPS);
        assertEquals(TTestStatus.ZERO_VARIANCE, c.tStatus());
        assertTrue(Double.isNaN(c.tStatistic()) && Double.isNaN(c.tPValue()));
        assertEquals(16, c.nImages(), "the failed fold's images are not paired");
        assertEquals(0, c.mcnemarB());
        assertEquals(0, c.mcnemarC());
        assertEquals(1.0, c.mcnemarPValue(), EPS);
        assertEquals(McNemarStatus.NO_DISCORDANT, c.mcnemarStatus());

        String md = SummaryMarkdown.render(Aggregator.aggregate(cells, predictions, K), null);
        assertTrue(md.contains("| AlexNet | KPFF | Concat | 4 | +0.00 | 0.00 | undefined | undefined | 16 | 0 / 0 "
                + "| 1.000 | t undefined: the 4 fold differences are all +0.00 pp (zero variance); McNemar: no "
                + "discordant image (b + c = 0), p = 1 carries no evidence |"), md);
        assertTrue(!md.contains("inf") && !md.contains("<0.001"), md);
    }
}
