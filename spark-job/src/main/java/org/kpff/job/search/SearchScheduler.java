package org.kpff.job.search;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides a search's trials: which cells (trial × rung × fold) to run next, and when a trial is promoted to the
 * next rung, stopped, failed or completed. Grid and random search have one rung (each trial's own epochs);
 * successive halving has several.
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

    /** What was decided for a trial at a rung. */
    public enum Action {
        /** The trial goes on to the next rung. */
        PROMOTE,
        /** The trial stops at this rung; its results stay. */
        STOP,
        /** A cell of the trial failed deterministically at this rung. */
        FAIL,
        /** The trial finished the last rung. */
        COMPLETE;

        /** The lower-case name used in files. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@link #id()}. */
        public static Action parse(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT));
        }
    }

    /** Where a trial stands. */
    public enum TrialStatus {
        /** Not finished: cells to run or decisions to wait for. */
        PENDING,
        /** Trained to the last rung. */
        COMPLETED,
        /** Stopped at a rung by successive halving. */
        STOPPED,
        /** A cell failed deterministically (e.g. the loss diverged). */
        FAILED,
        /** A cell's Spark job failed after all retries in this attempt; rerun with --resume. */
        INCOMPLETE;

        /** The lower-case name used in files. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One decision.
     *
     * @param trial    the trial id (0-based trial order)
     * @param rung     the rung it was decided at, 0-based
     * @param action   promote, stop, fail or complete
     * @param foldMean the trial's fold-mean accuracy at that rung; NaN for a failed trial
     */
    public record Decision(int trial, int rung, Action action, double foldMean) {

        /** Whether two decisions decide the same thing (the accuracy is not compared). */
        public boolean sameAs(Decision other) {
            return trial == other.trial && rung == other.rung && action == other.action;
        }

        @Override
        public String toString() {
            return action.id() + " trial " + trial + " at rung " + rung
                    + (Double.isNaN(foldMean) ? "" : String.format(Locale.ROOT, " (fold-mean %.4f)", foldMean));
        }
    }

    /** One cell of a search: a trial's fold at a rung. */
    public record Segment(int trial, int rung, int fold) {
    }

    /**
     * How a cell ended.
     *
     * @param ok       whether it trained to the end
     * @param accuracy held-out accuracy after its last epoch; NaN when failed
     * @param reason   why it failed; empty when ok
     */
    public record FoldResult(boolean ok, double accuracy, String reason) {

        /** An ok cell with its final accuracy. */
        public static FoldResult ok(double accuracy) {
            return new FoldResult(true, accuracy, "");
        }

        /** A cell that failed deterministically. */
        public static FoldResult failed(String reason) {
            return new FoldResult(false, Double.NaN, Objects.requireNonNullElse(reason, ""));
        }
    }

    /** The epochs a trial has trained once it finishes a rung. */
    @FunctionalInterface
    public interface RungEpochs {
        int epochs(int trial, int rung);
    }

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
    private final double[][] foldMeans;
    private final TrialStatus[] status;
    private final int[] statusRung;
    private final String[] reasons;
    private final Map<Segment, State> states = new HashMap<>();
    private final Map<Segment, FoldResult> results = new HashMap<>();
    /** Restored cells of rungs whose promotion has not been replayed yet. */
    private final Map<Segment, FoldResult> pending = new HashMap<>();
    private final List<Decision> decisions = new ArrayList<>();

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
        }
        for (int t = 0; t < trials; t++) {
            entrants.get(0).add(t);
        }
        this.processed = new int[rungs];
        this.closed = new boolean[rungs];
        this.foldMeans = new double[trials][rungs];
        for (double[] row : foldMeans) {
            Arrays.fill(row, Double.NaN);
        }
        this.status = new TrialStatus[trials];
        Arrays.fill(status, TrialStatus.PENDING);
        this.statusRung = new int[trials];
        this.reasons = new String[trials];
    }

    // ---------------------------------------------------------------- dispatch

    /** The next cell to start: cells of promoted trials first (highest rung first), then new trials; marks it running. */
    public Optional<Segment> next() {
        for (int k = rungs - 1; k >= 1; k--) {
            for (int t : entrants.get(k)) {
                for (int f = 0; f < folds; f++) {
                    Segment s = new Segment(t, k, f);
                    if (!states.containsKey(s)) {
                        states.put(s, State.RUNNING);
                        return Optional.of(s);
                    }
                }
            }
        }
        while (!firstRung.isEmpty()) {
            Segment s = firstRung.poll();
            if (!states.containsKey(s)) {
                states.put(s, State.RUNNING);
                return Optional.of(s);
            }
        }
        return Optional.empty();
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
        if (segment.rung() > 0 && !entrants.get(segment.rung()).contains(segment.trial())) {
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
            status[segment.trial()] = TrialStatus.INCOMPLETE;
            statusRung[segment.trial()] = segment.rung();
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
                    Boolean ok = rungResult(t, k);
                    if (ok == null) {
                        break;
                    }
                    processed[k]++;
                    progress = true;
                    if (!ok) {
                        settle(t, k, TrialStatus.FAILED, new Decision(t, k, Action.FAIL, Double.NaN));
                    } else if (k == rungs - 1) {
                        settle(t, k, TrialStatus.COMPLETED, new Decision(t, k, Action.COMPLETE, foldMeans[t][k]));
                    } else {
                        List<Integer> best = ranked(in.subList(0, processed[k]), k);
                        for (int i = 0; i < Math.min(best.size(), processed[k] / eta); i++) {
                            promote(best.get(i), k);
                        }
                    }
                }
                if (!closed[k] && (k == 0 || closed[k - 1]) && processed[k] == in.size()) {
                    closed[k] = true;
                    progress = true;
                    if (k < rungs - 1) {
                        List<Integer> best = ranked(in, k);
                        if (promoted.get(k).isEmpty() && !best.isEmpty()) {
                            promote(best.get(0), k);
                        }
                        for (int t : best) {
                            if (!promoted.get(k).contains(t)) {
                                settle(t, k, TrialStatus.STOPPED, new Decision(t, k, Action.STOP, foldMeans[t][k]));
                            }
                        }
                    }
                }
            }
            // Cells of later rungs restored before their promotion was replayed.
            for (Map.Entry<Segment, FoldResult> e : List.copyOf(pending.entrySet())) {
                Segment s = e.getKey();
                if (entrants.get(s.rung()).contains(s.trial())) {
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
                if (reasons[trial] == null) {
                    reasons[trial] = "fold " + f + ": " + r.reason();
                }
            }
            sum += r.accuracy();
        }
        if (ok) {
            foldMeans[trial][rung] = sum / folds;
        }
        return ok;
    }

    /** The trials that are not failed, best fold-mean first, ties by lower id. */
    private List<Integer> ranked(List<Integer> among, int rung) {
        return among.stream().filter(t -> !Double.isNaN(foldMeans[t][rung]))
                .sorted(Comparator.comparingDouble((Integer t) -> -foldMeans[t][rung]).thenComparingInt(t -> t))
                .toList();
    }

    private void promote(int trial, int rung) {
        if (promoted.get(rung).add(trial)) {
            entrants.get(rung + 1).add(trial);
            decisions.add(new Decision(trial, rung, Action.PROMOTE, foldMeans[trial][rung]));
        }
    }

    private void settle(int trial, int rung, TrialStatus s, Decision d) {
        status[trial] = s;
        statusRung[trial] = rung;
        decisions.add(d);
    }

    // ---------------------------------------------------------------- reporting

    /** Every decision so far, in the order made. */
    public List<Decision> decisions() {
        return List.copyOf(decisions);
    }

    /** Whether every trial is completed, stopped or failed. */
    public boolean isFinished() {
        return Arrays.stream(status).allMatch(s -> s == TrialStatus.COMPLETED || s == TrialStatus.STOPPED
                || s == TrialStatus.FAILED);
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
        return status[trial];
    }

    /** The highest rung the trial entered. */
    public int rungReached(int trial) {
        for (int k = rungs - 1; k > 0; k--) {
            if (entrants.get(k).contains(trial)) {
                return k;
            }
        }
        return 0;
    }

    /** The highest rung at which the trial has a fold-mean accuracy, or −1 when it has none. */
    public int rungScored(int trial) {
        for (int k = rungs - 1; k >= 0; k--) {
            if (!Double.isNaN(foldMeans[trial][k])) {
                return k;
            }
        }
        return -1;
    }

    /** The trial's fold-mean accuracy at a rung; NaN when it has none there. */
    public double foldMean(int trial, int rung) {
        return foldMeans[trial][rung];
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
        return status[trial] == TrialStatus.FAILED ? reasons[trial] : null;
    }

    /** The epochs the trial has trained once it finishes a rung. */
    public int epochs(int trial, int rung) {
        return epochs.epochs(trial, rung);
    }

    /**
     * Epoch-cells a trial's finished cells trained: each cell of rung k counts the epochs from the previous rung's
     * end (its checkpoint) to its own; a cell counts once, however many task attempts it took.
     */
    public long epochCells(int trial) {
        long n = 0;
        for (Map.Entry<Segment, State> e : states.entrySet()) {
            Segment s = e.getKey();
            if (s.trial() == trial && e.getValue() == State.DONE) {
                n += epochs.epochs(s.trial(), s.rung()) - (s.rung() == 0 ? 0 : epochs.epochs(s.trial(), s.rung() - 1));
            }
        }
        return n;
    }

    /** Epoch-cells of all trials. */
    public long epochCells() {
        long n = 0;
        for (int t = 0; t < trials; t++) {
            n += epochCells(t);
        }
        return n;
    }

    /**
     * The trials ranked: first those with a fold-mean, by the highest rung they have one at, then that fold-mean
     * (higher first), then trial id; then the others by id.
     */
    public List<Integer> ranking() {
        List<Integer> ids = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            ids.add(t);
        }
        ids.sort(Comparator.comparingInt((Integer t) -> -rungScored(t))
                .thenComparingDouble(t -> rungScored(t) < 0 ? 0 : -foldMeans[t][rungScored(t)])
                .thenComparingInt(t -> t));
        return List.copyOf(ids);
    }

    /**
     * Compares the decisions a search recorded with those replayed from its committed results, rung by rung: at
     * every rung, the recorded sequence must be a prefix of the replayed one (the interleaving of rungs may differ,
     * it depends on when results arrived).
     *
     * @return the first disagreement as a sentence, or empty when they agree
     */
    public static Optional<String> firstConflict(List<Decision> recorded, List<Decision> replayed) {
        Map<Integer, List<Decision>> rec = byRung(recorded);
        Map<Integer, List<Decision>> rep = byRung(replayed);
        for (Map.Entry<Integer, List<Decision>> e : rec.entrySet()) {
            List<Decision> r = e.getValue();
            List<Decision> p = rep.getOrDefault(e.getKey(), List.of());
            for (int i = 0; i < r.size(); i++) {
                if (i >= p.size()) {
                    return Optional.of("decision '" + r.get(i) + "' was recorded but the committed results no longer "
                            + "lead to it (were committed cells removed?)");
                }
                if (!r.get(i).sameAs(p.get(i))) {
                    return Optional.of("decision " + (i + 1) + " at rung " + e.getKey() + " was '" + r.get(i)
                            + "' but the committed results now give '" + p.get(i) + "'");
                }
            }
        }
        return Optional.empty();
    }

    private static Map<Integer, List<Decision>> byRung(List<Decision> ds) {
        Map<Integer, List<Decision>> m = new java.util.TreeMap<>();
        for (Decision d : ds) {
            m.computeIfAbsent(d.rung(), k -> new ArrayList<>()).add(d);
        }
        return m;
    }
}
