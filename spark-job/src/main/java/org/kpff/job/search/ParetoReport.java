package org.kpff.job.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.kpff.core.model.ModelCost;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchCostKind;
import org.kpff.job.results.CellResult;

/**
 * Accuracy against cost for {@code search.md}: the {@link ParetoFront} of the search over all folds.
 *
 * <p><b>Which trials are compared.</b> Trials are compared at one rung only, so that every accuracy is after the
 * same epochs: the highest rung at which at least two trials have a fold-mean (all of them for grid, random and tpe
 * without rungs, which have one rung; for asha and BOHB the last rung once two trials reach it, else the highest
 * rung below with two). Each trial scored there enters with its fold-mean accuracy at that rung; trials stopped or
 * failed before it are left out (their accuracy is after fewer epochs). With one scored trial in all, the front is
 * that trial.
 *
 * <p><b>Cost</b> ({@code search.cost}): {@code flops}, the forward FLOPs per image of the trial's network
 * ({@link ModelCost}, the counter behind {@code plan}; deterministic, and the same for trials whose point does not
 * change the network's shape), or {@code seconds}, the training seconds of the trial's cells up to that rung
 * ({@code train_seconds}, summed over folds and rungs: measured, so it varies with the machine and its load).
 */
public record ParetoReport(SearchCostKind kind, int rung, int epochs, List<Row> rows, int left) {

    /**
     * One compared trial.
     *
     * @param trial    trial id
     * @param hp       its point
     * @param accuracy fold-mean accuracy at the compared rung
     * @param cost     forward FLOPs per image, or training seconds
     * @param onFront  whether no other compared trial dominates it
     */
    public record Row(int trial, SortedMap<String, String> hp, double accuracy, double cost, boolean onFront) {
    }

    /** Copies the list. */
    public ParetoReport {
        rows = List.copyOf(rows);
    }

