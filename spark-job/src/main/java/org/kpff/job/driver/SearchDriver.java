package org.kpff.job.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.config.ConfigKeys;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchStrategy;
import org.kpff.job.exec.CellRun;
import org.kpff.job.plan.CostModel;
import org.kpff.job.plan.GridCell;
import org.kpff.job.plan.GridPlanner;
import org.kpff.job.results.CellResult;
import org.kpff.job.results.CellStatus;
import org.kpff.job.results.SampleStats;
import org.kpff.job.results.SearchMarkdown;
import org.kpff.job.results.TrialRow;
import org.kpff.job.search.Decision;
import org.kpff.job.search.DecisionJournal;
import org.kpff.job.search.FoldResult;
import org.kpff.job.search.SearchScheduler;
import org.kpff.job.search.Segment;
import org.kpff.job.search.TrialStatus;
import org.kpff.job.search.SearchTrials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver of a hyperparameter search ({@code search} subcommand): opens the run folder like a plain run, makes
 * the trials from the search config, and hands a {@link LocalCellExecutor} a source that asks a
 * {@link SearchScheduler} for the next cells as results arrive; every cell is committed like a plain run's. At the
 * end of an attempt it writes {@code trials/}, {@code search.md}, {@code best.conf} and {@code decisions.json}
 * besides the usual tables and summary.
 *
 * <p>Cells: trial t's cells are the config's one backbone and fusion method on every fold with t's point (and, for
 * asha, {@code train.epochs} set to the rung's epochs). All rungs of a trial and fold share the seed of the point
 * and one checkpoint folder; a rung's cell checkpoints after its last epoch, so a promoted trial continues from there.
 * Resume: committed cells are replayed into the scheduler (never trained again), which must reach the recorded
 * decisions; then the search goes on.
 */
public final class SearchDriver {

    private static final Logger LOG = LoggerFactory.getLogger(SearchDriver.class);

    private final JavaSparkContext jsc;
    private final RunFolder folder;
    private final ClusterSlots slots;

    public SearchDriver(SparkSession spark) {
        this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        this.folder = new RunFolder(spark, new PreflightCheck(jsc));
        this.slots = new ClusterSlots(spark.sparkContext());
    }

    /**
     * What a search attempt did.
     *
     * @param trials         trials of the search
     * @param completed      trials trained to the last rung
     * @param stopped        trials stopped by successive halving
     * @param failed         trials with a deterministically failed cell
     * @param unfinished     trials neither completed, stopped nor failed (rerun with --resume)
     * @param cellsRun       cells this attempt trained (ok or failed)
     * @param cellsRestored  cells committed by earlier attempts and replayed
     * @param incomplete     cells whose Spark job failed after all retries
     * @param epochCells     epoch-cells of the whole search so far
     * @param fullEpochCells epoch-cells of training every trial to the end on every fold
     * @param best           the best trial's row, or null when no trial has a fold-mean
     * @param decisions      every decision of the search, in the order made (replayed ones first)
     * @param markdown       search.md
     */
    public record Report(int trials, int completed, int stopped, int failed, int unfinished, int cellsRun,
            int cellsRestored, int incomplete, long epochCells, long fullEpochCells, TrialRow best,
            List<Decision> decisions, String markdown) {
    }

    /**
     * Runs (or resumes) a search.
     *
     * @param config  the validated config with a search section
     * @param dataUri dataset root
     * @param outUri  output folder
     * @param resume  continue the search in {@code outUri}
     * @param argv    the command line, recorded in run.json
     * @throws IllegalArgumentException when the config has no search, or on the refusals of a plain run, or when
     *                                  a resumed search's committed results contradict its recorded decisions
     */
    public Report search(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv)
            throws IOException {
        SearchConfig search = config.search();
        if (!search.enabled()) {
            throw new IllegalArgumentException("The config has no search: set search.strategy to grid, random or asha "
                    + "and search.space (see conf/search-example.conf), or use the run subcommand.");
        }
        try (OutputLease held = folder.lease(outUri)) {
            return searchHeld(config, dataUri, outUri, resume, argv);
        }
    }

