package org.kpff.job.search;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.kpff.job.config.ConfigKeys;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;
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
 * {@code nested.parquet} (nested only), {@code search.md} with its plots ({@link SearchPlots}) and {@code best.conf},
 * and logs the noisy-rung warnings.
 */
final class SearchOutputs {

    private static final Logger LOG = LoggerFactory.getLogger(SearchOutputs.class);

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
                search.foldPruning() ? pruningText(search, cv, saved) : null);
        String md = SearchMarkdown.render(overview, ranked, estimate, warnings);
        run.writeText(run.layout().searchMarkdown(), md);
        String folder = new org.apache.hadoop.fs.Path(run.layout().searchMarkdown()).getParent().toString();
        for (Map.Entry<String, byte[]> png : SearchPlots.render(ranked, finishOrder(cv), cv.rungs()).entrySet()) {
            run.writeBytes(folder + "/" + png.getKey(), png.getValue());
        }
        TrialRow best = ranked.isEmpty() || ranked.get(0).meanAccuracy() == null ? null : ranked.get(0);
        if (best != null) {
            run.writeText(run.layout().bestConfig(), bestConf(run, cv, best, estimate));
        }
        return new SearchReport(cv.scheduler().trials(), cv.count(TrialStatus.COMPLETED), cv.count(TrialStatus.STOPPED),
                cv.count(TrialStatus.FAILED), unfinished, 0, source.restored(), 0, epochCells, full, best,
                cv.scheduler().decisions(), nested, warnings, md, cv.count(TrialStatus.PRUNED), saved);
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
        return String.format(Locale.ROOT, "Fold pruning (alpha = %s): %s. Epoch-cells saved: **%d** (cells of pruned "
                + "trials not yet started when they were pruned; every study).", search.foldPruningAlpha(),
                pruned.isEmpty() ? "no trial pruned" : String.join(", ", pruned), saved);
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
