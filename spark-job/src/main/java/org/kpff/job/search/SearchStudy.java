package org.kpff.job.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.config.ConfigKeys;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchStrategy;
import org.kpff.job.driver.PlannedCell;
import org.kpff.job.plan.CellRole;
import org.kpff.job.plan.CostModel;
import org.kpff.job.plan.GridCell;
import org.kpff.job.results.SampleStats;
import org.kpff.job.results.TrialRow;

/**
 * One search over a set of folds: its trials × rungs × folds as cells, and the {@link SearchScheduler} that decides
 * which run. A plain search has one study over all k folds (role cv); a nested search adds one per outer fold i over
 * the other k − 1 folds (role inner), whose cells never train or test on fold i.
 *
 * <p><b>Seeds.</b> A cell's seed does not depend on the trial's point: a cv cell of fold f draws the seed a plain
 * run's cell of that backbone and fold draws ({@link GridCell#deriveSeed} with the empty point), so every trial
 * starts from the same weights and sees the same batch order on a fold (common random numbers: trials differ by
 * their point, not their luck), and {@code run --config best.conf} trains the winning trial's cells again bit for
 * bit. An inner cell's seed adds its outer fold ({@code nested.outer-fold=i} as the point text). All rungs of a trial
 * and fold share the seed and one checkpoint folder: a rung's cell checkpoints after its last epoch, and a promoted
 * trial continues from there.
 */
public final class SearchStudy {

    /** The point text that makes an inner cell's seed differ from the cv cell's of the same fold. */
    static final String OUTER_SEED_KEY = "nested.outer-fold";

    private final Integer outer;
    private final List<Integer> folds;
    private final List<SortedMap<String, String>> points = new ArrayList<>();
    private final TpeProposals proposals;
    private final JobConfig config;
    private final int classes;
    private final boolean asha;
    private final List<Integer> rungs;
    private final int[] trialEpochs;
    private final String[] backbones;
    private final FusionMethod[] methods;
    private final GridCell[][][] cells;
    private final String[][] checkpointNames;
    private final int[] bracketOf;
    private final Map<String, Segment> segments = new HashMap<>();
    private final SearchScheduler scheduler;

