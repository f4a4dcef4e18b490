package org.kpff.job.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import org.kpff.core.model.ModelCost;
import org.kpff.core.model.CellSpec;
import org.kpff.job.config.JobConfig;

/**
 * What a planned grid costs before it runs: parameters and forward FLOPs per image of each model (from its layer
 * shapes), FLOPs per cell (training images × epochs × forward+backward, plus the held-out evaluations), and a
 * projected wall time for a sustained throughput per slot and a number of slots (longest-first list scheduling).
 *
 * @param models     cost per distinct model, keyed {@code backbone/method}
 * @param cellFlops  FLOPs per planned cell, in plan order
 * @param totalFlops sum of all cells
 * @param cellIds    the planned cell ids, in plan order
 * @param cellGroups each planned cell's {@code backbone/method}, in plan order
 */
public record GridCostReport(Map<String, ModelCost> models, List<Double> cellFlops, double totalFlops,
        List<String> cellIds, List<String> cellGroups) {

    /**
     * Costs the cells of a plan.
     *
     * @param images total usable images of the dataset
     * @param classes number of classes
     */
    public static GridCostReport of(JobConfig config, List<GridCell> cells, int images, int classes) {
        Map<String, ModelCost> models = new LinkedHashMap<>();
        List<Double> flops = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        int k = config.data().folds();
        double testImages = (double) images / k;
        double trainImages = images - testImages;
        double total = 0;
        for (GridCell cell : cells) {
            CellSpec spec = cell.toCellSpec(config, classes);
            String key = spec.backbone() + "/" + spec.method().id() + "@" + spec.inputSize() + "x" + spec.width()
                    + "r" + spec.projectionWidth();
            ModelCost cost = models.computeIfAbsent(key, x -> ModelCost.of(spec));
            double f = trainImages * spec.epochs() * cost.trainingFlopsPerImage()
                    + testImages * spec.evaluationCount() * (double) cost.forwardFlops()
                    + testImages * cost.forwardFlops();
            flops.add(f);
            ids.add(cell.id());
            groups.add(cell.backbone() + "/" + cell.method().id());
            total += f;
        }
        return new GridCostReport(models, flops, total, ids, groups);
    }

    /** Projected wall seconds on {@code slots} slots each sustaining {@code tflops} TFLOP/s (longest first). */
    public double projectedSeconds(double tflops, int slots) {
        if (!(tflops > 0) || slots < 1) {
            throw new IllegalArgumentException("Projection needs tflops > 0 and slots >= 1; got tflops = " + tflops
                    + ", slots = " + slots + ".");
        }
        List<Double> sorted = new ArrayList<>(cellFlops);
        sorted.sort((a, b) -> Double.compare(b, a));
        PriorityQueue<Double> finish = new PriorityQueue<>();
        for (int i = 0; i < slots; i++) {
            finish.add(0.0);
        }
        double makespan = 0;
        for (double f : sorted) {
            double end = finish.poll() + f / (tflops * 1e12);
            finish.add(end);
            makespan = Math.max(makespan, end);
        }
        return makespan;
    }

    /**
     * A plain-text report for the {@code plan} subcommand: the totals and the projection first, then the cells
     * grouped by backbone × method, then the models; with {@code everyCell}, every cell's line last.
     */
    public String toText(double tflops, int slots, boolean everyCell) {
        StringBuilder sb = new StringBuilder();
        double seconds = cellIds.isEmpty() ? 0 : projectedSeconds(tflops, slots);
        // One FLOP unit for the whole report, chosen so that the total reads as a number >= 1.
        double unit = totalFlops >= 1e15 ? 1e15 : totalFlops >= 1e12 ? 1e12 : 1e9;
        String flopsUnit = unit == 1e15 ? "PFLOPs" : unit == 1e12 ? "TFLOPs" : "GFLOPs";
        sb.append(String.format(Locale.ROOT, "%d cells, %.3f %s in total (training = 3 x forward).%n",
                cellIds.size(), totalFlops / unit, flopsUnit));
        sb.append(String.format(Locale.ROOT,
                "Projected wall time at %.1f sustained TFLOP/s per slot on %d slot(s): %s (%.2f GPU-hours).%n",
                tflops, slots, seconds >= 3600 ? String.format(Locale.ROOT, "%.2f h", seconds / 3600)
                        : String.format(Locale.ROOT, "%.1f s", seconds), totalFlops / (tflops * 1e12) / 3600));

        Map<String, List<Double>> byGroup = new LinkedHashMap<>();
        for (int i = 0; i < cellIds.size(); i++) {
            byGroup.computeIfAbsent(cellGroups.get(i), g -> new ArrayList<>()).add(cellFlops.get(i));
        }
        sb.append(String.format(Locale.ROOT, "%nCells by backbone/method (one cell per fold and hyperparameter "
                + "point):%n%-24s %6s %16s %12s%n", "backbone/method", "cells", flopsUnit + " per cell", flopsUnit));
        for (Map.Entry<String, List<Double>> e : byGroup.entrySet()) {
            double min = e.getValue().stream().mapToDouble(Double::doubleValue).min().orElse(0) / unit;
            double max = e.getValue().stream().mapToDouble(Double::doubleValue).max().orElse(0) / unit;
            double sum = e.getValue().stream().mapToDouble(Double::doubleValue).sum() / unit;
            String perCell = max - min <= 5e-4 * Math.max(1e-12, max) ? String.format(Locale.ROOT, "%.3f", max)
                    : String.format(Locale.ROOT, "%.3f-%.3f", min, max);
            sb.append(String.format(Locale.ROOT, "%-24s %6d %16s %12.3f%n", e.getKey(), e.getValue().size(), perCell,
                    sum));
        }

        sb.append(String.format(Locale.ROOT, "%nModels, named <backbone>/<method>@<input>x<width>r<r>: input size "
                + "in pixels,%nwidth multiplier, projection width r (the fused features' width per source):%n"));
        sb.append(String.format(Locale.ROOT, "%-40s %14s %16s%n", "model", "parameters", "GFLOPs/image fwd"));
        for (Map.Entry<String, ModelCost> e : models.entrySet()) {
            sb.append(String.format(Locale.ROOT, "%-40s %,14d %16.3f%n", e.getKey(), e.getValue().parameters(),
                    e.getValue().forwardFlops() / 1e9));
        }
        if (everyCell) {
            sb.append(String.format(Locale.ROOT, "%nEvery cell, id <backbone>-<method>-f<held-out fold>-<8 hex of the "
                    + "hyperparameter point's hash> (the same hash for every cell of a plain run):%n%-48s %14s%n",
                    "cell", flopsUnit));
            for (int i = 0; i < cellIds.size(); i++) {
                sb.append(String.format(Locale.ROOT, "%-48s %14.3f%n", cellIds.get(i), cellFlops.get(i) / unit));
            }
        } else {
            sb.append(String.format(Locale.ROOT, "%nPass --cells to list every cell (id <backbone>-<method>-f<fold>-"
                    + "<8 hex of the hyperparameter point's hash>).%n"));
        }
        return sb.toString();
    }
}