    /**
     * The front of a study's trials.
     *
     * @param cv         the search over all folds
     * @param cellConfig the config its cells are built from (without the search section)
     * @param classes    number of classes
     * @param cells      every committed cell by id (for {@code seconds})
     * @param kind       the cost
     * @return empty when no trial has a fold-mean
     */
    static java.util.Optional<ParetoReport> of(SearchStudy cv, JobConfig cellConfig, int classes,
            Map<String, CellResult> cells, SearchCostKind kind) {
        SearchScheduler s = cv.scheduler();
        int trials = cv.points().size();
        int rung = -1;
        int fallback = -1;
        for (int k = s.rungs() - 1; k >= 0 && rung < 0; k--) {
            int scored = 0;
            for (int t = 0; t < trials; t++) {
                scored += Double.isNaN(s.foldMean(t, k)) ? 0 : 1;
            }
            rung = scored >= 2 ? k : -1;
            fallback = fallback < 0 && scored == 1 ? k : fallback;
        }
        rung = rung < 0 ? fallback : rung;
        if (rung < 0) {
            return java.util.Optional.empty();
        }
        List<Integer> compared = new ArrayList<>();
        List<Double> cost = new ArrayList<>();
        int left = 0;
        for (int t = 0; t < trials; t++) {
            if (Double.isNaN(s.foldMean(t, rung))) {
                left += s.rungScored(t) >= 0 ? 1 : 0;
                continue;
            }
            double c = kind == SearchCostKind.FLOPS ? flops(cv, t, rung, cellConfig, classes)
                    : seconds(cv, t, rung, cells);
            if (Double.isNaN(c)) {
                left++;
                continue;
            }
            compared.add(t);
            cost.add(c);
        }
        int r = rung;
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < compared.size(); i++) {
            idx.add(i);
        }
        Set<Integer> front = new HashSet<>(ParetoFront.of(idx, i -> s.foldMean(compared.get(i), r), cost::get));
        List<Row> rows = new ArrayList<>();
        for (int i : idx) {
            int t = compared.get(i);
            rows.add(new Row(t, cv.points().get(t), s.foldMean(t, r), cost.get(i), front.contains(i)));
        }
        rows.sort(Comparator.comparingDouble(Row::cost).thenComparingDouble(x -> -x.accuracy())
                .thenComparingInt(Row::trial));
        return java.util.Optional.of(new ParetoReport(kind, rung, cv.epochs(compared.get(0), rung), rows, left));
    }

    private static double flops(SearchStudy cv, int trial, int rung, JobConfig cellConfig, int classes) {
        return ModelCost.of(cv.cell(new Segment(trial, rung, 0)).toCellSpec(cellConfig, classes)).forwardFlops();
    }

    /** Training seconds of the trial's cells at rungs 0 .. rung on every fold; NaN when one is not committed. */
    private static double seconds(SearchStudy cv, int trial, int rung, Map<String, CellResult> cells) {
        double sum = 0;
        for (int k = 0; k <= rung; k++) {
            for (int f = 0; f < cv.folds().size(); f++) {
                CellResult c = cells.get(cv.cell(new Segment(trial, k, f)).id());
                if (c == null) {
                    return Double.NaN;
                }
                sum += c.trainSeconds();
            }
        }
        return sum;
    }

    /** The trials on the front, cheapest first. */
    public List<Row> front() {
        return rows.stream().filter(Row::onFront).toList();
    }

    /** The cost of a row as search.md shows it. */
    public String costText(double c) {
        return kind == SearchCostKind.FLOPS ? String.format(Locale.ROOT, "%.4g MFLOPs", c / 1e6)
                : String.format(Locale.ROOT, "%.2f s", c);
    }

    /** A cost in the plot's unit (MFLOPs or seconds). */
    public double plotCost(double c) {
        return kind == SearchCostKind.FLOPS ? c / 1e6 : c;
    }

    /** The axis title of the plot. */
    public String costAxis() {
        return kind == SearchCostKind.FLOPS ? "forward MFLOPs per image" : "training seconds (all folds)";
    }

    /** search.md's section: what is compared, the table, and the plot. */
    public String markdown(String plotName) {
        StringBuilder sb = new StringBuilder("\n## Accuracy against cost\n\n");
        sb.append(String.format(Locale.ROOT, "The Pareto front of the %d trials scored at rung %d (%d epochs): "
                + "accuracy is the fold-mean validation accuracy there, cost is %s. A trial is on the front when no "
                + "other is at least as accurate and at most as costly, and strictly better in one. The winner "
                + "(best.conf) is still the most accurate trial; the front shows what a cheaper one gives up.",
                rows.size(), rung, epochs, kind == SearchCostKind.FLOPS ? "the forward FLOPs per image of the "
                        + "trial's network (search.cost = flops, plan's cost model)" : "the measured training "
                        + "seconds of the trial's cells up to that rung, summed over folds (search.cost = seconds; "
                        + "they vary with the machine and its load)"));
        if (left > 0) {
            sb.append(String.format(Locale.ROOT, " %d trial(s) scored only at lower rungs are not compared.", left));
        }
        if (rows.size() > 1 && rows.stream().mapToDouble(Row::cost).distinct().count() == 1) {
            sb.append(kind == SearchCostKind.FLOPS ? " Every compared trial has the same FLOPs (the space does not "
                    + "change the network's shape), so the front is the most accurate; search.cost = seconds "
                    + "compares their training time." : " Every compared trial has the same cost.");
        }
        sb.append("\n\n| trial | point | accuracy % | cost | on front |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.trial()).append(" | ").append(r.hp()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.2f", 100 * r.accuracy())).append(" | ")
                    .append(costText(r.cost())).append(" | ").append(r.onFront() ? "yes" : "no").append(" |\n");
        }
        sb.append("\n![Accuracy against cost](").append(plotName).append(")\n");
        return sb.toString();
    }
}