    /**
     * @param config  the config the cells are built from (without its search section)
     * @param search  the search section
     * @param points  the trial points, trial 0 first; ignored for tpe, whose study proposes its own as results come
     * @param outer   the outer fold of an inner study, or null for the study over all folds
     * @param classes number of classes (every cell's spec is built here, so a bad point fails before any training)
     */
    public SearchStudy(JobConfig config, SearchConfig search, List<SortedMap<String, String>> points, Integer outer,
            int classes) {
        this.outer = outer;
        this.config = config;
        this.classes = classes;
        this.rungs = SearchTrials.rungs(search, config.train().epochs());
        this.asha = search.successiveHalving() || rungs.size() > 1;
        boolean tpe = search.strategy() == SearchStrategy.TPE;
        List<Integer> fs = new ArrayList<>();
        for (int f = 0; f < config.data().folds(); f++) {
            if (outer == null || f != outer) {
                fs.add(f);
            }
        }
        this.folds = List.copyOf(fs);
        int n = tpe ? search.trials() : points.size();
        int k = rungs.size();
        trialEpochs = new int[n];
        backbones = new String[n];
        methods = new FusionMethod[n];
        cells = new GridCell[n][k][folds.size()];
        checkpointNames = new String[n][folds.size()];
        List<Segment> first = new ArrayList<>();
        Map<Segment, Double> cost = new HashMap<>();
        int brackets = search.bracketCount(k);
        bracketOf = brackets == 1 ? new int[n]
                : HyperbandBrackets.of(search.minEpochs(), config.train().epochs(), search.eta(), brackets).assign(n);
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < folds.size(); i++) {
                first.add(new Segment(t, bracketOf[t], i));
            }
            if (!tpe) {
                addTrial(t, points.get(t));
                JobConfig effective = config.withOverrides(points.get(t));
                for (int i = 0; i < folds.size(); i++) {
                    cost.put(new Segment(t, 0, i), CostModel.cost(backbones[t], effective.data().inputSize(),
                            effective.model().width(), epochs(t, 0)));
                }
            }
        }
        if (!asha && !tpe && search.budget() == 0) {
            // Grid and random: one rung, longest cells first (as a plain grid), then trial, then fold. With a budget,
            // trial order: the trials it affords are the first ones (random search's first draws), not the longest.
            first.sort(Comparator.comparingDouble((Segment s) -> -cost.get(s)).thenComparingInt(Segment::trial)
                    .thenComparingInt(Segment::fold));
        }
        scheduler = new SearchScheduler(n, k, search.eta(), folds.size(), this::epochs, first, bracketOf);
        if (search.budget() > 0) {
            long one = (long) folds.size() * epochs(0, k - 1);
            if (one > search.budget()) {
                throw new IllegalArgumentException("search.budget = " + search.budget() + ": trial 0 " + pointText(0)
                        + " trained to the end on the " + folds.size() + " folds of " + (outer == null ? "the search"
                        : "the inner search of outer fold " + outer) + " costs " + one + " epoch-cells; raise the "
                        + "budget to at least that");
            }
            scheduler.budget(search.budget());
        }
        proposals = tpe ? new TpeProposals(search, k) : null;
        if (search.foldPruning()) {
            scheduler.prune(new FoldPruning(FoldPruner.forKFold(folds.size(), search.foldPruningAlpha()),
                    folds.size()));
        }
        if (tpe) {
            scheduler.gate(t -> t < this.points.size());
            advance();
        }
    }

    /** Builds the cells of trial t (the next one) at its point; a bad point fails here, before it trains. */
    private void addTrial(int t, SortedMap<String, String> point) {
        points.add(point);
        JobConfig effective = config.withOverrides(point);
        trialEpochs[t] = effective.train().epochs();
        backbones[t] = effective.backbones().get(0);
        methods[t] = effective.methods().get(0);
        for (int i = 0; i < folds.size(); i++) {
            int f = folds.get(i);
            long seed = seed(effective.train().seed(), backbones[t], f, outer);
            checkpointNames[t][i] = id(backbones[t], methods[t], f, point);
            for (int r = 0; r < rungs.size(); r++) {
                SortedMap<String, String> hp = new TreeMap<>(point);
                if (asha) {
                    hp.put(ConfigKeys.TRAIN_EPOCHS.name(), Integer.toString(rungs.get(r)));
                }
                GridCell cell = new GridCell(id(backbones[t], methods[t], f, hp), backbones[t], methods[t], f,
                        hp, seed, outer == null ? CellRole.CV : CellRole.INNER, outer);
                cell.toCellSpec(config, classes);
                cells[t][r][i] = cell;
                segments.put(cell.id(), new Segment(t, r, i));
            }
        }
    }

    /**
     * tpe: proposes (and builds the cells of) every next trial whose history is in; nothing for other strategies.
     *
     * @return how many trials were proposed
     */
    int advance() {
        if (proposals == null) {
            return 0;
        }
        int before = points.size();
        for (SortedMap<String, String> p : proposals.advance(scheduler, points)) {
            addTrial(points.size(), p);
        }
        return points.size() - before;
    }

    /** The seed of a search cell: the plain run's seed of its backbone and fold, plus the outer fold if inner. */
    static long seed(long runSeed, String backbone, int fold, Integer outer) {
        return GridCell.deriveSeed(runSeed, backbone, fold,
                outer == null ? Map.of() : Map.of(OUTER_SEED_KEY, Integer.toString(outer)));
    }

    private String id(String backbone, FusionMethod method, int fold, Map<String, String> hp) {
        return outer == null ? GridCell.idFor(backbone, method, fold, hp)
                : GridCell.nestedIdFor(backbone, method, outer, fold, hp);
    }

    /** The outer fold of an inner study; null for the study over all folds. */
    public Integer outer() {
        return outer;
    }

    /** The folds the study cross-validates on, ascending. */
    public List<Integer> folds() {
        return folds;
    }

    /** The trial points given so far (for tpe, those proposed yet; all of them once the search has finished). */
    public List<SortedMap<String, String>> points() {
        return List.copyOf(points);
    }

    /** Epochs of each rung (one rung for grid and random). */
    public List<Integer> rungs() {
        return rungs;
    }

    /** The scheduler (read-only use outside: its state is this study's). */
    public SearchScheduler scheduler() {
        return scheduler;
    }

    /** Epochs a trial has trained after a rung (a tpe trial not proposed yet: train.epochs, which tpe never searches). */
    public int epochs(int trial, int rung) {
        return asha ? rungs.get(rung) : trial < points.size() ? trialEpochs[trial] : config.train().epochs();
    }

    private String pointText(int trial) {
        return trial < points.size() ? points.get(trial).toString() : "";
    }

    /** The trial's backbone (the config's one, or the point's). */
    public String backbone(int trial) {
        return backbones[trial];
    }

    /** The trial's fusion method (the config's one, or the point's). */
    public FusionMethod method(int trial) {
        return methods[trial];
    }

    /** The segment of one of this study's cells, if the id is one. */
    public Optional<Segment> segment(String cellId) {
        return Optional.ofNullable(segments.get(cellId));
    }

    /** The cell of a segment. */
    public GridCell cell(Segment s) {
        return cells[s.trial()][s.rung()][s.fold()];
    }

    /** The next cell to start, if the scheduler has one now. */
    public Optional<PlannedCell> next() {
        advance();
        return scheduler.next().map(this::planned);
    }

    private PlannedCell planned(Segment s) {
        GridCell cell = cell(s);
        return asha ? new PlannedCell(cell, checkpointNames[s.trial()][s.fold()], s.rung() < rungs.size() - 1)
                : PlannedCell.of(cell);
    }

    /** Epoch-cells of training every trial to the end on every fold of the study. */
    public long fullEpochCells() {
        long full = 0;
        for (int t = 0; t < scheduler.trials(); t++) {
            full += (long) folds.size() * (t < points.size() ? epochs(t, rungs.size() - 1)
                    : config.train().epochs());
        }
        return full;
    }

    /**
     * The study's choice: the best-ranked trial with a fold-mean (highest rung first, then the objective), or empty
     * when no trial has one.
     */
    public Optional<Integer> winner() {
        List<Integer> ranking = TrialRanking.of(scheduler);
        return ranking.isEmpty() || scheduler.rungScored(ranking.get(0)) < 0 ? Optional.empty()
                : Optional.of(ranking.get(0));
    }

    /** The hyperparameters of a trial trained to its full budget: its point, plus train.epochs for asha. */
    public SortedMap<String, String> fullPoint(int trial) {
        SortedMap<String, String> hp = new TreeMap<>(points.get(trial));
        if (asha) {
            hp.put(ConfigKeys.TRAIN_EPOCHS.name(), Integer.toString(rungs.get(rungs.size() - 1)));
        }
        return hp;
    }

    /** The hyperparameters of a trial's cells at the highest rung it has a score at (what best.conf sets). */
    public SortedMap<String, String> scoredPoint(int trial) {
        int rung = Math.max(0, scheduler.rungScored(trial));
        return cells[trial][rung][0].hp();
    }

    /** The trials as rows of {@code trials/}, ranked. */
    public List<TrialRow> rows() {
        List<TrialRow> rows = new ArrayList<>();
        List<Integer> ranking = TrialRanking.of(scheduler);
        ranking = ranking.stream().filter(t -> t < points.size()).toList();
        for (int rank = 0; rank < ranking.size(); rank++) {
            int t = ranking.get(rank);
            int rung = scheduler.rungReached(t);
            List<Double> fa = scheduler.foldAccuracies(t, rung);
            SampleStats st = SampleStats.of(fa.stream().mapToDouble(Double::doubleValue).toArray());
            List<Double> perRung = new ArrayList<>();
            for (int k = 0; k <= rung; k++) {
                perRung.add(scheduler.foldMean(t, k));
            }
            rows.add(new TrialRow(t, points.get(t), scheduler.status(t).id(), rank + 1, rung, epochs(t, rung),
                    fa.isEmpty() ? null : st.mean(), fa.size() < 2 ? null : st.std(), fa, perRung,
                    EpochCells.of(scheduler, t, folds.size()), scheduler.failureReason(t), outer));
        }
        return rows;
    }

    /** How many trials are in a status. */
    public int count(TrialStatus s) {
        int n = 0;
        for (int t = 0; t < scheduler.trials(); t++) {
            n += scheduler.status(t) == s ? 1 : 0;
        }
        return n;
    }
}
