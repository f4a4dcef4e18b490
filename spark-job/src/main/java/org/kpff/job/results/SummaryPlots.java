package org.kpff.job.results;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.kpff.core.fusion.FusionMethod;

/**
 * The run's PNG plots, beside {@code summary.md}: {@code accuracy.png} (mean final accuracy per backbone × method
 * with ± sample-std error bars: Table 1 as a picture), {@code curves-<backbone>.png} (validation accuracy against
 * epoch per method, mean ± std over folds) and {@code w-<cell id>.png} (each KPFF cell's learned W as a heat map,
 * to see how close it came to Add or Concat). Values are percent. Rendered with XChart, headless.
 *
 * <p>Backbones and methods carry the names and the order of {@code summary.md} (the paper's: AlexNet, VGGNet,
 * Inception; original, Add, Concat, KPFF). Each method's curve has its own marker and line style, and a curve equal
 * to an earlier one (KPFF and Concat at small scale) says so in its legend entry, so no curve hides under another.
 */
public final class SummaryPlots {

    /** Per method (in enum order): markers and line styles that stay distinguishable when curves coincide. */
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
        SeriesMarkers.TRIANGLE_UP};
    private static final BasicStroke[] LINES = {SeriesLines.SOLID, SeriesLines.DASH_DOT,
        SeriesLines.DASH_DASH, SeriesLines.DOT_DOT};

    private SummaryPlots() {
    }

    /**
     * Renders every plot; returns file name → PNG bytes. The accuracy and learning-curve plots show plain cells
     * (no hyperparameter point); they are left out when there are none (a search's cells all have points).
     */
    public static Map<String, byte[]> render(List<SummaryRow> summary, List<EpochMetrics> metrics,
            List<CellResult> cells) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, byte[]> out = new LinkedHashMap<>();
        CategoryChart accuracy = accuracy(summary);
        if (!accuracy.getSeriesMap().isEmpty()) {
            out.put("accuracy.png", png(accuracy));
        }
        Map<String, List<EpochMetrics>> byBackbone = new TreeMap<>();
        for (EpochMetrics m : metrics) {
            byBackbone.computeIfAbsent(m.cell().backbone(), b -> new ArrayList<>()).add(m);
        }
        for (Map.Entry<String, List<EpochMetrics>> e : byBackbone.entrySet()) {
            XYChart curves = curves(e.getKey(), e.getValue());
            if (!curves.getSeriesMap().isEmpty()) {
                out.put("curves-" + e.getKey() + ".png", png(curves));
            }
        }
        for (CellResult c : cells) {
            if (c.learnedW() != null) {
                out.put("w-" + c.cell().cellId() + ".png", png(heatMap(c)));
            }
        }
        return out;
    }

    static CategoryChart accuracy(List<SummaryRow> summary) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520)
                .title("Final held-out accuracy (mean ± sample std over folds)").xAxisTitle("backbone")
                .yAxisTitle("accuracy %").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setErrorBarsColor(Color.DARK_GRAY);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        TreeSet<String> ordered = new TreeSet<>(PaperTable1.BACKBONE_ORDER);
        summary.forEach(r -> ordered.add(r.backbone()));
        List<String> backbones = new ArrayList<>(ordered);
        List<String> names = backbones.stream().map(PaperTable1::displayName).toList();
        for (FusionMethod m : FusionMethod.values()) {
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            boolean any = false;
            for (String b : backbones) {
                SummaryRow r = summary.stream().filter(s -> s.backbone().equals(b) && s.method() == m && s.hp().isEmpty())
                        .findFirst().orElse(null);
                any |= r != null;
                y.add(r == null ? 0.0 : 100 * r.meanFinalAccuracy());
                err.add(r == null || Double.isNaN(r.stdFinalAccuracy()) ? 0.0 : 100 * r.stdFinalAccuracy());
            }
            if (any) {
                chart.addSeries(PaperTable1.displayName(m), names, y, err);
            }
        }
        return chart;
    }

    static XYChart curves(String backbone, List<EpochMetrics> metrics) {
        XYChart chart = new XYChartBuilder().width(900).height(520)
                .title("Validation accuracy, " + PaperTable1.displayName(backbone) + " (mean ± std over folds)")
                .xAxisTitle("epoch")
                .yAxisTitle("accuracy %").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        Map<String, List<List<Double>>> drawn = new LinkedHashMap<>();
        for (FusionMethod m : FusionMethod.values()) {
            Map<Integer, List<Double>> byEpoch = new TreeMap<>();
            for (EpochMetrics e : metrics) {
                if (e.cell().method() == m && e.cell().hp().isEmpty()) {
                    byEpoch.computeIfAbsent(e.epoch(), k -> new ArrayList<>()).add(100 * e.valAccuracy());
                }
            }
            if (byEpoch.isEmpty()) {
                continue;
            }
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            for (Map.Entry<Integer, List<Double>> e : byEpoch.entrySet()) {
                SampleStats s = SampleStats.of(e.getValue().stream().mapToDouble(Double::doubleValue).toArray());
                x.add(e.getKey().doubleValue());
                y.add(s.mean());
                err.add(Double.isNaN(s.std()) ? 0.0 : s.std());
            }
            String name = PaperTable1.displayName(m);
            List<List<Double>> curve = List.of(x, y);
            String same = drawn.entrySet().stream().filter(d -> d.getValue().equals(curve)).map(Map.Entry::getKey)
                    .findFirst().orElse(null);
            drawn.put(name, curve);
            XYSeries series = chart.addSeries(same == null ? name : name + " (same curve as " + same + ")", x, y, err);
            series.setMarker(MARKERS[m.ordinal() % MARKERS.length]);
            series.setLineStyle(LINES[m.ordinal() % LINES.length]);
        }
        return chart;
    }

    static HeatMapChart heatMap(CellResult cell) {
        double[][] w = cell.learnedWMatrix();
        int n = w.length;
        HeatMapChart chart = new HeatMapChartBuilder().width(520).height(460)
                .title("Learned W: " + cell.cell().cellId())
                .xAxisTitle("i (source; column i = w_i)").yAxisTitle("k (output block)").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setMin(-1.5);
        chart.getStyler().setMax(1.5);
        chart.getStyler().setRangeColors(new Color[] {new Color(49, 54, 149), Color.WHITE, new Color(165, 0, 38)});
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            idx.add(i + 1);
        }
        List<Number[]> heat = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                heat.add(new Number[] {i, k, Math.round(w[k][i] * 1000) / 1000.0});
            }
        }
        chart.addSeries("W", idx, idx, heat);
        return chart;
    }

    private static byte[] png(Chart<?, ?> chart) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
