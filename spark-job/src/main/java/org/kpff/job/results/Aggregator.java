package org.kpff.job.results;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.config.ConfigKeys;

/**
 * Aggregates committed cells into the summary (mean ± sample std over folds) and the paired comparisons; pure Java,
 * no Spark.
 *
 * <p>Groups are backbone × fusion method × hyperparameter point. Only ok cells count; a group whose cells all failed
 * still gets a summary row, with {@code n_folds = 0} and NaN statistics, so failures stay visible. Comparisons pair
 * each method with every baseline among none, add and concat that comes earlier in that order (kpff against all
 * three, concat against none and add, add against none), within a backbone and point, over the folds where both
 * cells are ok, on the final accuracy (the best accuracy is chosen on the test fold and so unfit for a test). See
 * {@link SampleStats} and {@link PairedTests} for NaN and edge-case behaviour.
 */
public final class Aggregator {

    private static final List<FusionMethod> BASELINES = List.of(FusionMethod.NONE, FusionMethod.ADD,
            FusionMethod.CONCAT);

    private Aggregator() {
    }

    /**
     * The summary and comparisons of a run.
     *
     * @param cells       the {@code cells/} rows (ok and failed)
     * @param predictions the {@code predictions/} rows, for McNemar's test; may be empty (then McNemar is NaN)
     * @param folds       k, the run's number of folds (≥ 2); the t-test uses ρ = 1 / (k − 1)
     * @throws IllegalArgumentException for two ok cells of one group on one fold, two predictions of one cell for
     *                                  one image, or images whose labels differ between two cells
     */
    public static Aggregation aggregate(List<CellResult> cells, List<ImagePrediction> predictions, int folds) {
        if (folds < 2) {
            throw new IllegalArgumentException("Aggregator: folds = " + folds + " must be at least 2");
        }
        Map<Group, Map<Integer, CellResult>> groups = new TreeMap<>(Group.ORDER);
        for (CellResult r : cells) {
            Group g = new Group(r.cell().backbone(), r.cell().hp(), r.cell().method());
            Map<Integer, CellResult> byFold = groups.computeIfAbsent(g, x -> new TreeMap<>());
            if (r.ok()) {
                CellResult previous = byFold.put(r.cell().fold(), r);
                if (previous != null) {
                    throw new IllegalArgumentException("Aggregator: two ok results for " + g + " fold "
                            + r.cell().fold() + ": " + previous.cell().cellId() + " and " + r.cell().cellId());
                }
            }
        }
        Map<String, Map<String, ImagePrediction>> byCell = new HashMap<>();
        for (ImagePrediction p : predictions) {
            if (byCell.computeIfAbsent(p.cell().cellId(), x -> new HashMap<>()).put(p.image(), p) != null) {
                throw new IllegalArgumentException("Aggregator: two predictions of cell " + p.cell().cellId()
                        + " for image " + p.image());
            }
        }

        List<SummaryRow> summary = new ArrayList<>();
        groups.forEach((g, byFold) -> {
            SampleStats fin = SampleStats.of(byFold.values().stream().mapToDouble(CellResult::finalAccuracy).toArray());
            SampleStats best = SampleStats.of(byFold.values().stream().mapToDouble(CellResult::bestAccuracy).toArray());
            summary.add(new SummaryRow(g.backbone(), g.method(), g.hp(), fin.n(), fin.mean(), fin.std(), best.mean(),
                    best.std()));
        });

        List<ComparisonRow> comparisons = new ArrayList<>();
        double rho = 1.0 / (folds - 1);
        groups.forEach((g, byFold) -> {
            for (FusionMethod baseline : BASELINES) {
                if (baseline.ordinal() >= g.method().ordinal()) {
                    continue;
                }
                Map<Integer, CellResult> base = groups.get(new Group(g.backbone(), g.hp(), baseline));
                if (base != null) {
                    comparisons.add(compare(g, baseline, byFold, base, byCell, rho));
                }
            }
        });
        return new Aggregation(folds, summary, comparisons);
    }

    private static ComparisonRow compare(Group g, FusionMethod baseline, Map<Integer, CellResult> method,
            Map<Integer, CellResult> base, Map<String, Map<String, ImagePrediction>> byCell, double rho) {
        List<Double> diffs = new ArrayList<>();
        long images = 0;
        long b = 0;
        long c = 0;
        for (Map.Entry<Integer, CellResult> e : method.entrySet()) {
            CellResult other = base.get(e.getKey());
            if (other == null) {
                continue;
            }
            diffs.add(e.getValue().finalAccuracy() - other.finalAccuracy());
            Map<String, ImagePrediction> pm = byCell.getOrDefault(e.getValue().cell().cellId(), Map.of());
            Map<String, ImagePrediction> pb = byCell.getOrDefault(other.cell().cellId(), Map.of());
            for (ImagePrediction x : pm.values()) {
                ImagePrediction y = pb.get(x.image());
                if (y == null) {
                    continue;
                }
                if (!x.label().equals(y.label())) {
                    throw new IllegalArgumentException("Aggregator: image " + x.image() + " has label " + x.label()
                            + " in cell " + x.cell().cellId() + " but " + y.label() + " in cell " + y.cell().cellId());
                }
                images++;
                if (x.correct() && !y.correct()) {
                    b++;
                } else if (!x.correct() && y.correct()) {
                    c++;
                }
            }
        }
        double[] d = diffs.stream().mapToDouble(Double::doubleValue).toArray();
        SampleStats s = SampleStats.of(d);
        PairedTests.TTest t = PairedTests.correctedResampledTTest(d, rho);
        double mcnemar = images == 0 ? Double.NaN : PairedTests.mcNemarExactP(b, c);
        return new ComparisonRow(g.backbone(), g.method(), baseline, g.hp(), s.n(), s.mean(), s.std(),
                t.statistic(), t.pValue(), images, b, c, mcnemar, t.status(), McNemarStatus.of(images, b, c));
    }

    /** A summary group; ordered by backbone (paper order, then by name), point (by text), method (enum order). */
    private record Group(String backbone, SortedMap<String, String> hp, FusionMethod method) {
        static final Comparator<Group> ORDER = Comparator.comparing(Group::backbone, Aggregator::compareBackbones)
                .thenComparing(g -> g.hp().toString())
                .thenComparing(Group::method);
    }

    /** Backbones in the paper's order (alexnet, vgg16, inception), unknown ones after them by name. */
    static int compareBackbones(String a, String b) {
        int ia = ConfigKeys.BACKBONES.indexOf(a);
        int ib = ConfigKeys.BACKBONES.indexOf(b);
        ia = ia < 0 ? Integer.MAX_VALUE : ia;
        ib = ib < 0 ? Integer.MAX_VALUE : ib;
        return ia != ib ? Integer.compare(ia, ib) : a.compareTo(b);
    }
}
