package org.kpff.job.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Decides a search's trials: which cells (trial × rung × fold) to run next, and when a trial is promoted to the
 * next rung, stopped, failed, completed or (with {@link #prune}) pruned inside a rung. Grid and random search have one
 * rung (each trial's own epochs); successive halving and BOHB have several; tpe holds trials back with {@link #gate}.
 * The promotion rule is {@link AshaBracket}'s; Hyperband ({@code search.brackets}) runs several brackets side by side,
 * each trial in one, bracket b's trials starting at rung b.
 *
 * <p>Because decisions depend only on the results and never on the order in which they arrive, a search reaches the
 * same decisions however its cells were scheduled, retried or resumed, while the driver keeps every slot busy:
 * cells of promoted trials first (highest rung first), then new trials in trial order.
 *
 * <p><b>Budget</b> ({@link #budget}, {@link EpochBudget}): trials are admitted in trial order when the driver asks for
 * a cell, each only if its first rung fits; a promotion only if it fits, else the trial stops ({@code over-budget}).
 * When the next trial does not fit and no cell is running (nothing can be given back), no more trials start:
 * {@link #trials()} becomes the number started. Which trials fit depends on timing, so a budgeted search's journal
 * records its admissions and refusals, and a resumed one replays them ({@link #replay}).
 *
 * <p>A trial whose cell failed deterministically at a rung is failed there; a trial whose cell's Spark job failed
 * after all retries stays incomplete (rerun with {@code --resume}). Not thread-safe: the driver calls it from one
 * thread.
 */
public final class SearchScheduler {

    private final int capacity;
    private final int rungs;
    private final int folds;
    private final RungEpochs epochs;
    private final CellQueue queue;
    private final List<AshaBracket> brackets = new ArrayList<>();
    private final int[] bracketOf;
    /** Per trial: the highest rung it entered (its bracket's first until promoted). */
    private final int[] reached;
    private final TrialLedger ledger;
    /** Restored cells of rungs whose promotion has not been replayed yet. */
    private final Map<Segment, FoldResult> pending = new HashMap<>();
    private final List<Decision> decisions = new ArrayList<>();
    private FoldPruning pruning;
    private Admission admission;

    /**
     * One bracket from rung 0 (grid, random, asha, tpe).
     *
     * @param trials         number of trials (ids 0 .. trials − 1)
     * @param rungs          number of rungs (1 for grid and random search)
     * @param eta            reduction factor (≥ 2)
     * @param folds          folds per trial and rung
     * @param epochs         epochs a trial has trained after each rung (increasing in the rung)
     * @param firstRungOrder the order in which to start rung-0 cells (every trial × fold once), e.g. longest first
     */
    public SearchScheduler(int trials, int rungs, int eta, int folds, RungEpochs epochs, List<Segment> firstRungOrder) {
        this(trials, rungs, eta, folds, epochs, firstRungOrder, new int[trials]);
    }

    /**
     * Brackets: trial t in bracket {@code bracketOf[t]}, which starts its trials at that rung.
     *
     * @param firstRungOrder the order in which to start each trial's first-rung cells (every trial × fold once)
     * @param bracketOf      each trial's bracket, 0 .. rungs − 1 (bracket b starts at rung b)
     */
    public SearchScheduler(int trials, int rungs, int eta, int folds, RungEpochs epochs, List<Segment> firstRungOrder,
            int[] bracketOf) {
        if (trials < 1 || rungs < 1 || eta < 2 || folds < 1 || bracketOf.length != trials) {
            throw new IllegalArgumentException("SearchScheduler: trials = " + trials + ", rungs = " + rungs
                    + ", eta = " + eta + ", folds = " + folds + " must be >= 1, >= 1, >= 2 and >= 1, with a bracket "
                    + "per trial");
        }
        int count = 1 + java.util.Arrays.stream(bracketOf).max().orElse(0);
        if (count > rungs || java.util.Arrays.stream(bracketOf).min().orElse(0) < 0) {
            throw new IllegalArgumentException("SearchScheduler: brackets must be in 0.." + (rungs - 1));
        }
        this.capacity = trials;
        this.rungs = rungs;
        this.folds = folds;
        this.epochs = epochs;
        this.queue = new CellQueue(firstRungOrder, trials, folds, bracketOf);
        this.bracketOf = bracketOf.clone();
        this.reached = bracketOf.clone();
        for (int b = 0; b < count; b++) {
            brackets.add(new AshaBracket(this, b, b, rungs - 1, eta));
        }
        this.ledger = new TrialLedger(trials, rungs, folds);
        for (int t = 0; t < trials; t++) {
            brackets.get(bracketOf[t]).admit(t);
        }
        this.admission = new Admission(trials);
    }

    // ---------------------------------------------------------------- dispatch

    /**
     * The next cell to start: cells of promoted trials first (highest rung first), then new trials (with a budget,
     * only those that fit); marks it running.
     */
    public Optional<Segment> next() {
        return queue.next(this, ledger, admission, brackets, rungs, folds);
    }

    /** Admits the trials up to this one (a budgeted search; those before it first). */
    void admit(int trial) {
        while (admission.admitted() <= trial) {
            int t = admission.admitted();
            brackets.get(bracketOf[t]).admit(t);
            admission.admitNext(bracketOf[t]);
        }
    }

    /**
     * Holds back the first-rung cells of trials the predicate rejects (a model-based sampler's trials not proposed
     * yet): {@link #next} then gives promoted trials' cells only, until the next trial in first-rung order is
     * startable.
     */
    public void gate(IntPredicate startable) {
        queue.gate(Objects.requireNonNull(startable, "startable"));
    }

    /** Stops trials inside a rung when {@link FoldPruning} says so; their cells not yet started never run. */
    public void prune(FoldPruning p) {
        this.pruning = Objects.requireNonNull(p, "pruning");
    }

    /**
     * Spends at most {@code epochCells} epoch-cells ({@link EpochBudget}); call before any cell starts. Trials are then
     * admitted in trial order as they fit; the first-rung order must list the trials in trial order.
     */
    public void budget(long epochCells) {
        if (ledger.running() > 0 || !decisions.isEmpty() || admission.budget() != null) {
            throw new IllegalStateException("search.budget must be set once, before the search starts");
        }
        queue.requireTrialOrder();
        admission = new Admission(capacity, new EpochBudget(epochCells, folds, rungs, epochs));
        brackets.forEach(b -> b.entrants(b.first()).clear());
    }

    /**
     * A resumed budgeted search (no-op without a budget): admits the trials its journal says had started (and
     * closes admission if it had), and takes its recorded promotions and refusals as decided until {@link #endReplay};
     * a promotion the journal does not record waits until then, when the budget decides it with everything restored.
     */
    public void replay(List<Decision> recorded, int started, boolean closed) {
        if (admission.budget() == null) {
            return;
        }
        admit(Math.min(capacity, started) - 1);
        admission.replay(recorded, closed);
    }

    /**
     * Ends a {@link #replay}: the promotions that waited are decided now.
     *
     * @return the decisions that led to
     */
    public List<Decision> endReplay() {
        int before = decisions.size();
        if (admission.endReplay()) {
            decide();
        }
        return List.copyOf(decisions.subList(before, decisions.size()));
    }

    /**
     * A started cell ended.
     *
     * @param result its result, or null when its Spark job failed after all retries (the trial stays incomplete)
     * @return the decisions this result led to, in order
     */
    public List<Decision> finished(Segment segment, FoldResult result) {
        if (!ledger.isRunning(segment)) {
            throw new IllegalStateException("Segment " + segment + " was not running");
        }
        return record(segment, result);
    }

    /**
     * A cell committed by an earlier attempt of the search (resume): recorded as if it had just finished.
     *
     * @return the decisions this result led to, in order
     * @throws IllegalArgumentException when the cell is not one the search can have started
     */
    public List<Decision> restore(Segment segment, FoldResult result) {
        Objects.requireNonNull(result, "result");
        if (ledger.known(segment)) {
            throw new IllegalStateException("Segment " + segment + " is already known");
        }
        int t = segment.trial();
        if (reached[t] < segment.rung()) {
            // A later rung's cell is only known once its promotion has been replayed: keep it for then.
            pending.put(segment, result);
            return List.of();
        }
        admit(t);
        return record(segment, result);
    }

    private List<Decision> record(Segment segment, FoldResult result) {
        int before = decisions.size();
        admission.ran(segment, bracketOf[segment.trial()]);
        ledger.ended(segment, result);
        decide();
        return List.copyOf(decisions.subList(before, decisions.size()));
    }

    // ---------------------------------------------------------------- decisions

    void decide() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (AshaBracket b : brackets) {
                progress |= b.step();
            }
            // Cells of later rungs restored before their promotion was replayed.
            for (Map.Entry<Segment, FoldResult> e : List.copyOf(pending.entrySet())) {
                Segment s = e.getKey();
                if (reached[s.trial()] >= s.rung()) {
                    pending.remove(s);
                    ledger.ended(s, e.getValue());
                    progress = true;
                }
            }
        }
    }

    /** Fold pruning's look at the trial next in the rung's entry order: the folds after which it is pruned, or 0. */
    int pruneLook(int trial, int rung, List<Integer> before) {
        return pruning == null ? 0 : pruning.look(this, trial, rung, before);
    }

    TrialLedger ledger() {
        return ledger;
    }

    /** Whether the search admits no more trials (always, without a budget). */
    boolean admissionClosed() {
        return admission.closed();
    }

    /** Whether these promotions from the rung can be decided now (not while a replay lacks one of them). */
    boolean mayDecide(List<Integer> owed, int rung) {
        return admission.mayDecide(owed, rung);
    }

    /** Whether the trial's promotion from the rung is granted: always without a budget; else if it fits. */
    boolean verdict(int trial, int rung) {
        return admission.grants(trial, rung, bracketOf[trial]);
    }

    /** Records a granted promotion (the bracket has entered the trial in the next rung). */
    void promoted(int trial, int rung, Decision d) {
        admission.promoted(trial, rung, bracketOf[trial]);
        reached[trial] = rung + 1;
        queue.promoted(bracketOf[trial], new Segment(trial, rung + 1, 0), folds);
        decisions.add(d);
    }

    /** Records a trial's decision; a trial stopped inside its rung gives its unstarted cells back to the budget. */
    void settle(int trial, TrialStatus s, Decision d) {
        ledger.status(trial, s);
        decisions.add(d);
        for (int f = 0; f < folds && s.isFinal(); f++) {
            Segment seg = new Segment(trial, d.rung(), f);
            if (!ledger.known(seg)) {
                admission.release(seg, bracketOf[trial]);
            }
        }
    }

    // ---------------------------------------------------------------- reporting

    /** Every decision so far, in the order made. */
    public List<Decision> decisions() {
        return List.copyOf(decisions);
    }

    /** The number of decisions so far (cheaper than {@link #decisions()}). */
    public int decisionCount() {
        return decisions.size();
    }

    /** Whether every trial is completed, stopped, failed or pruned (with a budget: every trial it started). */
    public boolean isFinished() {
        for (int t = 0; t < trials(); t++) {
            if (!ledger.status(t).isFinal()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Number of trials: those given; with a budget, once it admits no more, those it started (ids 0 .. trials − 1).
     */
    public int trials() {
        return admission.trials();
    }

    /** Trials started so far (all of them without a budget). */
    public int startedTrials() {
        return admission.admitted();
    }

    /** Whether the search starts no more trials (always without a budget). */
    public boolean admissionDone() {
        return admission.closed();
    }

    /** The budget in epoch-cells, or 0 without one. */
    public long budget() {
        return admission.budget() == null ? 0 : admission.budget().limit();
    }

    /** Number of rungs. */
    public int rungs() {
        return rungs;
    }

    /** Number of brackets (1 unless Hyperband). */
    public int brackets() {
        return brackets.size();
    }

    /** The trial's bracket, which is also the rung it starts at. */
    public int bracket(int trial) {
        return bracketOf[trial];
    }

    /** A trial's status. */
    public TrialStatus status(int trial) {
        return ledger.status(trial);
    }

    /** The trials the search could start: those given (a budget may start fewer). */
    public int capacity() {
        return capacity;
    }

    /** The highest rung the trial entered. */
    public int rungReached(int trial) {
        return reached[trial];
    }

    /** The entrants of a bracket's rung whose results are in, in entry order; only ever grows at the end. */
    public List<Integer> scored(int bracket, int rung) {
        return brackets.get(bracket).scored(rung);
    }

    /**
     * The entrants a bracket's rung + 1 had right after the first {@code m} entrants of the rung were processed (m
     * at most {@code scored(bracket, rung).size()}); they stay its first entrants.
     */
    int nextAfter(int bracket, int rung, int m) {
        return brackets.get(bracket).nextAfter(rung, m);
    }

    /** The highest rung at which the trial has a fold-mean accuracy, or −1 when it has none. */
    public int rungScored(int trial) {
        return ledger.rungScored(trial);
    }

    /** The trial's fold-mean accuracy at a rung; NaN when it has none there. */
    public double foldMean(int trial, int rung) {
        return ledger.foldMean(trial, rung);
    }

    /** The fold accuracies of a trial at a rung, in fold order; empty unless every fold is ok. */
    public List<Double> foldAccuracies(int trial, int rung) {
        return ledger.foldAccuracies(trial, rung);
    }

    /** Why the trial failed (its first failed fold), or null. */
    public String failureReason(int trial) {
        return ledger.failureReason(trial);
    }

    /** The epochs the trial has trained once it finishes a rung. */
    public int epochs(int trial, int rung) {
        return epochs.epochs(trial, rung);
    }

    /** The result of a cell that ended (ok or failed), or null. */
    public FoldResult result(Segment s) {
        return ledger.result(s);
    }

    /** Whether a cell was ever started (or restored). */
    public boolean started(Segment s) {
        return ledger.known(s);
    }
}
