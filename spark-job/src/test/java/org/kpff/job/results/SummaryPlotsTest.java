package org.kpff.job.results;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.kpff.core.fusion.FusionMethod;

/** The W-over-training plot's distances and the accuracy plot's paper marks, on small hand-made results. */
class SummaryPlotsTest {

    private static final double EPS = 1e-12;

    @Test
    void distancesFromConcatAndAdd() {
        // n = 2: I = [[1, 0], [0, 1]], Add = [[1, 1], [0, 0]]
        List<Double> identity = List.of(1.0, 0.0, 0.0, 1.0);
        List<Double> add = List.of(1.0, 1.0, 0.0, 0.0);
        assertEquals(0, WDistances.fromConcat(identity), EPS);
        assertEquals(Math.sqrt(2), WDistances.fromAdd(identity), EPS);
        assertEquals(0, WDistances.fromAdd(add), EPS);
        assertEquals(Math.sqrt(2), WDistances.fromConcat(add), EPS);
        // W = [[0.9, 0.1], [-0.2, 1.1]]: from I sqrt(0.01 + 0.01 + 0.04 + 0.01), from Add sqrt(0.01 + 0.81 + 0.04 + 1.21)
        List<Double> w = List.of(0.9, 0.1, -0.2, 1.1);
        assertEquals(Math.sqrt(0.07), WDistances.fromConcat(w), EPS);
        assertEquals(Math.sqrt(2.07), WDistances.fromAdd(w), EPS);
        assertEquals(3, WDistances.side(List.of(1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)));
        assertEquals(-1, WDistances.side(List.of(1.0, 2.0, 3.0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WDistances.fromConcat(List.of(1.0, 2.0, 3.0)));
        assertTrue(e.getMessage().contains("W has 3 values"), e.getMessage());
    }

    @Test
    void wDistancePlotIsTheFoldMeanPerEpochOfPlainKpffCells() {
        List<EpochMetrics> m = new ArrayList<>();
        // fold 0: I at epoch 1, then [[0.9, 0.1], [-0.2, 1.1]]; fold 1: I, then Add
        m.add(metric(FusionMethod.KPFF, 0, 1, List.of(1.0, 0.0, 0.0, 1.0)));
        m.add(metric(FusionMethod.KPFF, 0, 2, List.of(0.9, 0.1, -0.2, 1.1)));
        m.add(metric(FusionMethod.KPFF, 1, 1, List.of(1.0, 0.0, 0.0, 1.0)));
        m.add(metric(FusionMethod.KPFF, 1, 2, List.of(1.0, 1.0, 0.0, 0.0)));
        m.add(metric(FusionMethod.CONCAT, 0, 2, null));
        XYChart chart = SummaryPlots.wDistance(m);
        assertEquals(List.of("AlexNet: from Concat (I)", "AlexNet: from Add"), new ArrayList<>(chart.getSeriesMap()
                .keySet()));
        XYSeries concat = chart.getSeriesMap().get("AlexNet: from Concat (I)");
        assertArrayEquals(new double[] {1, 2}, concat.getXData(), EPS);
        assertArrayEquals(new double[] {0, (Math.sqrt(0.07) + Math.sqrt(2)) / 2}, concat.getYData(), EPS);
        XYSeries add = chart.getSeriesMap().get("AlexNet: from Add");
        assertArrayEquals(new double[] {Math.sqrt(2), Math.sqrt(2.07) / 2}, add.getYData(), EPS);
        // the std over the two folds at epoch 1 is 0 (both I)
        assertEquals(0, add.getExtraValues()[0], EPS);
        // no KPFF evaluation with W: no plot
        assertTrue(SummaryPlots.wDistance(List.of(metric(FusionMethod.CONCAT, 0, 1, null))).getSeriesMap().isEmpty());
    }

    @Test
    void wDistanceCurvesThatLieOnOneAnotherAreNamedSoInTheLegend() {
        List<EpochMetrics> m = new ArrayList<>();
        // AlexNet and VGG-16 with the same W (to 1e-6, under a pixel) at both epochs; Inception's moves away.
        for (String backbone : List.of("alexnet", "vgg16", "inception")) {
            double d = backbone.equals("vgg16") ? 1e-6 : backbone.equals("inception") ? 0.3 : 0;
            m.add(new EpochMetrics(ResultFixtures.key(backbone, FusionMethod.KPFF, 0), 1, 0.5, 0.6, 0.5, 10,
                    List.of(1.0, 0.0, 0.0, 1.0)));
            m.add(new EpochMetrics(ResultFixtures.key(backbone, FusionMethod.KPFF, 0), 2, 0.5, 0.6, 0.5, 20,
                    List.of(0.9 + d, 0.1, -0.2, 1.1)));
        }
        List<String> legend = new ArrayList<>(SummaryPlots.wDistance(m).getSeriesMap().keySet());
        assertEquals(List.of("AlexNet: from Concat (I)", "AlexNet: from Add",
                "VGGNet: from Concat (I) (same curve as AlexNet: from Concat (I))",
                "VGGNet: from Add (same curve as AlexNet: from Add)", "Inception: from Concat (I)",
                "Inception: from Add"), legend);
    }

    @Test
    void accuracyPlotMarksThePaperOnlyForAUcMercedLikeDataset() throws Exception {
        List<SummaryRow> summary = List.of(
                new SummaryRow("alexnet", FusionMethod.CONCAT, new TreeMap<>(), 5, 0.60, 0.02, 0.61, 0.02),
                new SummaryRow("alexnet", FusionMethod.KPFF, new TreeMap<>(), 5, 0.62, 0.03, 0.63, 0.03),
                new SummaryRow("vgg16", FusionMethod.KPFF, new TreeMap<>(), 5, 0.55, 0.01, 0.56, 0.01));
        CategoryChart plain = SummaryPlots.accuracy(summary, false);
        assertEquals(List.of("Concat", "KPFF"), new ArrayList<>(plain.getSeriesMap().keySet()));
        CategoryChart marked = SummaryPlots.accuracy(summary, true);
        assertEquals(List.of("Concat", "Concat (paper)", "KPFF", "KPFF (paper)"),
                new ArrayList<>(marked.getSeriesMap().keySet()));
        CategorySeries kpff = marked.getSeriesMap().get("KPFF (paper)");
        assertEquals(CategorySeries.CategorySeriesRenderStyle.Scatter, kpff.getChartCategorySeriesRenderStyle());
        // the paper's KPFF row: AlexNet 91.90, VGGNet 92.62; backbones in the plot's (sorted) order
        assertEquals(List.of(91.90, 92.62), values(kpff));
        assertEquals(List.of(91.19, 90.95), values(marked.getSeriesMap().get("Concat (paper)")));

        Map<String, byte[]> pngs = SummaryPlots.render(summary, List.of(), List.of(), SummaryPlots.UC_MERCED_CLASSES);
        assertTrue(ImageIO.read(new ByteArrayInputStream(pngs.get("accuracy.png"))).getWidth() > 0);
        assertFalse(pngs.containsKey("w-distance.png"));
        // 10 classes: not UC Merced, no marks (the 3-argument render knows no class count: none either)
        assertEquals(2, SummaryPlots.accuracy(summary, 10 == SummaryPlots.UC_MERCED_CLASSES).getSeriesMap().size());
        assertNull(plain.getSeriesMap().get("KPFF (paper)"));
    }

    @Test
    void aBackboneThePaperDidNotReportGetsNoMark() throws Exception {
        List<SummaryRow> summary = List.of(
                new SummaryRow("alexnet", FusionMethod.KPFF, new TreeMap<>(), 5, 0.62, 0.03, 0.63, 0.03),
                new SummaryRow("resnet", FusionMethod.KPFF, new TreeMap<>(), 5, 0.70, 0.03, 0.71, 0.03));
        CategoryChart marked = SummaryPlots.accuracy(summary, true);
        List<Object> y = new ArrayList<>();
        marked.getSeriesMap().get("KPFF (paper)").getYData().forEach(y::add);
        assertEquals(java.util.Arrays.asList(91.90, null), y);
        Map<String, byte[]> pngs = SummaryPlots.render(summary, List.of(), List.of(), SummaryPlots.UC_MERCED_CLASSES);
        assertTrue(ImageIO.read(new ByteArrayInputStream(pngs.get("accuracy.png"))).getWidth() > 0);
    }

    private static List<Double> values(CategorySeries s) {
        List<Double> out = new ArrayList<>();
        s.getYData().forEach(v -> out.add(v.doubleValue()));
        return out;
    }

    private static EpochMetrics metric(FusionMethod method, int fold, int epoch, List<Double> w) {
        return new EpochMetrics(ResultFixtures.key("alexnet", method, fold), epoch, 0.5, 0.6, 0.5, 10.0 * epoch, w);
    }
}
