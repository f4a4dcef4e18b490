package org.kpff.job.results;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Renders a search's {@code search.md}: what was searched and with what budget, the trials ranked (hyperparameters,
 * rung, fold-mean accuracy ± std in percent, status, epoch-cells), and per rung how many trials entered, went on,
 * stopped or failed.
 */
public final class SearchMarkdown {

    private SearchMarkdown() {
    }

    /**
     * What the search was.
     *
     * @param strategy       grid, random or asha
     * @param network        the backbone and fusion method tuned, e.g. {@code alexnet / kpff}
     * @param folds          folds per trial
     * @param eta            reduction factor (asha)
     * @param rungs          epochs of each rung (one rung for grid and random: the configured epochs)
     * @param epochCells     epoch-cells the search trained
     * @param fullEpochCells epoch-cells of training every trial to the end on every fold
     */
    public record Overview(String strategy, String network, int folds, int eta, List<Integer> rungs, long epochCells,
            long fullEpochCells) {
    }

    /** The Markdown text; {@code ranked} is the trials table sorted by rank. */
    public static String render(Overview o, List<TrialRow> ranked) {
        StringBuilder sb = new StringBuilder("# Hyperparameter search\n\n");
        sb.append(String.format(Locale.ROOT, "Strategy **%s** on %s, %d trials, %d folds each; objective: mean "
                + "validation accuracy over the folds.", o.strategy(), o.network(), ranked.size(), o.folds()));
        if ("asha".equals(o.strategy())) {
            sb.append(" Rungs at epochs ").append(o.rungs()).append(", eta = ").append(o.eta())
                    .append(": a trial goes on when it is in the top 1/eta of its rung.");
        }
        sb.append(String.format(Locale.ROOT, "%n%nEpoch-cells trained: **%d** (training every trial to the end on "
                + "every fold: %d; %.1f %%).%n%n", o.epochCells(), o.fullEpochCells(),
                o.fullEpochCells() == 0 ? 0.0 : 100.0 * o.epochCells() / o.fullEpochCells()));
        if (!ranked.isEmpty() && ranked.get(0).meanAccuracy() != null) {
            TrialRow b = ranked.get(0);
            sb.append(String.format(Locale.ROOT, "Best: trial %d, %s, %s after %d epochs (best.conf).%n%n", b.trial(),
                    b.hp(), pct(b.meanAccuracy(), b.stdAccuracy()), b.epochs()));
        }
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
        if (o.rungs().size() > 1) {
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

    private static String pct(Double mean, Double std) {
        return String.format(Locale.ROOT, "%.2f", 100 * mean)
                + (std == null || std.isNaN() ? "" : String.format(Locale.ROOT, " ± %.2f", 100 * std));
    }
}
