package org.kpff.job.search;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Decides a search's trials: which cells (trial × rung × fold) to run next, and when a trial is promoted to the
 * next rung, stopped, failed, completed or (with {@link #prune}) pruned inside a rung. Grid and random search have one
 * rung (each trial's own epochs); successive halving and BOHB have several; tpe holds trials back with {@link #gate}.
 *
 * <p><b>Promotion rule (ASHA-style, deterministic).</b> Trials enter rung 0 in trial order and rung k + 1 in the order
 * they were promoted from rung k. A rung's results are taken in that entry order: when the first n entrants of
 * rung k all have their fold results, the best ⌊n / eta⌋ of them by fold-mean accuracy (ties: lower trial id;
 * failed trials never) are promoted if not already. When rung k can receive no more entrants and all of them have
 * results, the rung closes: if nobody was promoted from it, its best trial is (so a search always ends with at least
 * one trial trained to the full budget), and every other entrant is stopped; it keeps its cells and metrics.
 * Because decisions depend only on the results and never on the order in which they arrive, a search reaches the
 * same decisions however its cells were scheduled, retried or resumed, while the driver keeps every slot busy:
 * cells of promoted trials first (highest rung first), then new trials.
 *
 * <p>A trial whose cell failed deterministically at a rung is failed there; a trial whose cell's Spark job failed
 * after all retries stays incomplete (rerun with {@code --resume}). Not thread-safe: the driver calls it from one
 * thread.
 */
public final class SearchScheduler {

    private enum State { RUNNING, DONE, LOST }

    private final int trials;
    private final int rungs;
    private final int eta;
    private final int folds;
    private final RungEpochs epochs;
    private final Deque<Segment> firstRung;
    private final List<List<Integer>> entrants = new ArrayList<>();
    private final List<Set<Integer>> promoted = new ArrayList<>();
    private final int[] processed;
    private final boolean[] closed;
    /** Per rung: the promotion rule's ranking; its entrants' cells left to start, in order; per trial: rung reached. */
    private final List<RungRanking> rankings = new ArrayList<>();
    private final List<Deque<Segment>> toStart = new ArrayList<>();
    private final int[] reached;
    private final List<Trial> trialStates = new ArrayList<>();
    private final Map<Segment, State> states = new HashMap<>();
    private final Map<Segment, FoldResult> results = new HashMap<>();
    /** Restored cells of rungs whose promotion has not been replayed yet. */
    private final Map<Segment, FoldResult> pending = new HashMap<>();
    private final List<Decision> decisions = new ArrayList<>();
    private IntPredicate startable = t -> true;
    private FoldPruning pruning;

    /** What the scheduler knows of one trial. */
    private static final class Trial {
        /** Fold-mean accuracy per rung; NaN where the rung has none (not finished, or a fold failed). */
        final double[] foldMeans;
        TrialStatus status = TrialStatus.PENDING;
        /** The first failed fold's reason, or null. */
        String reason;

        Trial(int rungs) {
            foldMeans = new double[rungs];
            Arrays.fill(foldMeans, Double.NaN);
        }
    }

    /**
     * @param trials         number of trials (ids 0 .. trials − 1)
     * @param rungs          number of rungs (1 for grid and random search)
     * @param eta            reduction factor (≥ 2)
     * @param folds          folds per trial and rung
     * @param epochs         epochs a trial has trained after each rung (increasing in the rung)
     * @param firstRungOrder the order in which to start rung-0 cells (every trial × fold once), e.g. longest first
     */
    public SearchScheduler(int trials, int rungs, int eta, int folds, RungEpochs epochs, List<Segment> firstRungOrder) {
        if (trials < 1 || rungs < 1 || eta < 2 || folds < 1) {
            throw new IllegalArgumentException("SearchScheduler: trials = " + trials + ", rungs = " + rungs
                    + ", eta = " + eta + ", folds = " + folds + " must be >= 1, >= 1, >= 2 and >= 1");
        }
        if (firstRungOrder.size() != trials * folds || new LinkedHashSet<>(firstRungOrder).size() != trials * folds
                || firstRungOrder.stream().anyMatch(s -> s.rung() != 0 || s.trial() < 0 || s.trial() >= trials
                        || s.fold() < 0 || s.fold() >= folds)) {
            throw new IllegalArgumentException("SearchScheduler: firstRungOrder must hold every rung-0 segment of "
                    + trials + " trials x " + folds + " folds exactly once");
        }
        this.trials = trials;
        this.rungs = rungs;
        this.eta = eta;
        this.folds = folds;
        this.epochs = epochs;
        this.firstRung = new ArrayDeque<>(firstRungOrder);
        for (int k = 0; k < rungs; k++) {
            entrants.add(new ArrayList<>());
            promoted.add(new LinkedHashSet<>());
            int rung = k;
            rankings.add(new RungRanking(eta, t -> mean(t, rung)));
            toStart.add(new ArrayDeque<>());
        }
        for (int t = 0; t < trials; t++) {
            entrants.get(0).add(t);
        }
        this.processed = new int[rungs];
        this.closed = new boolean[rungs];
        this.reached = new int[trials];
        for (int t = 0; t < trials; t++) {
            trialStates.add(new Trial(rungs));
        }
    }

    // ---------------------------------------------------------------- dispatch

    /** The next cell to start: cells of promoted trials first (highest rung first), then new trials; marks it running. */
    public Optional<Segment> next() {
        for (int k = rungs - 1; k >= 1; k--) {
            for (Segment s = toStart.get(k).poll(); s != null; s = toStart.get(k).poll()) {
                if (!states.containsKey(s) && !trialStates.get(s.trial()).status.isFinal()) {
                    states.put(s, State.RUNNING);
                    return Optional.of(s);
                }
            }
        }
        for (Segment s = firstRung.peek(); s != null; s = firstRung.peek()) {
            boolean skip = states.containsKey(s) || trialStates.get(s.trial()).status.isFinal();
            if (!skip && !startable.test(s.trial())) {
                return Optional.empty();
            }
            firstRung.poll();
            if (!skip) {
                states.put(s, State.RUNNING);
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Holds back the rung-0 cells of trials the predicate rejects (a model-based sampler's trials not proposed yet):
     * {@link #next} then gives promoted trials' cells only, until the next trial in rung-0 order is startable.
     */
    public void gate(IntPredicate startable) {
        this.startable = Objects.requireNonNull(startable, "startable");
    }

    /** Stops trials inside a rung when {@link FoldPruning} says so; their cells not yet started never run. */
    public void prune(FoldPruning p) {
        this.pruning = Objects.requireNonNull(p, "pruning");
    }

    /**
     * A started cell ended.
     *
     * @param result its result, or null when its Spark job failed after all retries (the trial stays incomplete)
     * @return the decisions this result led to, in order
     */
    public List<Decision> finished(Segment segment, FoldResult result) {
        if (states.get(segment) != State.RUNNING) {
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
        if (states.containsKey(segment)) {
            throw new IllegalStateException("Segment " + segment + " is already known");
        }
        if (segment.rung() > 0 && reached[segment.trial()] < segment.rung()) {
            // A later rung's cell is only known once its promotion has been replayed: keep it for then.
            pending.put(segment, result);
            return List.of();
        }
        return record(segment, result);
    }

    private List<Decision> record(Segment segment, FoldResult result) {
        int before = decisions.size();
        if (result == null) {
            states.put(segment, State.LOST);
            trialStates.get(segment.trial()).status = TrialStatus.INCOMPLETE;
        } else {
            states.put(segment, State.DONE);
            results.put(segment, result);
        }
        decide();
        return List.copyOf(decisions.subList(before, decisions.size()));
    }

    // ---------------------------------------------------------------- decisions

    private void decide() {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int k = 0; k < rungs; k++) {
                List<Integer> in = entrants.get(k);
                while (processed[k] < in.size()) {
                    int t = in.get(processed[k]);
                    int seen = pruning == null ? 0 : pruning.look(this, t, k, in.subList(0, processed[k]));
                    if (seen > 0) {
                        processedOne(t, k);
                        progress = true;
                        settle(t, TrialStatus.PRUNED, new Decision(t, k, Action.PRUNE, Double.NaN, seen));
                        continue;
                    }
                    Boolean ok = rungResult(t, k);
                    if (ok == null) {
                        break;
                    }
                    processedOne(t, k);
                    progress = true;
                    if (!ok) {
                        settle(t, TrialStatus.FAILED, new Decision(t, k, Action.FAIL, Double.NaN));
                    } else if (k == rungs - 1) {
                        settle(t, TrialStatus.COMPLETED, new Decision(t, k, Action.COMPLETE, mean(t, k)));
                    } else {
                        for (Integer due = rankings.get(k).due(); due != null; due = rankings.get(k).due()) {
                            promote(due, k);
                        }
                    }
                }
                if (!closed[k] && (k == 0 || closed[k - 1]) && processed[k] == in.size()) {
                    closed[k] = true;
                    progress = true;
                    if (k < rungs - 1) {
                        List<Integer> best = rankings.get(k).ranked();
                        if (promoted.get(k).isEmpty() && !best.isEmpty()) {
                            promote(best.get(0), k);
                        }
                        for (int t : best) {
                            if (!promoted.get(k).contains(t)) {
                                settle(t, TrialStatus.STOPPED, new Decision(t, k, Action.STOP, mean(t, k)));
                            }
                        }
                    }
                }
            }
            // Cells of later rungs restored before their promotion was replayed.
            for (Map.Entry<Segment, FoldResult> e : List.copyOf(pending.entrySet())) {
                Segment s = e.getKey();
                if (reached[s.trial()] >= s.rung()) {
                    pending.remove(s);
                    states.put(s, State.DONE);
                    results.put(s, e.getValue());
                    progress = true;
                }
            }
        }
    }

    /** True when all folds of the trial at the rung are ok, false when all are done and one failed, else null. */
    private Boolean rungResult(int trial, int rung) {
        double sum = 0;
        boolean ok = true;
        for (int f = 0; f < folds; f++) {
            FoldResult r = results.get(new Segment(trial, rung, f));
            if (r == null) {
                return null;
            }
            if (!r.ok()) {
                ok = false;
                if (trialStates.get(trial).reason == null) {
                    trialStates.get(trial).reason = "fold " + f + ": " + r.reason();
                }
            }
            sum += r.accuracy();
        }
        if (ok) {
            trialStates.get(trial).foldMeans[rung] = sum / folds;
        }
        return ok;
    }

    /** One more entrant of the rung has its result (ok, failed or pruned). */
    private void processedOne(int trial, int rung) {
        processed[rung]++;
        rankings.get(rung).processed(trial, rung < rungs - 1 && !Double.isNaN(mean(trial, rung)));
    }

    private void promote(int trial, int rung) {
        if (promoted.get(rung).add(trial)) {
            rankings.get(rung).promoted(trial);
            reached[trial] = rung + 1;
            entrants.get(rung + 1).add(trial);
            for (int f = 0; f < folds; f++) {
                toStart.get(rung + 1).add(new Segment(trial, rung + 1, f));
            }
            decisions.add(new Decision(trial, rung, Action.PROMOTE, mean(trial, rung)));
        }
    }

    private void settle(int trial, TrialStatus s, Decision d) {
        trialStates.get(trial).status = s;
        decisions.add(d);
    }

    // ---------------------------------------------------------------- reporting

    /** Every decision so far, in the order made. */
    public List<Decision> decisions() {
        return List.copyOf(decisions);
    }

    /** Whether every trial is completed, stopped or failed. */
    public boolean isFinished() {
        return trialStates.stream().allMatch(t -> t.status.isFinal());
    }

    /** Number of trials. */
    public int trials() {
        return trials;
    }

    /** Number of rungs. */
    public int rungs() {
        return rungs;
    }

    /** A trial's status. */
    public TrialStatus status(int trial) {
        return trialStates.get(trial).status;
    }

    /** The highest rung the trial entered. */
    public int rungReached(int trial) {
        return reached[trial];
    }

    /** The entrants of a rung whose results are in (ok or failed), in entry order; only ever grows at the end. */
    public List<Integer> scored(int rung) {
        return List.copyOf(entrants.get(rung).subList(0, processed[rung]));
    }

    /** The highest rung at which the trial has a fold-mean accuracy, or −1 when it has none. */
    public int rungScored(int trial) {
        for (int k = rungs - 1; k >= 0; k--) {
            if (!Double.isNaN(mean(trial, k))) {
                return k;
            }
        }
        return -1;
    }

    /** The trial's fold-mean accuracy at a rung; NaN when it has none there. */
    public double foldMean(int trial, int rung) {
        return mean(trial, rung);
    }

    private double mean(int trial, int rung) {
        return trialStates.get(trial).foldMeans[rung];
    }

    /** The fold accuracies of a trial at a rung, in fold order; empty unless every fold is ok. */
    public List<Double> foldAccuracies(int trial, int rung) {
        List<Double> out = new ArrayList<>();
        for (int f = 0; f < folds; f++) {
            FoldResult r = results.get(new Segment(trial, rung, f));
            if (r == null || !r.ok()) {
                return List.of();
            }
            out.add(r.accuracy());
        }
        return out;
    }

    /** Why the trial failed (its first failed fold), or null. */
    public String failureReason(int trial) {
        Trial t = trialStates.get(trial);
        return t.status == TrialStatus.FAILED ? t.reason : null;
    }

    /** The epochs the trial has trained once it finishes a rung. */
    public int epochs(int trial, int rung) {
        return epochs.epochs(trial, rung);
    }

    /** The result of a cell that ended (ok or failed), or null. */
    public FoldResult result(Segment s) {
        return results.get(s);
    }

    /** Whether a cell was ever started (or restored). */
    public boolean started(Segment s) {
        return states.containsKey(s);
    }
}
