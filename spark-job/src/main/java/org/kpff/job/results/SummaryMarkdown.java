package org.kpff.job.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.kpff.core.fusion.FusionMethod;

/**
 * Renders an {@link Aggregation} as {@code summary.md}: the dataset, Table-1-shaped accuracy tables (rows = methods,
 * columns = backbones in {@link PaperTable1#BACKBONE_ORDER}, cells "mean ± std" in percent) with the paper's Table 1
 * beside them when the dataset looks like UC Merced, then the paired comparisons.
 */
public final class SummaryMarkdown {

    private static final String NONE = "—";
    private static final String UNDEFINED = "undefined";
    private static final String NOT_RECORDED = "not recorded";

    private SummaryMarkdown() {
    }

    /**
     * The Markdown text; one pair of tables per hyperparameter point, one comparison table for all. It opens with
     * the dataset the run trained on; the paper's Table 1 stands beside the final accuracies only when the dataset
     * looks like UC Merced (21 classes), so that nobody compares a run on other data with it.
     *
     * @param dataset what the run trained on; null when run.json does not say (then the paper is left out too)
     */
    public static String render(Aggregation aggregation, DatasetSummary dataset) {
        return render(aggregation, dataset, null);
    }

    /**
     * How many of a run's planned cells the summary holds.
     *
     * @param committed cells committed in the run folder
     * @param planned   cells the run plans in all (its grid)
     */
    public record Coverage(int committed, int planned) {
    }

    /**
     * {@link #render(Aggregation, DatasetSummary)}, saying after the dataset how many of the planned cells are in
     * the summary when some are missing (a partial run: stopped, or cells incomplete).
     *
     * @param coverage the committed and planned cells; null when not known (a search plans as it goes)
     */
    public static String render(Aggregation aggregation, DatasetSummary dataset, Coverage coverage) {
        int k = aggregation.folds();
        boolean withPaper = dataset != null && dataset.looksLikeUcMerced();
        StringBuilder sb = new StringBuilder();
        sb.append("# KPFF cross-validation summary\n\n");
        if (dataset == null) {
            sb.append("Dataset: not recorded in run.json.\n\n");
        } else {
            sb.append("Dataset: `").append(dataset.root()).append("`, ").append(dataset.classes())
                    .append(" classes, ").append(dataset.images()).append(" images.\n");
            if (dataset.synthetic()) {
                sb.append("The images are generated synthetic scenes (`datagen`: submit/local.sh's dataset when "
                        + "neither --data nor data.uri names one), not real photographs: this run shows that the job "
                        + "works, not how well a method classifies scenes.\n");
            }
            sb.append(String.format(Locale.ROOT, "Chance level (guessing among %d classes): %.1f %%.%n%n",
                    dataset.classes(), dataset.chancePercent()));
        }
        if (coverage != null && coverage.committed() < coverage.planned()) {
            sb.append(String.format(Locale.ROOT, "Partial run: %d of %d planned cells are committed; the tables "
                    + "hold only those (\"—\" or (n=…) where folds are missing). `run --resume` trains the rest.%n%n",
                    coverage.committed(), coverage.planned()));
        }
        sb.append("Accuracy on the held-out fold in %, mean ± sample standard deviation over ").append(k)
                .append(" folds; (n=…) marks a group with fewer ok folds, \"failed\" one with none.");
        if (withPaper) {
            sb.append(" \"paper\" is the KPFF paper's Table 1 (UC Merced, 21 classes, five folds, its own protocol): ")
                    .append("comparable only with a run of the same protocol on the same images.\n");
        } else {
            sb.append(" The paper's Table 1 (UC Merced, 21 classes) is left out: ")
                    .append(dataset == null ? "the run's dataset is not known"
                            : "this dataset has " + dataset.classes() + " classes, so it is not UC Merced")
                    .append(" and the numbers are not comparable.\n");
        }

        Map<SortedMap<String, String>, List<SummaryRow>> byPoint = new LinkedHashMap<>();
        for (SummaryRow r : aggregation.summary()) {
            byPoint.computeIfAbsent(r.hp(), x -> new ArrayList<>()).add(r);
        }
        boolean points = byPoint.size() > 1 || byPoint.keySet().stream().anyMatch(p -> !p.isEmpty());
        byPoint.forEach((point, rows) -> {
            String suffix = points ? ", point " + pointText(point) : "";
            sb.append("\n## Final accuracy (%)").append(suffix).append("\n\n");
            table(sb, rows, SummaryRow::meanFinalAccuracy, SummaryRow::stdFinalAccuracy, k, withPaper);
            sb.append("\n## Best accuracy over the evaluations (%)").append(suffix)
                    .append("\n\nChosen on the held-out fold itself, so optimistic.\n\n");
            table(sb, rows, SummaryRow::meanBestAccuracy, SummaryRow::stdBestAccuracy, k, false);
        });

        sb.append("\n## Paired comparisons (final accuracy)\n\n");
        if (aggregation.comparisons().isEmpty()) {
            sb.append("No method has a baseline to compare with.\n");
            return sb.toString();
        }
        sb.append("| Backbone |").append(points ? " Point |" : "").append(" Method | vs | Folds | Δ mean (pp) |")
                .append(" Δ std (pp) | t (corrected) | p (t) | Images | b / c | p (McNemar) | Note |\n");
        sb.append("|---|").append(points ? "---|" : "")
                .append("---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (ComparisonRow c : aggregation.comparisons()) {
            sb.append("| ").append(PaperTable1.displayName(c.backbone())).append(" | ");
            if (points) {
                sb.append(pointText(c.hp())).append(" | ");
            }
            sb.append(PaperTable1.displayName(c.method())).append(" | ").append(PaperTable1.displayName(c.baseline()))
                    .append(" | ").append(c.nFolds()).append(" | ").append(signedPct(c.meanDiff())).append(" | ")
                    .append(pct(c.stdDiff())).append(" | ").append(tCell(c, number(c.tStatistic()))).append(" | ")
                    .append(tCell(c, pValue(c.tPValue()))).append(" | ").append(c.nImages()).append(" | ")
                    .append(c.mcnemarB()).append(" / ").append(c.mcnemarC()).append(" | ")
                    .append(c.mcnemarStatus() == McNemarStatus.NO_IMAGES ? UNDEFINED : pValue(c.mcnemarPValue()))
                    .append(" | ").append(note(c)).append(" |\n");
        }
        sb.append("\nΔ = method − baseline, in percentage points, over the folds where both are ok. ")
                .append("t: Nadeau–Bengio corrected resampled t-test, t = mean / sqrt((1/n + 1/(k−1)) s²) with k = ")
                .append(k).append(", two-sided, n − 1 degrees of freedom. ")
                .append("McNemar: exact two-sided binomial test on the pooled held-out predictions; b = images the ")
                .append("method gets right and the baseline wrong, c = the reverse. ")
                .append("\"undefined\": the test cannot be computed from these results, for the reason in Note ")
                .append("(fewer than ").append(PairedTests.MIN_FOLDS).append(" paired folds; fold differences ")
                .append("that are all equal, so zero variance; no image predicted by both cells); it is no evidence ")
                .append("either way.\n");
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<SummaryRow> rows, ToDoubleFunction<SummaryRow> mean,
            ToDoubleFunction<SummaryRow> std, int k, boolean withPaper) {
        Set<String> backbones = new TreeSet<>(PaperTable1.BACKBONE_ORDER);
        Set<FusionMethod> methods = new TreeSet<>();
        Map<String, SummaryRow> cell = new LinkedHashMap<>();
        for (SummaryRow r : rows) {
            backbones.add(r.backbone());
            methods.add(r.method());
            cell.put(r.backbone() + "/" + r.method(), r);
        }
        sb.append("| Method |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String b : backbones) {
            sb.append(' ').append(PaperTable1.displayName(b)).append(" |");
            rule.append("---:|");
            if (withPaper) {
                sb.append(" paper |");
                rule.append("---:|");
            }
        }
        sb.append('\n').append(rule).append('\n');
        for (FusionMethod m : methods) {
            sb.append("| ").append(PaperTable1.displayName(m)).append(" |");
            for (String b : backbones) {
                SummaryRow r = cell.get(b + "/" + m);
                sb.append(' ').append(r == null ? NONE : meanStd(mean.applyAsDouble(r), std.applyAsDouble(r),
                        r.nFolds(), k)).append(" |");
                if (withPaper) {
                    OptionalDouble p = PaperTable1.accuracyPercent(m, b);
                    sb.append(' ').append(p.isPresent() ? String.format(Locale.ROOT, "%.2f", p.getAsDouble()) : NONE)
                            .append(" |");
                }
            }
            sb.append('\n');
        }
    }

