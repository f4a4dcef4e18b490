package org.kpff.job.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionMethod;

class SummaryMarkdownTest {

    private static final DatasetSummary UC_MERCED = new DatasetSummary("file:/data/UCMerced_LandUse/Images", 21, 2100);
    private static final DatasetSummary SYNTHETIC = new DatasetSummary("file:/work/data/synthetic", 6, 240);
    private static final Aggregation AGGREGATION = Aggregator.aggregate(ResultFixtures.cells(),
            ResultFixtures.predictions(), ResultFixtures.FOLDS);
    private static final String MD = SummaryMarkdown.render(AGGREGATION, UC_MERCED);

    private static void assertLine(String line) {
        assertTrue(MD.lines().anyMatch(line::equals), "missing line:\n" + line + "\nin:\n" + MD);
    }

    @Test
    void finalAccuracyTableIsTable1ShapedWithThePaperBesideIt() {
        assertLine("## Final accuracy (%)");
        assertLine("| Method | AlexNet | paper | VGGNet | paper |");
        assertLine("|---|---:|---:|---:|---:|");
        assertLine("| original | 85.00 ± 5.00 | 88.10 | 70.00 (n=1) | 89.52 |");
        assertLine("| Add | 87.50 ± 7.78 (n=2) | 90.71 | — | 91.19 |");
        assertLine("| KPFF | 89.00 ± 4.58 | 91.90 | failed | 92.62 |");
    }

    @Test
    void theDatasetIsNamedAndThePaperIsLeftOutUnlessItLooksLikeUcMerced() {
        assertLine("Dataset: `file:/data/UCMerced_LandUse/Images`, 21 classes, 2100 images.");
        String md = SummaryMarkdown.render(AGGREGATION, SYNTHETIC);
        assertTrue(md.contains("Dataset: `file:/work/data/synthetic`, 6 classes, 240 images.\n"), md);
        assertTrue(md.contains("The paper's Table 1 (UC Merced, 21 classes) is left out: this dataset has 6 classes, "
                + "so it is not UC Merced and the numbers are not comparable."), md);
        assertTrue(md.contains("\n| Method | AlexNet | VGGNet |\n"), md);
        assertTrue(md.contains("\n| original | 85.00 ± 5.00 | 70.00 (n=1) |\n"), md);
        assertFalse(md.contains("paper |") || md.contains("88.10"), md);
        String unknown = SummaryMarkdown.render(AGGREGATION, null);
        assertTrue(unknown.contains("Dataset: not recorded in run.json."), unknown);
        assertFalse(unknown.contains("88.10"), unknown);
    }

    @Test
    void aSyntheticDatasetIsSaidToBeGeneratedWithItsChanceLevel() {
        String md = SummaryMarkdown.render(AGGREGATION, new DatasetSummary("file:/work/data/synthetic", 6, 240, true));
        assertTrue(md.contains("Dataset: `file:/work/data/synthetic`, 6 classes, 240 images.\nThe images are "
                + "generated synthetic scenes (`datagen`"), md);
        assertTrue(md.contains("\nChance level (guessing among 6 classes): 16.7 %.\n"), md);
        assertLine("Chance level (guessing among 21 classes): 4.8 %.");
        assertFalse(MD.contains("synthetic scenes"), MD);
    }

    @Test
    void aPartialRunSaysHowManyPlannedCellsItHolds() {
        String md = SummaryMarkdown.render(AGGREGATION, UC_MERCED, new SummaryMarkdown.Coverage(12, 24));
        assertTrue(md.contains("\nPartial run: 12 of 24 planned cells are committed; the tables hold only those"), md);
        assertFalse(SummaryMarkdown.render(AGGREGATION, UC_MERCED, new SummaryMarkdown.Coverage(24, 24))
                .contains("Partial run"));
        assertFalse(MD.contains("Partial run"), MD);
    }

    @Test
    void bestAccuracyTableHasNoPaperColumns() {
        assertLine("| Method | AlexNet | VGGNet |");
        assertLine("| original | 86.33 ± 4.51 | 75.00 (n=1) |");
    }

    @Test
    void comparisonsShowDifferencesAndBothTests() {
        assertLine("| Backbone | Method | vs | Folds | Δ mean (pp) | Δ std (pp) | t (corrected) | p (t) | Images "
                + "| b / c | p (McNemar) | Note |");
        // t = 0.04 / sqrt((1/3 + 1/2) 1e-4) = 4.38, p = 1 - t / sqrt(2 + t²) = 0.048
        assertLine("| AlexNet | KPFF | original | 3 | +4.00 | 1.00 | 4.38 | 0.048 | 6 | 3 / 1 | 0.625 |  |");
        assertLine("| AlexNet | KPFF | Add | 2 | +2.00 | 1.41 | undefined | undefined | 0 | 0 / 0 | undefined "
                + "| t undefined: 2 paired folds, fewer than the 3 the t-test needs; McNemar undefined: no image "
                + "predicted by both cells |");
        assertLine("| VGGNet | KPFF | original | 0 | — | — | undefined | undefined | 0 | 0 / 0 | undefined "
                + "| t undefined: 0 paired folds, fewer than the 3 the t-test needs; McNemar undefined: no image "
                + "predicted by both cells |");
        assertTrue(MD.contains("Nadeau–Bengio corrected resampled t-test"), MD);
        assertTrue(MD.contains("k = 3"), MD);
    }

    @Test
    void hyperparameterPointsGetTheirOwnTables() {
        TreeMap<String, String> p = new TreeMap<>(Map.of("train.learning-rate", "0.001"));
        Aggregation a = new Aggregation(5, List.of(
                new SummaryRow("inception", FusionMethod.CONCAT, new TreeMap<>(), 5, 0.9, 0.01, 0.91, 0.01),
                new SummaryRow("inception", FusionMethod.CONCAT, p, 5, 0.8, 0.02, 0.81, 0.02)), List.of());
        String md = SummaryMarkdown.render(a, UC_MERCED);
        assertTrue(md.contains("## Final accuracy (%), point (defaults)\n"), md);
        assertTrue(md.contains("## Final accuracy (%), point train.learning-rate=0.001\n"), md);
        assertTrue(md.contains("| Concat | 80.00 ± 2.00 | 90.23 |\n"), md);
        assertTrue(md.contains("No method has a baseline to compare with."), md);
    }

    @Test
    void meanStdCellFormat() {
        assertEquals("91.90 ± 0.85", SummaryMarkdown.meanStd(0.919, 0.0085, 5, 5));
        assertEquals("91.90 (n=1)", SummaryMarkdown.meanStd(0.919, Double.NaN, 1, 5));
        assertEquals("failed", SummaryMarkdown.meanStd(Double.NaN, Double.NaN, 0, 5));
    }
}