    private Report searchHeld(JobConfig config, String dataUri, String outUri, boolean resume, List<String> argv)
            throws IOException {
        SearchConfig search = config.search();
        List<SortedMap<String, String>> points = SearchTrials.points(search);
        RunSession session = folder.open(config, dataUri, outUri, resume, argv);
        // Cells are built from the config without its search section: a rung's point sets train.epochs.
        JobConfig cellConfig = config.withoutSearch();
        Plan plan = new Plan(cellConfig, search, points, session.listing().classCount());

        DecisionJournal journal = new DecisionJournal(search.strategy().id(), search.seed(), search.eta(), plan.rungs,
                points, List.of());
        Optional<DecisionJournal> recorded = DecisionJournal.read(session.layout().decisionsJson(), folder.hadoopConf());
        if (recorded.isPresent() && !recorded.get().trials().equals(points)) {
            throw new IllegalArgumentException("Cannot resume the search in " + outUri + ": its decisions.json lists "
                    + "other trials than this config gives (" + recorded.get().trials().size() + " vs " + points.size()
                    + "); use the search's own config.");
        }
        int restored = 0;
        for (Map.Entry<String, CellResult> e : session.writer().committedResults().entrySet()) {
            Segment s = plan.segments.get(e.getKey());
            if (s != null) {
                plan.scheduler.restore(s, foldResult(e.getValue()));
                restored++;
            }
        }
        if (recorded.isPresent()) {
            Optional<String> conflict = recorded.get().conflictWith(plan.scheduler.decisions());
            if (conflict.isPresent()) {
                throw new IllegalArgumentException("Cannot resume the search in " + outUri + ": " + conflict.get()
                        + ". Start a new search with another --out.");
            }
            LOG.info("Resumed search: {} committed cells replayed, {} decisions reached again ({} recorded)",
                    restored, plan.scheduler.decisions().size(), recorded.get().decisions().size());
        }
        journal = journal.with(plan.scheduler.decisions());
        session.writer().writeText(session.layout().decisionsJson(), journal.toJson());

        Source source = new Source(plan, session, journal);
        int concurrent = slots.cells(config);
        LOG.info("Search {} ({}): {} trials, rungs at epochs {}, {} folds, {} cells at a time", outUri,
                search.strategy().id(), points.size(), plan.rungs, config.data().folds(), concurrent);
        Outcomes outcomes = new LocalCellExecutor(jsc, cellConfig, concurrent).execute(session, source,
                new Progress(c -> CostModel.cost(c, cellConfig)));
        session.attempt().put("cells_planned", source.started);
        session.attempt().put("search_epoch_cells", plan.scheduler.epochCells());
        folder.finish(config, session, outcomes, slots.executors());

        List<TrialRow> rows = trialRows(plan);
        long full = (long) points.size() * config.data().folds() * plan.rungs.get(plan.rungs.size() - 1);
        if (search.strategy() != SearchStrategy.ASHA) {
            full = 0;
            for (int t = 0; t < points.size(); t++) {
                full += (long) config.data().folds() * plan.epochs(t, 0);
            }
        }
        SearchMarkdown.Overview overview = new SearchMarkdown.Overview(search.strategy().id(),
                plan.backbone + " / " + plan.method.id(), config.data().folds(), search.eta(), plan.rungs,
                plan.scheduler.epochCells(), full);
        String md = SearchMarkdown.render(overview, rows);
        session.writer().writeTrials(rows);
        session.writer().writeText(session.layout().searchMarkdown(), md);
        TrialRow best = rows.isEmpty() || rows.get(0).meanAccuracy() == null ? null : rows.get(0);
        if (best != null) {
            JobConfig bestConfig = config.withOverrides(Map.of(ConfigKeys.DATA_URI.name(), dataUri))
                    .withOverrides(best.hp());
            session.writer().writeText(session.layout().bestConfig(), bestConfig.renderRunnable(List.of(
                    "best.conf: the best trial of the " + search.strategy().id() + " search in " + outUri,
                    String.format(Locale.ROOT, "trial %d, %s: fold-mean validation accuracy %.4f after %d epochs "
                            + "(%s)", best.trial(), best.hp(), best.meanAccuracy(), best.epochs(), best.status()),
                    "Run it with: run --config best.conf --out <folder>")));
        }
        session.writer().writeText(session.layout().decisionsJson(),
                journal.with(plan.scheduler.decisions()).toJson());

        int completed = count(plan, TrialStatus.COMPLETED);
        int stopped = count(plan, TrialStatus.STOPPED);
        int failed = count(plan, TrialStatus.FAILED);
        return new Report(points.size(), completed, stopped, failed, points.size() - completed - stopped - failed,
                outcomes.ok.get() + outcomes.failed.get(), restored, outcomes.incomplete.size(),
                plan.scheduler.epochCells(), full, best, plan.scheduler.decisions(), md);
    }

    private static int count(Plan plan, TrialStatus s) {
        int n = 0;
        for (int t = 0; t < plan.scheduler.trials(); t++) {
            n += plan.scheduler.status(t) == s ? 1 : 0;
        }
        return n;
    }

    private static FoldResult foldResult(CellResult c) {
        return c.status() == CellStatus.OK ? FoldResult.ok(c.finalAccuracy()) : FoldResult.failed(c.reason());
    }

    private static List<TrialRow> trialRows(Plan plan) {
        SearchScheduler s = plan.scheduler;
        List<TrialRow> rows = new ArrayList<>();
        List<Integer> ranking = s.ranking();
        for (int rank = 0; rank < ranking.size(); rank++) {
            int t = ranking.get(rank);
            int rung = s.rungReached(t);
            List<Double> folds = s.foldAccuracies(t, rung);
            SampleStats st = SampleStats.of(folds.stream().mapToDouble(Double::doubleValue).toArray());
            List<Double> perRung = new ArrayList<>();
            for (int k = 0; k <= rung; k++) {
                perRung.add(s.foldMean(t, k));
            }
            TrialStatus status = s.status(t);
            rows.add(new TrialRow(t, plan.points.get(t), status.id(), rank + 1, rung, plan.epochs(t, rung),
                    folds.isEmpty() ? null : st.mean(), folds.size() < 2 ? null : st.std(), folds, perRung,
                    s.epochCells(t), s.failureReason(t)));
        }
        return rows;
    }

