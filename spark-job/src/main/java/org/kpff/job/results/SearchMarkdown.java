package org.kpff.job.results;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Renders a search's {@code search.md}: first what its number means (a nested search leads with its nested estimate,
 * the non-nested selection score and their difference, the optimism; a search that is not nested says its score is
 * optimistic), then warnings, what was searched and with what budget, per outer fold the winner, the trials ranked
 * (hyperparameters, rung, fold-mean ± std in percent, status, epoch-cells), and per rung how many trials entered,
 * went on, stopped or failed.
 */
public final class SearchMarkdown {

    private SearchMarkdown() {
    }

    /**
     * What the search was.
     *
     * @param strategy       grid, random, asha or tpe
     * @param network        the backbone and fusion method tuned, e.g. {@code alexnet / kpff}
     * @param folds          folds per trial of the search over all folds
     * @param eta            reduction factor (asha)
     * @param rungs          epochs of each rung (one rung for grid and random: the configured epochs)
     * @param epochCells     epoch-cells the search trained (inner searches and refits included)
     * @param fullEpochCells epoch-cells of training every trial of every study to the end on every fold
     * @param objective      what a cell's score is, in words
     * @param nested         whether the search is nested
     * @param pruning        what fold-level pruning did, as sentences; null when it is off
     * @param budget         what search.budget allowed, as sentences; null when there is none
     * @param brackets       one line per Hyperband bracket; empty with one bracket
     */
    public record Overview(String strategy, String network, int folds, int eta, List<Integer> rungs, long epochCells,
            long fullEpochCells, String objective, boolean nested, String pruning, String budget,
            List<String> brackets) {

        /** Copies the lines. */
        public Overview {
            brackets = List.copyOf(brackets);
        }

        /** An overview without a budget or brackets. */
        public Overview(String strategy, String network, int folds, int eta, List<Integer> rungs, long epochCells,
                long fullEpochCells, String objective, boolean nested, String pruning) {
            this(strategy, network, folds, eta, rungs, epochCells, fullEpochCells, objective, nested, pruning, null,
                    List.of());
        }
    }

    /**
     * A nested search's estimate: the mean and sample std of the outer accuracies that exist.
     *
     * @param rows one row per outer fold
     */
    public record NestedEstimate(List<NestedRow> rows) {

        /** Copies the rows. */
        public NestedEstimate {
            rows = List.copyOf(rows);
        }

        /** Mean, sample std and count of the outer accuracies (folds whose refit has not run ok are left out). */
        public SampleStats stats() {
            return SampleStats.of(rows.stream().filter(r -> r.outerAccuracy() != null)
                    .mapToDouble(NestedRow::outerAccuracy).toArray());
        }
    }

