package org.kpff.job.results;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A search's PNG plots, beside {@code search.md}, of the search over all folds: {@code search-history.png} (the
 * optimisation history: each trial's score in the order trials finished, and the best score so far among trials
 * trained to the full budget) and {@code search-rungs.png} (each trial's fold-mean at every rung it reached, trials
 * that went on to the last rung in colour, trials stopped or failed earlier in grey), and {@link #pareto}
 * ({@code search-pareto.png}: accuracy against cost). Values are percent; rendered
 * with XChart, headless, in the style of {@link SummaryPlots}.
 */
public final class SearchPlots {

    private static final Color WENT_ON = new Color(31, 119, 180);
    private static final Color BEST = new Color(214, 39, 40);
    private static final Color STOPPED = new Color(150, 150, 150);

    private SearchPlots() {
    }

    /**
     * Renders both plots; file name → PNG bytes. Empty when no trial has a score.
     *
     * @param trials    the trials (any order)
     * @param finished  trial ids in the order they finished (completed, stopped or failed)
     * @param rungs     epochs of each rung
     */
    public static Map<String, byte[]> render(List<TrialRow> trials, List<Integer> finished, List<Integer> rungs)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (trials.stream().noneMatch(t -> t.meanAccuracy() != null)) {
            return out;
        }
        out.put("search-history.png", png(history(trials, finished, rungs)));
        out.put("search-rungs.png", png(rungChart(trials, rungs)));
        return out;
    }

    static XYChart history(List<TrialRow> trials, List<Integer> finished, List<Integer> rungs) {
        XYChart chart = new XYChartBuilder().width(900).height(520)
                .title("Optimisation history (fold-mean accuracy per trial, in the order trials finished)")
                .xAxisTitle("trials finished").yAxisTitle("accuracy %").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        Map<Integer, TrialRow> byId = new LinkedHashMap<>();
        trials.forEach(t -> byId.put(t.trial(), t));
        int last = rungs.size() - 1;
        List<Double> fullX = new ArrayList<>();
        List<Double> fullY = new ArrayList<>();
        List<Double> earlyX = new ArrayList<>();
        List<Double> earlyY = new ArrayList<>();
        List<Double> bestX = new ArrayList<>();
        List<Double> bestY = new ArrayList<>();
        double best = Double.NaN;
        for (int i = 0; i < finished.size(); i++) {
            TrialRow t = byId.get(finished.get(i));
            if (t == null || t.meanAccuracy() == null) {
                continue;
            }
            double y = 100 * t.meanAccuracy();
            if (t.rung() == last) {
                fullX.add(i + 1.0);
                fullY.add(y);
                best = Double.isNaN(best) ? y : Math.max(best, y);
            } else {
                earlyX.add(i + 1.0);
                earlyY.add(y);
            }
            if (!Double.isNaN(best)) {
                bestX.add(i + 1.0);
                bestY.add(best);
            }
        }
        if (!fullX.isEmpty()) {
            XYSeries s = chart.addSeries("trained to " + rungs.get(last) + " epochs", fullX, fullY);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(WENT_ON);
        }
        if (!earlyX.isEmpty()) {
            XYSeries s = chart.addSeries("stopped earlier (score at its rung)", earlyX, earlyY);
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(STOPPED);
        }
        if (!bestX.isEmpty()) {
            XYSeries s = chart.addSeries("best so far", bestX, bestY);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(BEST);
        }
        return chart;
    }

    static XYChart rungChart(List<TrialRow> trials, List<Integer> rungs) {
        XYChart chart = new XYChartBuilder().width(900).height(520)
                .title("Fold-mean accuracy per rung (each line a trial)")
                .xAxisTitle("epochs").yAxisTitle("accuracy %").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        int last = rungs.size() - 1;
        boolean wentOnShown = false;
        boolean stoppedShown = false;
        for (TrialRow t : trials) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int k = 0; k < t.rungAccuracies().size(); k++) {
                double a = t.rungAccuracies().get(k);
                if (!Double.isNaN(a)) {
                    x.add((double) rungs.get(k));
                    y.add(100 * a);
                }
            }
            if (x.isEmpty()) {
                continue;
            }
            boolean wentOn = rungs.size() > 1 ? t.rung() == last : t.rank() == 1;
            // The legend names each kind once (its first trial), not every trial.
            boolean first = wentOn ? !wentOnShown : !stoppedShown;
            String kind = rungs.size() > 1 ? (wentOn ? "went on to " + rungs.get(last) + " epochs" : "stopped or failed")
                    : (wentOn ? "best" : "others");
            XYSeries s = chart.addSeries(first ? kind + " (trial " + t.trial() + ")" : "trial " + t.trial(), x, y);
            s.setShowInLegend(first);
            s.setMarker(wentOn ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE);
            s.setMarkerColor(wentOn ? WENT_ON : STOPPED);
            s.setLineColor(wentOn ? WENT_ON : STOPPED);
            s.setLineStyle(wentOn ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
            wentOnShown |= wentOn;
            stoppedShown |= !wentOn;
        }
        return chart;
    }

    /**
     * {@code search-pareto.png}: accuracy against cost, one point per compared trial, the Pareto front in colour and
     * joined by a step line (cheapest first), the others in grey.
     *
     * @param costAxis the cost axis's title
     * @param cost     each trial's cost
     * @param accuracy each trial's accuracy (fraction)
     * @param front    whether each trial is on the front
     */
    public static byte[] pareto(String costAxis, double[] cost, double[] accuracy, boolean[] front)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(900).height(520)
                .title("Accuracy against cost (the Pareto front in colour)").xAxisTitle(costAxis)
                .yAxisTitle("accuracy %").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        double lo = java.util.Arrays.stream(cost).min().orElse(0);
        double hi = java.util.Arrays.stream(cost).max().orElse(0);
        chart.getStyler().setXAxisLogarithmic(lo > 0 && hi / lo > 100);
        List<double[]> on = new ArrayList<>();
        List<Double> offX = new ArrayList<>();
        List<Double> offY = new ArrayList<>();
        for (int i = 0; i < cost.length; i++) {
            if (front[i]) {
                on.add(new double[] {cost[i], 100 * accuracy[i]});
            } else {
                offX.add(cost[i]);
                offY.add(100 * accuracy[i]);
            }
        }
        on.sort(java.util.Comparator.comparingDouble((double[] p) -> p[0]).thenComparingDouble(p -> p[1]));
        if (!on.isEmpty()) {
            XYSeries s = chart.addSeries("on the front", on.stream().map(p -> p[0]).toList(),
                    on.stream().map(p -> p[1]).toList());
            s.setXYSeriesRenderStyle(on.size() > 1 ? XYSeries.XYSeriesRenderStyle.Step
                    : XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(BEST);
            s.setLineColor(BEST);
        }
        if (!offX.isEmpty()) {
            XYSeries s = chart.addSeries("dominated", offX, offY);
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(STOPPED);
        }
        return png(chart);
    }

    private static byte[] png(XYChart chart) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