    /** The cells of a search: every trial × rung × fold, their ids, and the scheduler over them. */
    private static final class Plan {
        final JobConfig config;
        final List<SortedMap<String, String>> points;
        final String backbone;
        final FusionMethod method;
        final boolean asha;
        final List<Integer> rungs;
        final int[] trialEpochs;
        final GridCell[][][] cells;
        final String[][] checkpointNames;
        final Map<String, Segment> segments = new HashMap<>();
        final SearchScheduler scheduler;

        Plan(JobConfig config, SearchConfig search, List<SortedMap<String, String>> points, int classes) {
            this.config = config;
            this.points = points;
            this.backbone = config.backbones().get(0);
            this.method = config.methods().get(0);
            this.asha = search.strategy() == SearchStrategy.ASHA;
            this.rungs = SearchTrials.rungs(search, config.train().epochs());
            int folds = config.data().folds();
            int n = points.size();
            int k = rungs.size();
            trialEpochs = new int[n];
            cells = new GridCell[n][k][folds];
            checkpointNames = new String[n][folds];
            for (int t = 0; t < n; t++) {
                SortedMap<String, String> point = points.get(t);
                JobConfig effective = config.withOverrides(point);
                trialEpochs[t] = effective.train().epochs();
                for (int f = 0; f < folds; f++) {
                    // Every rung of a trial and fold shares the point's seed: a promotion continues the same run.
                    long seed = GridCell.deriveSeed(effective.train().seed(), backbone, f, point);
                    checkpointNames[t][f] = GridCell.idFor(backbone, method, f, point);
                    for (int r = 0; r < k; r++) {
                        SortedMap<String, String> hp = new TreeMap<>(point);
                        if (asha) {
                            hp.put(ConfigKeys.TRAIN_EPOCHS.name(), Integer.toString(rungs.get(r)));
                        }
                        GridCell cell = new GridCell(GridCell.idFor(backbone, method, f, hp), backbone, method, f, hp,
                                seed);
                        cell.toCellSpec(config, classes); // every cell is buildable, checked before any training
                        cells[t][r][f] = cell;
                        segments.put(cell.id(), new Segment(t, r, f));
                    }
                }
            }
            List<Segment> first = new ArrayList<>();
            if (asha) {
                for (int t = 0; t < n; t++) {
                    for (int f = 0; f < folds; f++) {
                        first.add(new Segment(t, 0, f));
                    }
                }
            } else {
                // Grid and random: one rung, the plain grid planner's order (longest cells first).
                for (GridCell c : GridPlanner.plan(config, classes, new ArrayList<Map<String, String>>(points), Set.of())) {
                    first.add(segments.get(c.id()));
                }
            }
            scheduler = new SearchScheduler(n, k, search.eta(), folds, this::epochs, first);
        }

        int epochs(int trial, int rung) {
            return asha ? rungs.get(rung) : trialEpochs[trial];
        }

        PlannedCell planned(Segment s) {
            GridCell cell = cells[s.trial()][s.rung()][s.fold()];
            return asha ? new PlannedCell(cell, checkpointNames[s.trial()][s.fold()], s.rung() < rungs.size() - 1)
                    : PlannedCell.of(cell);
        }
    }

    /** Asks the scheduler for cells and tells it the results; records each batch of decisions. */
    private static final class Source implements CellSource {
        private final Plan plan;
        private final RunSession session;
        private final DecisionJournal journal;
        int started;

        Source(Plan plan, RunSession session, DecisionJournal journal) {
            this.plan = plan;
            this.session = session;
            this.journal = journal;
        }

        @Override
        public Optional<PlannedCell> next() {
            Optional<Segment> s = plan.scheduler.next();
            s.ifPresent(x -> started++);
            return s.map(plan::planned);
        }

        @Override
        public void finished(PlannedCell cell, CellRun run) {
            Segment s = plan.segments.get(cell.cell().id());
            FoldResult r = run == null ? null : run.ok() ? FoldResult.ok(run.outcome().finalAccuracy())
                    : FoldResult.failed(run.reason());
            List<Decision> ds = plan.scheduler.finished(s, r);
            if (ds.isEmpty()) {
                return;
            }
            for (Decision d : ds) {
                LOG.info("Search: {} {}", d, plan.points.get(d.trial()));
            }
            try {
                session.writer().writeText(session.layout().decisionsJson(),
                        journal.with(plan.scheduler.decisions()).toJson());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Could not record the search's decisions", e);
            }
        }
    }
}