    /**
     * The Markdown text.
     *
     * @param ranked   the trials of the search over all folds, sorted by rank
     * @param nested   the nested estimate, or null when the search is not nested
     * @param warnings sentences to show before the tables (e.g. noisy rungs)
     */
    public static String render(Overview o, List<TrialRow> ranked, NestedEstimate nested, List<String> warnings) {
        StringBuilder sb = new StringBuilder("# Hyperparameter search\n\n");
        TrialRow best = !ranked.isEmpty() && ranked.get(0).meanAccuracy() != null ? ranked.get(0) : null;
        if (nested != null) {
            SampleStats s = nested.stats();
            sb.append(String.format(Locale.ROOT, "**Nested estimate: %s %%** over %d of %d outer folds: for each outer "
                    + "fold, the search ran on the other folds only, its winner was refit on them and tested once on "
                    + "the outer fold, which no selection decision saw.%n%n", pct(s.mean(), s.std()), s.n(),
                    nested.rows().size()));
            if (best != null) {
                sb.append(String.format(Locale.ROOT, "Non-nested selection score: %s %% (the best trial of the search "
                        + "over all folds, chosen and scored on the same folds). Optimism of selecting on the test "
                        + "folds: %s points (non-nested minus nested).%n%n", pct(best.meanAccuracy(),
                        best.stdAccuracy()), s.n() == 0 ? "—"
                        : String.format(Locale.ROOT, "%+.2f", 100 * (best.meanAccuracy() - s.mean()))));
                sb.append("A refit draws the seed of the search's own cell on its outer fold (seeds do not depend on "
                        + "the point), so the optimism measures the selection alone: an outer fold that chose the "
                        + "search's best point scores exactly that point's cell on the fold.\n\n");
            }
        } else if (best != null) {
            sb.append("This search is not nested: its best score is the maximum over trials of noisy estimates, "
                    + "chosen on the same folds it is reported on, so it is optimistic. Set search.nested = true for "
                    + "an estimate that never selects on its test folds.\n\n");
        }
        for (String w : warnings) {
            sb.append("**Warning:** ").append(w).append("\n\n");
        }
        sb.append(String.format(Locale.ROOT, "Strategy **%s** on %s, %d trials, %d folds each; objective: the mean "
                + "over the folds of the %s.", o.strategy(), o.network(), ranked.size(), o.folds(), o.objective()));
        if ("tpe".equals(o.strategy())) {
            sb.append(o.rungs().size() > 1 ? " After the start-up trials, each trial's point was proposed by BOHB "
                    + "(TPE over the scores of the highest rung with enough of them; a third drawn at random)."
                    : " After the start-up trials, each trial's point was proposed by TPE from the finished trials' "
                    + "scores.");
        }
        if (o.brackets().size() > 1) {
            sb.append(" ").append(o.brackets().size()).append(" Hyperband brackets, bracket b starting at rung b.");
        }
        if (o.rungs().size() > 1) {
            sb.append(" Rungs at epochs ").append(o.rungs()).append(", eta = ").append(o.eta())
                    .append(": a trial goes on when it is in the top 1/eta of its rung.");
        }
        sb.append(String.format(Locale.ROOT, "%n%nEpoch-cells trained: **%d** (training every trial to the end on "
                + "every fold: %d; %.1f %%).%n%n", o.epochCells(), o.fullEpochCells(),
                o.fullEpochCells() == 0 ? 0.0 : 100.0 * o.epochCells() / o.fullEpochCells()));
        if (o.pruning() != null) {
            sb.append(o.pruning()).append("\n\n");
        }
        if (o.budget() != null) {
            sb.append(o.budget()).append("\n\n");
        }
        if (!o.brackets().isEmpty()) {
            sb.append("Hyperband brackets (trials dealt in Hyperband's proportions; bracket b starts at rung b; the "
                    + "winner is the trial scored at the highest rung, then the best score):\n\n");
            o.brackets().forEach(line -> sb.append("- ").append(line).append("\n"));
            sb.append("\n");
        }
        if (best != null) {
            sb.append(String.format(Locale.ROOT, "Best: trial %d, %s, %s %% after %d epochs (best.conf).%n%n",
                    best.trial(), best.hp(), pct(best.meanAccuracy(), best.stdAccuracy()), best.epochs()));
        }
        if (nested != null) {
            sb.append("| outer fold | trial | point | inner score % | epochs | outer accuracy % |\n"
                    + "|---|---|---|---|---|---|\n");
            for (NestedRow r : nested.rows()) {
                sb.append("| ").append(r.outerFold()).append(" | ").append(r.trial() == null ? "—" : r.trial())
                        .append(" | ").append(r.trial() == null ? "—" : r.hp()).append(" | ")
                        .append(r.innerScore() == null ? "—" : pct(r.innerScore(), null)).append(" | ")
                        .append(r.epochs() == null ? "—" : r.epochs()).append(" | ")
                        .append(r.outerAccuracy() == null ? "—" : pct(r.outerAccuracy(), null)).append(" |\n");
            }
            long winners = nested.rows().stream().filter(r -> r.trial() != null).map(NestedRow::trial).distinct()
                    .count();
            sb.append(String.format(Locale.ROOT, "%nThe outer folds chose %d distinct trial(s)%s.%n%n", winners,
                    winners > 1 ? ": the winner depends on the data it was chosen on" : ""));
        }
        trialsTable(sb, ranked);
        if (o.rungs().size() > 1 && o.brackets().isEmpty()) {
            // With brackets a trial may start above rung 0: the per-bracket lines above count them instead.
            sb.append("\n| rung | epochs | entered | promoted | stopped | failed |\n|---|---|---|---|---|---|\n");
            for (int k = 0; k < o.rungs().size(); k++) {
                int rung = k;
                long entered = ranked.stream().filter(r -> r.rung() >= rung).count();
                long promoted = ranked.stream().filter(r -> r.rung() > rung).count();
                long stopped = ranked.stream().filter(r -> r.rung() == rung && r.status().equals("stopped")).count();
                long failed = ranked.stream().filter(r -> r.rung() == rung && r.status().equals("failed")).count();
                sb.append("| ").append(k).append(" | ").append(o.rungs().get(k)).append(" | ").append(entered)
                        .append(" | ").append(promoted).append(" | ").append(stopped).append(" | ").append(failed)
                        .append(" |\n");
            }
        }
        return sb.toString();
    }

    private static void trialsTable(StringBuilder sb, List<TrialRow> ranked) {
        TreeSet<String> keys = new TreeSet<>();
        ranked.forEach(r -> keys.addAll(r.hp().keySet()));
        sb.append("| rank | trial |");
        keys.forEach(k -> sb.append(" `").append(k).append("` |"));
        sb.append(" rung | epochs | accuracy % | status | epoch-cells |\n|---|---|");
        keys.forEach(k -> sb.append("---|"));
        sb.append("---|---|---|---|---|\n");
        for (TrialRow r : ranked) {
            sb.append("| ").append(r.rank()).append(" | ").append(r.trial()).append(" |");
            keys.forEach(k -> sb.append(' ').append(r.hp().getOrDefault(k, "")).append(" |"));
            sb.append(' ').append(r.rung()).append(" | ").append(r.epochs()).append(" | ")
                    .append(r.meanAccuracy() == null ? "—" : pct(r.meanAccuracy(), r.stdAccuracy())).append(" | ")
                    .append(r.status()).append(r.reason() == null ? "" : ": " + r.reason().replace("|", "\\|"))
                    .append(" | ").append(r.epochCells()).append(" |\n");
        }
    }

    private static String pct(Double mean, Double std) {
        if (mean == null || mean.isNaN()) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f", 100 * mean)
                + (std == null || std.isNaN() ? "" : String.format(Locale.ROOT, " ± %.2f", 100 * std));
    }
}
