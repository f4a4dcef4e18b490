package org.kpff.job.results;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
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
 * with ± sample-std error bars: Table 1 as a picture; for a 21-class dataset like UC Merced the paper's values as
 * diamonds beside the bars), {@code curves-<backbone>.png} (validation accuracy against
 * epoch per method, mean ± std over folds), {@code w-distance.png} (KPFF's W at every evaluation: its distance from
 * I, i.e. Concat, and from Add, per backbone) and {@code w-<cell id>.png} (each KPFF cell's learned W as a heat map,
 * to see how close it came to Add or Concat). Values are percent. Rendered with XChart, headless.
 *
 * <p>Backbones and methods carry the names and the order of {@code summary.md} (the paper's: AlexNet, VGGNet,
 * Inception; original, Add, Concat, KPFF). Each method's curve has its own marker and line style, and a curve equal
 * to an earlier one (KPFF and Concat at small scale) says so in its legend entry, so no curve hides under another.
 */
public final class SummaryPlots {

    /** Classes of UC Merced Land Use, the paper's dataset: a run with this many gets the paper's values marked. */
    public static final int UC_MERCED_CLASSES = DatasetSummary.UC_MERCED_CLASSES;

    /** Bar colours per method (none, add, concat, kpff), shared by a method's paper marks; line colours per backbone. */
    private static final Color[] SERIES_COLORS = {new Color(31, 119, 180), new Color(255, 127, 14),
        new Color(44, 160, 44), new Color(214, 39, 40)};

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
        return render(summary, metrics, cells, 0);
    }

    /**
     * Renders every plot, as {@link #render(List, List, List)}; with {@code classes} =
     * {@value #UC_MERCED_CLASSES} (the dataset looks like UC Merced) the accuracy plot also marks the paper's
     * Table 1 value of every backbone × method it shows.
     *
     * @param classes the dataset's number of classes; 0 when unknown (no paper marks)
     */
    public static Map<String, byte[]> render(List<SummaryRow> summary, List<EpochMetrics> metrics,
            List<CellResult> cells, int classes) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, byte[]> out = new LinkedHashMap<>();
        CategoryChart accuracy = accuracy(summary, classes == UC_MERCED_CLASSES);
        if (!accuracy.getSeriesMap().isEmpty()) {
            out.put(RunLayout.ACCURACY_PLOT, png(accuracy));
        }
        Map<String, List<EpochMetrics>> byBackbone = new TreeMap<>();
        for (EpochMetrics m : metrics) {
            byBackbone.computeIfAbsent(m.cell().backbone(), b -> new ArrayList<>()).add(m);
        }
        for (Map.Entry<String, List<EpochMetrics>> e : byBackbone.entrySet()) {
            XYChart curves = curves(e.getKey(), e.getValue());
            if (!curves.getSeriesMap().isEmpty()) {
                out.put(RunLayout.curvesPlot(e.getKey()), png(curves));
            }
        }
        XYChart distance = wDistance(metrics);
        if (!distance.getSeriesMap().isEmpty()) {
            out.put(RunLayout.W_DISTANCE_PLOT, png(distance));
        }
        for (CellResult c : cells) {
            if (c.learnedW() != null) {
                out.put(RunLayout.wPlot(c.cell().cellId()), png(heatMap(c)));
            }
        }
        return out;
    }

    static CategoryChart accuracy(List<SummaryRow> summary, boolean paperMarks) {
        CategoryChart chart = new CategoryChartBuilder().width(paperMarks ? 1100 : 900).height(520)
                .title("Final held-out accuracy (mean ± sample std over folds)"
                        + (paperMarks ? "; diamonds: the KPFF paper's Table 1" : ""))
                .xAxisTitle("backbone").yAxisTitle("accuracy %").build();
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
                CategorySeries bars = chart.addSeries(PaperTable1.displayName(m), names, y, err);
                if (paperMarks) {
                    addPaperMarks(chart, m, backbones, names, bars);
                }
            }
        }
        return chart;
    }

    /**
     * The paper's value of method m for each backbone as a diamond in the slot beside its bar, in the bar's colour;
     * null (no mark) for a backbone the paper did not report.
     */
    private static void addPaperMarks(CategoryChart chart, FusionMethod m, List<String> backbones,
            List<String> names, CategorySeries bars) {
        List<Double> paper = new ArrayList<>();
        boolean any = false;
        for (String b : backbones) {
            OptionalDouble p = PaperTable1.accuracyPercent(m, b);
            any |= p.isPresent();
            paper.add(p.isPresent() ? p.getAsDouble() : null);
        }
        if (!any) {
            return;
        }
        CategorySeries marks = chart.addSeries(PaperTable1.displayName(m) + " (paper)", names, paper);
        marks.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        marks.setMarker(SeriesMarkers.DIAMOND);
        Color c = SERIES_COLORS[m.ordinal()];
        bars.setFillColor(c);
        marks.setMarkerColor(c.darker());
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
            EpochCurve c = EpochCurve.of(byEpoch);
            List<Double> x = c.x();
            List<Double> y = c.y();
            List<Double> err = c.err();
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

    /**
     * KPFF's W over training: per backbone, the Frobenius distance of W from I (Concat) and from Add at each
     * evaluation, mean ± std over the folds of plain cells ({@link WDistances}). Evaluations without a recorded W
     * (other methods, runs from before it was recorded) are left out.
     */
    static XYChart wDistance(List<EpochMetrics> metrics) {
        XYChart chart = new XYChartBuilder().width(900).height(520)
                .title("KPFF's W over training (mean ± std over folds)").xAxisTitle("epoch")
                .yAxisTitle("Frobenius distance of W").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        Map<String, List<EpochMetrics>> byBackbone = new TreeMap<>(Aggregator::compareBackbones);
        for (EpochMetrics m : metrics) {
            if (m.fusionW() != null && m.cell().hp().isEmpty()) {
                byBackbone.computeIfAbsent(m.cell().backbone(), b -> new ArrayList<>()).add(m);
            }
        }
        // Curves first, then the series: a curve that lies on one drawn before it (within 0.2 % of the largest
        // distance, under a pixel) is named so in the legend, or the chart would list lines nobody can see.
        List<String> names = new ArrayList<>();
        List<EpochCurve> curves = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        List<java.awt.BasicStroke> lines = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, List<EpochMetrics>> e : byBackbone.entrySet()) {
            // one colour per backbone: solid from Concat, dashed from Add
            Color c = SERIES_COLORS[i++ % SERIES_COLORS.length];
            String name = PaperTable1.displayName(e.getKey());
            names.add(name + ": from Concat (I)");
            curves.add(distanceCurve(e.getValue(), m -> WDistances.fromConcat(m.fusionW())));
            names.add(name + ": from Add");
            curves.add(distanceCurve(e.getValue(), m -> WDistances.fromAdd(m.fusionW())));
            colors.addAll(List.of(c, c));
            lines.addAll(List.of(SeriesLines.SOLID, SeriesLines.DASH_DASH));
        }
        double largest = curves.stream().flatMap(c -> c.y().stream()).mapToDouble(Double::doubleValue).max()
                .orElse(0);
        for (int k = 0; k < curves.size(); k++) {
            String same = null;
            for (int j = 0; j < k && same == null; j++) {
                if (curves.get(j).overlaps(curves.get(k), 2e-3 * largest)) {
                    same = names.get(j);
                }
            }
            EpochCurve c = curves.get(k);
            style(chart.addSeries(same == null ? names.get(k) : names.get(k) + " (same curve as " + same + ")",
                    c.x(), c.y(), c.err()), colors.get(k), lines.get(k));
        }
        return chart;
    }

    private static void style(XYSeries series, Color color, java.awt.BasicStroke line) {
        series.setMarkerColor(color);
        series.setLineColor(color);
        series.setLineStyle(line);
    }

    private static EpochCurve distanceCurve(List<EpochMetrics> ms,
            java.util.function.ToDoubleFunction<EpochMetrics> distance) {
        Map<Integer, List<Double>> byEpoch = new TreeMap<>();
        for (EpochMetrics m : ms) {
            byEpoch.computeIfAbsent(m.epoch(), k -> new ArrayList<>()).add(distance.applyAsDouble(m));
        }
        return EpochCurve.of(byEpoch);
    }

    /** A curve over epochs: per epoch the mean of the folds' values and their sample std (0 for one fold). */
    private record EpochCurve(List<Double> x, List<Double> y, List<Double> err) {
        static EpochCurve of(Map<Integer, List<Double>> byEpoch) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> err = new ArrayList<>();
            for (Map.Entry<Integer, List<Double>> e : byEpoch.entrySet()) {
                SampleStats s = SampleStats.of(e.getValue().stream().mapToDouble(Double::doubleValue).toArray());
                x.add(e.getKey().doubleValue());
                y.add(s.mean());
                err.add(Double.isNaN(s.std()) ? 0.0 : s.std());
            }
            return new EpochCurve(x, y, err);
        }

        /** Whether {@code other} has the same epochs and means within {@code tolerance} of these at every one. */
        boolean overlaps(EpochCurve other, double tolerance) {
            if (!x.equals(other.x)) {
                return false;
            }
            for (int i = 0; i < y.size(); i++) {
                if (Math.abs(y.get(i) - other.y.get(i)) > tolerance) {
                    return false;
                }
            }
            return true;
        }
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
