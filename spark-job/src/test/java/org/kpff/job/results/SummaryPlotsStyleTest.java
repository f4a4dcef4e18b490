package org.kpff.job.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.kpff.core.fusion.FusionMethod;

/** The plots use the table's names and order, and a curve equal to another stays visible and is named so. */
class SummaryPlotsStyleTest {

    private static SummaryRow row(String backbone, FusionMethod m) {
        return new SummaryRow(backbone, m, new TreeMap<>(), 2, 0.5, 0.1, 0.6, 0.1);
    }

    private static void curve(List<EpochMetrics> out, FusionMethod m, double... accuracies) {
        for (int fold = 0; fold < 2; fold++) {
            CellKey key = new CellKey("alexnet-" + m.id() + "-f" + fold + "-e3b0c442", "alexnet", m, fold,
                    new TreeMap<>());
            for (int e = 0; e < accuracies.length; e++) {
                out.add(new EpochMetrics(key, e + 1, 1.0, 1.0, accuracies[e] + 0.02 * fold, 1.0));
            }
        }
    }

    @Test
    void theAccuracyPlotHasTheTablesBackboneNamesInThePapersOrder() {
        CategoryChart chart = SummaryPlots.accuracy(List.of(row("inception", FusionMethod.KPFF),
                row("alexnet", FusionMethod.KPFF), row("vgg16", FusionMethod.KPFF), row("zzz", FusionMethod.KPFF)), false);
        List<Object> categories = new ArrayList<>(chart.getSeriesMap().get("KPFF").getXData());
        assertEquals(List.of("AlexNet", "VGGNet", "Inception", "zzz"), categories);
    }

    @Test
    void identicalCurvesAreNamedAndDrawnWithTheirOwnMarkersAndLines() {
        List<EpochMetrics> metrics = new ArrayList<>();
        curve(metrics, FusionMethod.NONE, 0.2, 0.4);
        curve(metrics, FusionMethod.CONCAT, 0.3, 0.6);
        curve(metrics, FusionMethod.KPFF, 0.3, 0.6);
        XYChart chart = SummaryPlots.curves("alexnet", metrics);
        assertEquals("Validation accuracy, AlexNet (mean ± std over folds)", chart.getTitle());
        assertEquals(List.of("original", "Concat", "KPFF (same curve as Concat)"),
                new ArrayList<>(chart.getSeriesMap().keySet()));
        XYSeries concat = chart.getSeriesMap().get("Concat");
        XYSeries kpff = chart.getSeriesMap().get("KPFF (same curve as Concat)");
        assertEquals(31.0, concat.getYData()[0], 1e-9, "mean of 30 % and 32 %");
        assertNotEquals(concat.getMarker(), kpff.getMarker());
        assertNotEquals(concat.getLineStyle(), kpff.getLineStyle());
    }
}
