package org.kpff.job.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.kpff.job.config.ConfigKeys;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchCostKind;
import org.kpff.job.driver.OpenedRun;
import org.kpff.job.results.NestedRow;
import org.kpff.job.results.ResultSchemas;
import org.kpff.job.results.SampleStats;
import org.kpff.job.results.SearchMarkdown;
import org.kpff.job.results.SearchPlots;
import org.kpff.job.results.TrialRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what a search adds to its run folder at the end of an attempt: {@code trials/} (every study's trials),
 * {@code nested.parquet} (nested only), {@code search.md} with its plots ({@link SearchPlots}) and its accuracy
 * against cost ({@link ParetoReport}, {@code search-pareto.png}) and {@code best.conf},
 * and logs the noisy-rung warnings.
 */
final class SearchOutputs {

    private static final Logger LOG = LoggerFactory.getLogger(SearchOutputs.class);
    /** The accuracy-against-cost plot beside search.md. */
    static final String PARETO_PLOT = "search-pareto.png";

    private SearchOutputs() {
    }

    /** Writes the outputs and returns the report (without the executor's cell counts). */
    static SearchReport write(SearchSource source, OpenedRun run) throws IOException {
        SearchConfig search = source.search();
        List<SearchStudy> studies = source.studies();
        SearchStudy cv = studies.get(0);
        List<TrialRow> ranked = cv.rows();
        List<TrialRow> all = new ArrayList<>(ranked);
        long epochCells = source.refitEpochCells();
        long full = 0;
        long saved = 0;
        int unfinished = source.refitsMissing();
        for (SearchStudy st : studies) {
            if (st.outer() != null) {
                all.addAll(st.rows());
            }
            epochCells += EpochCells.of(st.scheduler(), st.folds().size());
            saved += EpochCells.saved(st.scheduler(), st.folds().size());
            full += st.fullEpochCells();
            unfinished += st.scheduler().trials() - st.count(TrialStatus.COMPLETED) - st.count(TrialStatus.STOPPED)
                    - st.count(TrialStatus.FAILED) - st.count(TrialStatus.PRUNED);
        }
        List<NestedRow> nested = source.nestedRows();
        for (NestedRow r : nested) {
            full += r.epochs() == null ? 0 : r.epochs();
        }
        List<String> warnings = new ArrayList<>();
        for (SearchStudy st : studies) {
            for (String w : RungNoise.warnings(st, run.classCount())) {
                warnings.add((st.outer() == null ? "" : "inner search of outer fold " + st.outer() + ": ") + w);
            }
        }
        List<String> unused = source.unusedCells();
        if (!unused.isEmpty()) {
            warnings.add(unused.size() + " committed cells are not cells of this search so far: the search was "
                    + "extended (search.trials grew) and no longer asks for them (a promotion the smaller search made "
                    + "only because a rung closed early, or the refit of an inner winner that changed). They stay in "
                    + "cells/ and summary.md; trials/, search.md and best.conf leave them out: "
                    + String.join(", ", unused.subList(0, Math.min(5, unused.size())))
                    + (unused.size() > 5 ? ", ..." : ""));
        }
        warnings.forEach(w -> LOG.warn("Search: {}", w));
        run.writeTable(run.layout().trialsDir(), ResultSchemas.TRIALS, all.stream().map(TrialRow::toRow).toList());
        SearchMarkdown.NestedEstimate estimate = null;
        if (search.nested()) {
            run.writeTable(run.layout().nestedParquet(), ResultSchemas.NESTED,
                    nested.stream().map(NestedRow::toRow).toList());
            estimate = new SearchMarkdown.NestedEstimate(nested);
        }
        java.util.Set<String> backbones = new java.util.LinkedHashSet<>();
        java.util.Set<String> methods = new java.util.LinkedHashSet<>();
        for (int t = 0; t < cv.points().size(); t++) {
            backbones.add(cv.backbone(t));
            methods.add(cv.method(t).id());
        }
        String network = String.join(", ", backbones) + " / " + String.join(", ", methods);
        SearchMarkdown.Overview overview = new SearchMarkdown.Overview(search.strategy().id(), network, run.folds(),
                search.eta(), cv.rungs(), epochCells, full, source.objective().description(), search.nested(),
                search.foldPruning() ? pruningText(search, cv, saved) : null,
                search.budget() > 0 ? budgetText(studies, true) : null, bracketLines(cv));
        String md = SearchMarkdown.render(overview, ranked, estimate, warnings);
        String folder = new org.apache.hadoop.fs.Path(run.layout().searchMarkdown()).getParent().toString();
        SearchCostKind costKind = run.config().get(ConfigKeys.SEARCH_COST);
        java.util.Optional<ParetoReport> pareto = ParetoReport.of(cv, run.config().withoutSearch(), run.classCount(),
                costKind == SearchCostKind.SECONDS ? run.committedResults() : Map.of(), costKind);
        if (pareto.isPresent()) {
            ParetoReport p = pareto.get();
            md += p.markdown(PARETO_PLOT);
            int n = p.rows().size();
            double[] cost = new double[n];
            double[] acc = new double[n];
            boolean[] front = new boolean[n];
            for (int i = 0; i < n; i++) {
                cost[i] = p.plotCost(p.rows().get(i).cost());
                acc[i] = p.rows().get(i).accuracy();
                front[i] = p.rows().get(i).onFront();
            }
            run.writeBytes(folder + "/" + PARETO_PLOT, SearchPlots.pareto(p.costAxis(), cost, acc, front));
        }
        run.writeText(run.layout().searchMarkdown(), md);
        for (Map.Entry<String, byte[]> png : SearchPlots.render(ranked, finishOrder(cv), cv.rungs()).entrySet()) {
            run.writeBytes(folder + "/" + png.getKey(), png.getValue());
        }
        TrialRow best = ranked.isEmpty() || ranked.get(0).meanAccuracy() == null ? null : ranked.get(0);
        if (best != null) {
            run.writeText(run.layout().bestConfig(), bestConf(run, cv, best, estimate));
        }
        return new SearchReport(cv.scheduler().trials(), cv.count(TrialStatus.COMPLETED), cv.count(TrialStatus.STOPPED),
                cv.count(TrialStatus.FAILED), unfinished, 0, source.restored(), 0, epochCells, full, best,
                cv.scheduler().decisions(), nested, warnings, md, cv.count(TrialStatus.PRUNED), saved,
                search.budget() > 0 ? budgetText(studies, false) : null);
    }

    /** search.md's line per bracket of the search over all folds; empty with one bracket. */
    static List<String> bracketLines(SearchStudy cv) {
        SearchScheduler s = cv.scheduler();
        List<String> lines = new ArrayList<>();
        for (int b = 0; b < (s.brackets() > 1 ? s.brackets() : 0); b++) {
            int trials = 0;
            int full = 0;
            long cells = 0;
            double best = Double.NaN;
            for (int t = 0; t < s.trials(); t++) {
                if (s.bracket(t) == b) {
                    trials++;
                    full += s.rungReached(t) == s.rungs() - 1 ? 1 : 0;
                    cells += EpochCells.of(s, t, cv.folds().size());
                    double m = s.foldMean(t, s.rungs() - 1);
                    best = Double.isNaN(best) || m > best ? m : best;
                }
            }
            lines.add(String.format(Locale.ROOT, "bracket %d: starts at %d epochs (rungs %s); %d trials, %d reached "
                    + "%d epochs; %d epoch-cells; best at the last rung: %s", b, cv.rungs().get(b),
                    cv.rungs().subList(b, cv.rungs().size()), trials, full, cv.rungs().get(cv.rungs().size() - 1),
                    cells, Double.isNaN(best) ? "—" : String.format(Locale.ROOT, "%.2f %%", 100 * best)));
        }
        return lines;
    }

    /**
     * What search.budget allowed: the epoch-cells each search spent of it and the trials it started; for search.md
     * (long) also how, and the promotions it refused.
     */
    static String budgetText(List<SearchStudy> studies, boolean markdown) {
        SearchScheduler cv = studies.get(0).scheduler();
        long spent = EpochCells.of(cv, studies.get(0).folds().size());
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, markdown ? "Budget: **%d** of %d epoch-cells "
                + "spent by the search over all folds, %d trials started%s" : "Budget: %d of %d epoch-cells spent by "
                + "the search over all folds (%d trials started%s)", spent, cv.budget(), cv.startedTrials(),
                cv.admissionDone() ? "" : " so far"));
        List<String> inner = new ArrayList<>();
        for (SearchStudy st : studies.subList(1, studies.size())) {
            inner.add(Long.toString(EpochCells.of(st.scheduler(), st.folds().size())));
        }
        if (!inner.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "; each inner search has its own budget: %s of %d", String.join(", ",
                    inner), cv.budget()));
        }
        if (!markdown) {
            return sb.append(".").toString();
        }
        long refused = cv.decisions().stream().filter(d -> d.action() == Action.OVER_BUDGET).count();
        return sb.append(String.format(Locale.ROOT, ". A trial started only if its first rung fitted, a promotion only "
                + "if it fitted, keeping back what one trial needs to reach the last rung (search.budget); %d "
                + "promotion(s) did not fit (over-budget).", refused)).toString();
    }

    /** search.md's sentences on fold-level pruning: each pruned trial of the search over all folds, and the saving. */
    static String pruningText(SearchConfig search, SearchStudy cv, long saved) {
        List<String> pruned = new ArrayList<>();
        for (Decision d : cv.scheduler().decisions()) {
            if (d.action() == Action.PRUNE) {
                pruned.add("trial " + d.trial() + " pruned after " + d.folds() + " of " + cv.folds().size()
                        + " folds at rung " + d.rung());
            }
        }
        int innerFolds = cv.folds().size() - 1;
        String inner = search.nested() && innerFolds < 3 ? " The inner searches have " + innerFolds + " folds, too "
                + "few for a look (2 completed folds and one left to save): only the search over all folds prunes."
                : "";
        return String.format(Locale.ROOT, "Fold pruning (alpha = %s): %s. Epoch-cells saved: **%d** (cells of pruned "
                + "trials not yet started when they were pruned; every study).%s", search.foldPruningAlpha(),
                pruned.isEmpty() ? "no trial pruned" : String.join(", ", pruned), saved, inner);
    }

    /** The study's trials in the order they finished (their completing, stopping or failing decision). */
    static List<Integer> finishOrder(SearchStudy study) {
        java.util.Set<Integer> order = new java.util.LinkedHashSet<>();
        for (Decision d : study.scheduler().decisions()) {
            if (d.action() != Action.PROMOTE) {
                order.add(d.trial());
            }
        }
        return new ArrayList<>(order);
    }

    /**
     * best.conf: the config with the best trial's cells' hyperparameters (for asha, the epochs of the rung it was
     * scored at), saying what its score is and that it reproduces the winning cells.
     */
    static String bestConf(OpenedRun run, SearchStudy cv, TrialRow best, SearchMarkdown.NestedEstimate nested) {
        JobConfig config = run.config().withoutSearch()
                .withOverrides(Map.of(ConfigKeys.DATA_URI.name(), run.dataUri()))
                .withOverrides(cv.scoredPoint(best.trial()));
        SearchConfig search = run.config().search();
        List<String> comments = new ArrayList<>(List.of(
                "best.conf: the best trial of the " + search.strategy().id() + " search in " + run.outUri(),
                String.format(Locale.ROOT, "trial %d, %s: fold-mean validation accuracy %.4f%s after %d epochs (%s)",
                        best.trial(), best.hp(), best.meanAccuracy(), best.stdAccuracy() == null ? ""
                                : String.format(Locale.ROOT, " ± %.4f", best.stdAccuracy()), best.epochs(),
                        best.status()),
                "This score is optimistic: the best of " + cv.scheduler().trials() + " trials, chosen on the same folds "
                        + "it is scored on."));
        if (nested != null) {
            SampleStats s = nested.stats();
            comments.add(String.format(Locale.ROOT, "The nested estimate of this search, which never selects on its"
                    + " test folds, is %.4f ± %.4f over %d outer folds (search.md, nested.parquet).", s.mean(),
                    s.std(), s.n()));
        } else {
            comments.add("Set search.nested = true for an estimate that never selects on its test folds.");
        }
        comments.add("Its cells draw the seeds of the search's cells: run on the same data, it trains the winning "
                + "trial's cells again bit for bit (a check, not a second draw).");
        comments.add("Run it with: run --config best.conf --out <folder> (with submit/local.sh also pass --data "
                + run.dataUri() + ": without --data it runs on its generated dataset)");
        return config.renderRunnable(comments);
    }
}
