package org.kpff.job.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionMethod;

class AggregatorTest {

    private static final double EPS = 1e-12;

    @Test
    void sampleStatsUseNMinusOneAndSayNaNForTooFewValues() {
        // mean 0.91; squared deviations 1e-4 + 1e-4 + 9e-4 + 9e-4 + 0 = 2e-3; s² = 2e-3 / 4
        SampleStats s = SampleStats.of(0.90, 0.92, 0.88, 0.94, 0.91);
        assertEquals(5, s.n());
        assertEquals(0.91, s.mean(), EPS);
        assertEquals(Math.sqrt(5e-4), s.std(), EPS);
        assertEquals(new SampleStats(1, 0.7, Double.NaN), SampleStats.of(0.7));
        assertEquals(new SampleStats(0, Double.NaN, Double.NaN), SampleStats.of());
        assertTrue(Double.isNaN(SampleStats.of(0.5, Double.NaN).std()));
    }

    @Test
    void correctedResampledTTestMatchesTheFormula() {
        // d = [0.02, 0.01, 0.03, 0.00, 0.04], k = 5 folds: mean 0.02, s² = 1e-3 / 4 = 2.5e-4, ρ = 1/(k-1) = 1/4
        // t = mean / sqrt((1/n + ρ) s²) = 0.02 / sqrt(0.45 · 2.5e-4) = 1.8856180831641267
        // Student t with ν = 4 has F(t) = 1/2 + (3/8) (t / sqrt(1 + t²/4)) (1 - t² / (12 (1 + t²/4)))
        double[] d = {0.02, 0.01, 0.03, 0.00, 0.04};
        PairedTests.TTest t = PairedTests.correctedResampledTTest(d, 1.0 / 4);
        double expectedT = 0.02 / Math.sqrt((1.0 / 5 + 1.0 / 4) * 2.5e-4);
        assertEquals(1.8856180831641267, expectedT, EPS);
        assertEquals(expectedT, t.statistic(), 1e-9);
        assertEquals(4, t.degreesOfFreedom());
        double u = 1 + expectedT * expectedT / 4;
        double cdf = 0.5 + 3.0 / 8 * (expectedT / Math.sqrt(u)) * (1 - expectedT * expectedT / (12 * u));
        assertEquals(2 * (1 - cdf), t.pValue(), 1e-9);
        assertEquals(0.1324189222202494, t.pValue(), 1e-9);
    }

    @Test
    void mcNemarExactMatchesTheBinomialSum() {
        // b = 9, c = 2: p = 2 · Σ_{i ≤ 2} C(11, i) / 2^11 = 2 · (1 + 11 + 55) / 2048
        assertEquals(2.0 * (1 + 11 + 55) / 2048, PairedTests.mcNemarExactP(9, 2), EPS);
        assertEquals(PairedTests.mcNemarExactP(9, 2), PairedTests.mcNemarExactP(2, 9), EPS);
        // b = c: the doubled tail exceeds 1 and is capped
        assertEquals(1.0, PairedTests.mcNemarExactP(3, 3), EPS);
        assertEquals(1.0, PairedTests.mcNemarExactP(0, 0), EPS);
        // b = 10, c = 0: 2 / 2^10
        assertEquals(2.0 / 1024, PairedTests.mcNemarExactP(10, 0), EPS);
    }