    /** The t statistic or its p-value, or "undefined" when the t-test is not defined. */
    private static String tCell(ComparisonRow c, String value) {
        return c.tStatus() == TTestStatus.OK ? value : UNDEFINED;
    }

    /** The reasons of a comparison's undefined or uninformative tests; empty when both are defined. */
    static String note(ComparisonRow c) {
        List<String> notes = new ArrayList<>();
        if (c.tStatus() != TTestStatus.OK) {
            notes.add(c.tStatus().reason(c.nFolds(), c.meanDiff()));
        }
        if (c.mcnemarStatus() != McNemarStatus.OK) {
            notes.add(c.mcnemarStatus().reason());
        }
        return String.join("; ", notes);
    }

    /** "91.90 ± 0.85" in percent; "(n=3)" when fewer than k folds; "failed" for none. */
    static String meanStd(double mean, double std, int n, int k) {
        if (n == 0) {
            return "failed";
        }
        String s = pct(mean) + (Double.isNaN(std) ? "" : " ± " + pct(std));
        return n < k ? s + " (n=" + n + ")" : s;
    }

    private static String pct(double fraction) {
        return Double.isNaN(fraction) ? NONE : String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    /**
     * A closing section saying what the cells ran on: the cells per compute engine and per device, "not recorded"
     * for cells written before those columns existed (output schema version 1). Empty without cells.
     */
    public static String provenance(List<CellResult> cells) {
        if (cells.isEmpty()) {
            return "";
        }
        return "\n## Compute\n\nEngine: " + counted(cells, CellResult::engine) + ". Device: "
                + counted(cells, CellResult::device) + ".\n";
    }

    private static String counted(List<CellResult> cells, java.util.function.Function<CellResult, String> column) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (CellResult c : cells) {
            String v = column.apply(c);
            counts.merge(v == null ? NOT_RECORDED : v, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((v, n) -> parts.add(v + " (" + n + (n == 1 ? " cell)" : " cells)")));
        return String.join(", ", parts);
    }

    private static String signedPct(double fraction) {
        return Double.isNaN(fraction) ? NONE : String.format(Locale.ROOT, "%+.2f", 100 * fraction);
    }

    private static String number(double x) {
        if (Double.isNaN(x)) {
            return NONE;
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "+inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%.2f", x);
    }

    private static String pValue(double p) {
        if (Double.isNaN(p)) {
            return NONE;
        }
        return p < 0.001 ? "<0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    private static String pointText(SortedMap<String, String> point) {
        if (point.isEmpty()) {
            return "(defaults)";
        }
        List<String> parts = new ArrayList<>();
        point.forEach((key, v) -> parts.add(key + "=" + v));
        return String.join(", ", parts);
    }
}
