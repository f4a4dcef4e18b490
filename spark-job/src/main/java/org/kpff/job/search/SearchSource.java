package org.kpff.job.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchStrategy;
import org.kpff.job.driver.CellSource;
import org.kpff.job.driver.OpenedRun;
import org.kpff.job.driver.PlannedCell;
import org.kpff.job.exec.CellRun;
import org.kpff.job.plan.CellRole;
import org.kpff.job.plan.GridCell;
import org.kpff.job.results.CellResult;
import org.kpff.job.results.NestedRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hyperparameter search as a {@link CellSource}: asks each {@link SearchStudy}'s scheduler for the next cells as
 * results arrive, scores every cell by the search's one {@link Objective}, and records each batch of decisions.
 *
 * <p>Nested ({@code search.nested = true}): besides the study over all k folds (its best trial is best.conf, its
 * score the non-nested selection score), one inner study per outer fold i on the other k − 1 folds; when the inner
 * study of fold i has finished, its winner (by inner score) is refit on all folds but i and tested once on i (role
 * outer). No selection decision for outer fold i ever sees fold i: inner cells neither train nor test on it.
 *
 * <p>Resume: committed cells are replayed into their studies (never trained again), which must reach the recorded
 * decisions; a committed refit is taken as it is. Then the search goes on. A search resumed with a larger
 * {@code search.trials} is extended: it is the larger search, whose first trials are the smaller one's (same
 * points, same seeds), so their committed cells are replayed and its new trials come after them; its decisions and
 * outputs are those of a new search of the larger size ({@link SearchReplay#recordedBy} for how the journal is checked).
 */
public final class SearchSource implements CellSource {

    private static final Logger LOG = LoggerFactory.getLogger(SearchSource.class);

    private final OpenedRun run;
    private final JobConfig cellConfig;
    private final SearchConfig search;
    private final Objective objective;
    private final List<SearchStudy> studies = new ArrayList<>();
    private final Map<Integer, Refit> refits = new TreeMap<>();
    /** Per study: decisions, trials started and whether admission was closed, as last written to its journal. */
    private final List<int[]> journaled = new ArrayList<>();
    private int restored;
    /** The cells committed before this attempt, by id. */
    private Map<String, CellResult> committed = Map.of();
    private SearchReport report;

    /** The refit of an inner study's winner on its outer fold. */
    static final class Refit {
        final GridCell cell;
        final int trial;
        final double innerScore;
        boolean started;
        FoldResult result;

        Refit(GridCell cell, int trial, double innerScore) {
            this.cell = cell;
            this.trial = trial;
            this.innerScore = innerScore;
        }
    }

    private SearchSource(OpenedRun run, Objective objective) {
        this.run = run;
        this.cellConfig = run.config().withoutSearch();
        this.search = run.config().search();
        this.objective = objective;
    }

    /**
     * The search of an opened run folder: its studies, with every committed cell replayed.
     *
     * @throws IllegalArgumentException when the config has no search, or when a resumed search's committed results
     *                                  or recorded trials contradict this config
     */
    public static SearchSource open(OpenedRun run, Objective objective) throws IOException {
        SearchConfig search = run.config().search();
        if (!search.enabled()) {
            throw new IllegalArgumentException("The config has no search: set search.strategy to grid, random, asha or "
                    + "tpe and search.space (see conf/search-example.conf), or use the run subcommand.");
        }
        SearchSource s = new SearchSource(run, objective);
        List<SortedMap<String, String>> points = search.strategy() == SearchStrategy.TPE ? List.of()
                : SearchTrials.points(search);
        s.studies.add(new SearchStudy(s.cellConfig, search, points, null, run.classCount()));
        if (search.nested()) {
            for (int i = 0; i < run.folds(); i++) {
                s.studies.add(new SearchStudy(s.cellConfig, search, points, i, run.classCount()));
            }
        }
        s.studies.forEach(st -> s.journaled.add(new int[3]));
        s.restore();
        return s;
    }

    private void restore() throws IOException {
        committed = run.committedResults();
        SearchReplay replay = new SearchReplay(cellConfig, search, committed, objective, run.classCount());
        boolean tpe = search.strategy() == SearchStrategy.TPE;
        for (int i = 0; i < studies.size(); i++) {
            SearchStudy st = studies.get(i);
            Optional<DecisionJournal> rec = DecisionJournal.read(journalUri(st), run.hadoopConf());
            rec.ifPresent(r -> replay.budget(st, r, search));
            restored += replay.cells(st);
            List<SortedMap<String, String>> mine = st.points();
            List<SortedMap<String, String>> theirs = rec.map(DecisionJournal::trials).orElse(mine);
            int common = Math.min(mine.size(), theirs.size());
            // The recorded trials are the first of this config's: all of them (tpe: those proposed so far); fewer
            // when the search was extended (search.trials grew: SearchExtension).
            boolean agree = mine.subList(0, common).equals(theirs.subList(0, common))
                    && (tpe || theirs.size() <= mine.size());
            if (!agree) {
                throw new IllegalArgumentException("Cannot resume the search in " + run.outUri() + ": "
                        + journalUri(st) + " lists other trials than this config gives (" + theirs.size()
                        + " vs " + mine.size() + "); use the search's own config.");
            }
            if (rec.isPresent()) {
                Optional<String> conflict = rec.get().conflictWith(replay.recordedBy(st, rec.get()).decisions());
                if (conflict.isPresent()) {
                    throw new IllegalArgumentException("Cannot resume the search in " + run.outUri() + " ("
                            + scope(st) + "): " + conflict.get() + ". Start a new search with another --out.");
                }
            }
        }
        for (int i = 0; i < studies.size(); i++) {
            SearchStudy st = studies.get(i);
            writeJournal(i);
            if (st.outer() != null && st.scheduler().isFinished()) {
                refit(st);
            }
        }
        if (restored > 0) {
            LOG.info("Resumed search: {} committed cells replayed", restored);
        }
    }

    /**
     * Committed cells this search does not use: cells of a search extended since they were trained, which the
     * larger search does not (yet) ask for (a promotion the smaller search made only because a rung closed early,
     * or the refit of an inner winner the extension replaced). They stay in cells/ and summary.md.
     */
    List<String> unusedCells() {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (SearchStudy st : studies) {
            for (String id : committed.keySet()) {
                st.segment(id).filter(s -> st.scheduler().started(s)).ifPresent(s -> used.add(id));
            }
        }
        refits.values().forEach(r -> used.add(r.cell.id()));
        return committed.keySet().stream().filter(id -> !used.contains(id)).sorted().toList();
    }

    /** Makes (once) the refit of an inner study's winner; empty when no trial of it has a score. */
    private Optional<Refit> refit(SearchStudy inner) {
        int outer = inner.outer();
        if (refits.containsKey(outer)) {
            return Optional.of(refits.get(outer));
        }
        Optional<Integer> winner = inner.winner();
        if (winner.isEmpty()) {
            LOG.warn("Nested search: the inner search of outer fold {} has no trial with a score; nothing to refit",
                    outer);
            return Optional.empty();
        }
        int t = winner.get();
        SortedMap<String, String> hp = inner.fullPoint(t);
        String backbone = inner.backbone(t);
        long seed = SearchStudy.seed(cellConfig.withOverrides(hp).train().seed(), backbone, outer, null);
        GridCell cell = new GridCell(GridCell.nestedIdFor(backbone, inner.method(t), outer, outer, hp), backbone,
                inner.method(t), outer, hp, seed, CellRole.OUTER, outer);
        cell.toCellSpec(cellConfig, run.classCount());
        Refit r = new Refit(cell, t, inner.scheduler().foldMean(t, inner.scheduler().rungScored(t)));
        refits.put(outer, r);
        CellResult done = committed.get(cell.id());
        if (done != null) {
            // Committed by an earlier attempt (a resumed search, or one extended with the same winner): taken as it is.
            r.started = true;
            r.result = objective.of(done);
            restored++;
        }
        LOG.info("Nested search: outer fold {} chose trial {} {} (inner score {}); refit {}", outer, t,
                inner.points().get(t), String.format(java.util.Locale.ROOT, "%.4f", r.innerScore), cell.id());
        return Optional.of(r);
    }

    @Override
    public Optional<PlannedCell> next() {
        Optional<PlannedCell> refit = nextRefit();
        if (refit.isPresent()) {
            return refit;
        }
        for (int i = 0; i < studies.size(); i++) {
            SearchStudy st = studies.get(i);
            Optional<PlannedCell> p = st.next();
            journal(i);
            // A study can end here, not only when a cell finishes: a budget that admits no more trials stops the
            // waiting ones as it closes.
            if (st.outer() != null && st.scheduler().isFinished()) {
                refit(st);
            }
            if (p.isPresent()) {
                return p;
            }
        }
        return nextRefit();
    }

    private Optional<PlannedCell> nextRefit() {
        for (Refit r : refits.values()) {
            if (!r.started) {
                r.started = true;
                return Optional.of(PlannedCell.of(r.cell));
            }
        }
        return Optional.empty();
    }

    @Override
    public void finished(PlannedCell cell, CellRun cellRun) {
        String id = cell.cell().id();
        FoldResult result = cellRun == null ? null : objective.of(cellRun);
        for (Refit r : refits.values()) {
            if (r.cell.id().equals(id)) {
                r.result = result;
                return;
            }
        }
        for (int i = 0; i < studies.size(); i++) {
            SearchStudy st = studies.get(i);
            Optional<Segment> seg = st.segment(id);
            if (seg.isEmpty()) {
                continue;
            }
            st.scheduler().finished(seg.get(), result);
            journal(i);
            if (st.outer() != null && st.scheduler().isFinished()) {
                refit(st);
            }
            return;
        }
        throw new IllegalStateException("Cell " + id + " is not one of this search's");
    }

    /**
     * Logs the study's new decisions and records them, with its admissions when budgeted, before any cell they allow
     * starts (a resumed search replays them).
     */
    private void journal(int study) {
        SearchStudy st = studies.get(study);
        SearchScheduler s = st.scheduler();
        int[] j = journaled.get(study);
        if (s.decisionCount() == j[0] && s.startedTrials() == j[1] && (s.admissionDone() ? 1 : 0) == j[2]) {
            return;
        }
        List<Decision> ds = s.decisions();
        for (Decision d : ds.subList(Math.min(j[0], ds.size()), ds.size())) {
            LOG.info("Search ({}): {} {}", scope(st), d, st.points().get(d.trial()));
        }
        writeJournal(study);
    }

    private void writeJournal(int study) {
        try {
            SearchStudy st = studies.get(study);
            SearchScheduler s = st.scheduler();
            journaled.set(study, new int[] {s.decisionCount(), s.startedTrials(), s.admissionDone() ? 1 : 0});
            run.writeText(journalUri(st), new DecisionJournal(search.strategy().id(), search.seed(), search.eta(),
                    st.rungs(), st.points(), s.decisions(), s.budget() == 0 ? null
                    : new DecisionJournal.Budget(s.budget(), s.startedTrials(), s.admissionDone(), s.capacity()))
                    .toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not record the search's decisions", e);
        }
    }

    private String journalUri(SearchStudy st) {
        return st.outer() == null ? run.layout().decisionsJson() : run.layout().decisionsJson(st.outer());
    }

    private static String scope(SearchStudy st) {
        return st.outer() == null ? "all folds" : "inner search of outer fold " + st.outer();
    }

    /** The search's studies: the one over all folds first, then the inner ones by outer fold. */
    public List<SearchStudy> studies() {
        return List.copyOf(studies);
    }

    /** Committed cells replayed at the start of this attempt. */
    public int restored() {
        return restored;
    }

    /** The objective. */
    public Objective objective() {
        return objective;
    }

    /** One row per outer fold of a nested search (empty otherwise), in outer-fold order. */
    public List<NestedRow> nestedRows() {
        List<NestedRow> rows = new ArrayList<>();
        for (SearchStudy st : studies) {
            if (st.outer() == null) {
                continue;
            }
            Refit r = refits.get(st.outer());
            if (r == null) {
                rows.add(new NestedRow(st.outer(), null, new TreeMap<>(), null, null, null, null));
            } else {
                rows.add(new NestedRow(st.outer(), r.trial, r.cell.hp(), r.innerScore,
                        cellConfig.withOverrides(r.cell.hp()).train().epochs(),
                        r.result != null && r.result.ok() ? r.result.accuracy() : null, r.cell.id()));
            }
        }
        return rows;
    }

    /** Epoch-cells the refits trained (ok ones: a refit trains its full budget). */
    long refitEpochCells() {
        long n = 0;
        for (Refit r : refits.values()) {
            n += r.result != null && r.result.ok() ? cellConfig.withOverrides(r.cell.hp()).train().epochs() : 0;
        }
        return n;
    }

    /** Outer folds whose refit has not ended ok or failed yet (nested only). */
    int refitsMissing() {
        int n = 0;
        for (SearchStudy st : studies) {
            if (st.outer() != null) {
                Refit r = refits.get(st.outer());
                n += r == null && !st.scheduler().isFinished() || r != null && r.result == null ? 1 : 0;
            }
        }
        return n;
    }

    @Override
    public void complete(OpenedRun opened) throws IOException {
        for (int i = 0; i < studies.size(); i++) {
            writeJournal(i);
        }
        report = SearchOutputs.write(this, opened);
    }

    /** What the search did, once {@link #complete} ran; null before. */
    public SearchReport report() {
        return report;
    }

    /** The search config. */
    SearchConfig search() {
        return search;
    }
}
