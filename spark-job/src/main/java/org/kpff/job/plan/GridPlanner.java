package org.kpff.job.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.config.ConfigValidationException;
import org.kpff.job.config.JobConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expands a config into the cells still to run: folds × backbones × fusion methods × hyperparameter points, minus
 * the cells already committed, longest first by the {@link CostModel}.
 */
public final class GridPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(GridPlanner.class);

    private GridPlanner() {
    }

    /** A plain run: the single empty hyperparameter point. */
    public static List<GridCell> plan(JobConfig config, int classes, Set<String> alreadyCommittedIds) {
        return plan(config, classes, List.of(Map.of()), alreadyCommittedIds);
    }

    /**
     * The cells of the grid that are not yet committed, longest first.
     *
     * <p>Order: by {@linkplain CostModel#cost relative cost} descending; ties by point (list order), then backbone
     * and method (config order), then fold. Each point is applied to the config before its cells are made, so a
     * point may change a cell's epochs, input size or width (and so its cost) and its run seed.
     *
     * @param classes             number of classes in the dataset (≥ 2); every cell's {@link
     *                            org.kpff.core.model.CellSpec} is built once here so that a bad point fails before
     *                            any Spark work
     * @param points              hyperparameter points, each a map of config-key overrides (raw or canonical text);
     *                            {@code List.of(Map.of())} is a plain run
     * @param alreadyCommittedIds ids of cells whose results are committed (resume); ids not in the grid are ignored
     * @throws ConfigValidationException listing every bad point key or value, and duplicate points
     * @throws IllegalArgumentException  for no points or fewer than 2 classes
     */
    public static List<GridCell> plan(JobConfig config, int classes, List<Map<String, String>> points,
            Set<String> alreadyCommittedIds) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("GridPlanner: points is empty; a plain run is List.of(Map.of())");
        }
        if (classes < 2) {
            throw new IllegalArgumentException("GridPlanner: classes = " + classes + " must be at least 2");
        }
        List<SortedMap<String, String>> canonical = canonicalPoints(points);
        List<Planned> planned = new ArrayList<>();
        int total = 0;
        for (int p = 0; p < canonical.size(); p++) {
            SortedMap<String, String> point = canonical.get(p);
            JobConfig effective = config.withOverrides(point);
            for (int b = 0; b < effective.backbones().size(); b++) {
                String backbone = effective.backbones().get(b);
                double cost = CostModel.cost(backbone, effective.data().inputSize(), effective.model().width(),
                        effective.train().epochs());
                for (int m = 0; m < effective.methods().size(); m++) {
                    FusionMethod method = effective.methods().get(m);
                    for (int fold = 0; fold < effective.data().folds(); fold++) {
                        GridCell cell = GridCell.of(backbone, method, fold, point, effective.train().seed());
                        cell.toCellSpec(config, classes);
                        total++;
                        if (!alreadyCommittedIds.contains(cell.id())) {
                            planned.add(new Planned(cell, cost, p, b, m));
                        }
                    }
                }
            }
        }
        planned.sort(Comparator.comparingDouble(Planned::cost).reversed()
                .thenComparingInt(Planned::point)
                .thenComparingInt(Planned::backbone)
                .thenComparingInt(Planned::method)
                .thenComparingInt(x -> x.cell().fold()));
        LOG.info("Grid: {} cells ({} points), {} already committed, {} to run", total, canonical.size(),
                total - planned.size(), planned.size());
        return planned.stream().map(Planned::cell).toList();
    }

    private static List<SortedMap<String, String>> canonicalPoints(List<Map<String, String>> points) {
        List<String> errors = new ArrayList<>();
        List<SortedMap<String, String>> out = new ArrayList<>();
        Set<SortedMap<String, String>> seen = new HashSet<>();
        for (int i = 0; i < points.size(); i++) {
            try {
                SortedMap<String, String> p = GridCell.canonicalPoint(points.get(i));
                if (!seen.add(p)) {
                    errors.add("hyperparameter point " + i + " " + p + " repeats an earlier point");
                }
                out.add(p);
            } catch (ConfigValidationException e) {
                for (String err : e.errors()) {
                    errors.add("hyperparameter point " + i + ": " + err);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigValidationException(errors);
        }
        return out;
    }

    private record Planned(GridCell cell, double cost, int point, int backbone, int method) {
    }
}