    @Test
    void summaryIsMeanAndSampleStdOverOkFolds() {
        Aggregation a = Aggregator.aggregate(ResultFixtures.cells(), ResultFixtures.predictions(),
                ResultFixtures.FOLDS);
        assertEquals(3, a.folds());
        List<SummaryRow> s = a.summary();
        assertEquals(5, s.size());
        assertEquals(List.of("alexnet/none", "alexnet/add", "alexnet/kpff", "vgg16/none", "vgg16/kpff"),
                s.stream().map(r -> r.backbone() + "/" + r.method().id()).toList());

        // alexnet none: 0.80 0.90 0.85 -> mean 0.85, deviations ±0.05 and 0 -> s² = 0.005 / 2, std 0.05
        assertRow(s.get(0), 3, 0.85, 0.05, (0.82 + 0.91 + 0.86) / 3, 0.045092497528228944);
        // alexnet add: 0.82 0.93 (third failed) -> mean 0.875, deviations ±0.055 -> s² = 0.00605
        assertRow(s.get(1), 2, 0.875, Math.sqrt(0.00605), 0.875, Math.sqrt(0.00605));
        // alexnet kpff: 0.85 0.94 0.88 -> mean 0.89, deviations -0.04 0.05 -0.01 -> s² = 0.0042 / 2
        assertRow(s.get(2), 3, 0.89, Math.sqrt(0.0021), (0.86 + 0.95 + 0.90) / 3, s.get(2).stdBestAccuracy());
        // one fold: std NaN; all failed: n = 0 and NaN everywhere
        assertRow(s.get(3), 1, 0.70, Double.NaN, 0.75, Double.NaN);
        assertRow(s.get(4), 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private static void assertRow(SummaryRow r, int n, double mean, double std, double meanBest, double stdBest) {
        assertEquals(n, r.nFolds(), r.toString());
        assertEquals(mean, r.meanFinalAccuracy(), EPS, r.toString());
        assertEquals(std, r.stdFinalAccuracy(), EPS, r.toString());
        assertEquals(meanBest, r.meanBestAccuracy(), EPS, r.toString());
        assertEquals(stdBest, r.stdBestAccuracy(), EPS, r.toString());
    }

    @Test
    void comparisonsArePairedOnIdenticalFolds() {
        List<ComparisonRow> c = Aggregator.aggregate(ResultFixtures.cells(), ResultFixtures.predictions(),
                ResultFixtures.FOLDS).comparisons();
        assertEquals(List.of("alexnet add-none", "alexnet kpff-none", "alexnet kpff-add", "vgg16 kpff-none"),
                c.stream().map(r -> r.backbone() + " " + r.method().id() + "-" + r.baseline().id()).toList());

        // add vs none on folds 0, 1 (add failed on fold 2): d = 0.02, 0.03; k = 3 so ρ = 1/2
        // mean 0.025, s² = 5e-5, t = 0.025 / sqrt((1/2 + 1/2) 5e-5); ν = 1 (Cauchy): p = 1 - (2/π) atan|t|
        ComparisonRow addNone = c.get(0);
        assertEquals(2, addNone.nFolds());
        assertEquals(0.025, addNone.meanDiff(), EPS);
        assertEquals(Math.sqrt(5e-5), addNone.stdDiff(), EPS);
        // two paired folds: too few for the t-test, reported as undefined (NaN), never as a p-value
        assertEquals(TTestStatus.TOO_FEW_FOLDS, addNone.tStatus());
        assertTrue(Double.isNaN(addNone.tStatistic()) && Double.isNaN(addNone.tPValue()));
        assertEquals(0, addNone.nImages());
        assertTrue(Double.isNaN(addNone.mcnemarPValue()));
        assertEquals(McNemarStatus.NO_IMAGES, addNone.mcnemarStatus());

        // kpff vs none on folds 0, 1, 2: d = 0.05, 0.04, 0.03 -> mean 0.04, s² = 1e-4
        // t = 0.04 / sqrt((1/3 + 1/2) 1e-4); ν = 2: p = 1 - |t| / sqrt(2 + t²)
        ComparisonRow kpffNone = c.get(1);
        assertEquals(3, kpffNone.nFolds());
        assertEquals(0.04, kpffNone.meanDiff(), EPS);
        assertEquals(0.01, kpffNone.stdDiff(), EPS);
        double t2 = 0.04 / Math.sqrt((1.0 / 3 + 1.0 / 2) * 1e-4);
        assertEquals(TTestStatus.OK, kpffNone.tStatus());
        assertEquals(McNemarStatus.OK, kpffNone.mcnemarStatus());
        assertEquals(t2, kpffNone.tStatistic(), 1e-9);
        assertEquals(1 - t2 / Math.sqrt(2 + t2 * t2), kpffNone.tPValue(), 1e-9);
        // McNemar over the 6 images of folds 0 and 1: kpff alone right on c, d, f (b = 3), none alone on b (c = 1)
        // p = 2 · (C(4,0) + C(4,1)) / 2^4 = 10/16
        assertEquals(6, kpffNone.nImages());
        assertEquals(3, kpffNone.mcnemarB());
        assertEquals(1, kpffNone.mcnemarC());
        assertEquals(10.0 / 16, kpffNone.mcnemarPValue(), EPS);

        // kpff vs add on folds 0, 1 (add failed on fold 2): d = 0.03, 0.01, two folds -> undefined
        ComparisonRow kpffAdd = c.get(2);
        assertEquals(2, kpffAdd.nFolds());
        assertEquals(0.02, kpffAdd.meanDiff(), EPS);
        assertEquals(TTestStatus.TOO_FEW_FOLDS, kpffAdd.tStatus());
        assertTrue(Double.isNaN(kpffAdd.tStatistic()) && Double.isNaN(kpffAdd.tPValue()));

        // vgg16: kpff never succeeded -> nothing paired, NaN throughout
        ComparisonRow vgg = c.get(3);
        assertEquals(0, vgg.nFolds());
        assertTrue(Double.isNaN(vgg.meanDiff()) && Double.isNaN(vgg.stdDiff()) && Double.isNaN(vgg.tStatistic())
                && Double.isNaN(vgg.tPValue()) && Double.isNaN(vgg.mcnemarPValue()));
        assertEquals(TTestStatus.TOO_FEW_FOLDS, vgg.tStatus());
        assertEquals(McNemarStatus.NO_IMAGES, vgg.mcnemarStatus());
    }

    @Test
    void emptyInputGivesEmptyTables() {
        Aggregation a = Aggregator.aggregate(List.of(), List.of(), 5);
        assertEquals(List.of(), a.summary());
        assertEquals(List.of(), a.comparisons());
    }

    @Test
    void inconsistentInputIsRejected() {
        List<CellResult> dup = new ArrayList<>(ResultFixtures.cells());
        dup.add(ResultFixtures.ok("alexnet", FusionMethod.NONE, 0, 0.5, 0.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Aggregator.aggregate(dup, List.of(), 3));
        assertTrue(e.getMessage().contains("two ok results"), e.getMessage());
        List<ImagePrediction> twice = new ArrayList<>(ResultFixtures.predictions());
        twice.add(twice.get(0));
        assertThrows(IllegalArgumentException.class, () -> Aggregator.aggregate(ResultFixtures.cells(), twice, 3));
        assertThrows(IllegalArgumentException.class, () -> Aggregator.aggregate(List.of(), List.of(), 1));
    }
}
