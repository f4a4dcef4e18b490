package org.kpff.job.search;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The order in which a {@link SearchScheduler} starts cells: cells of promoted trials first (highest rung first,
 * brackets in order, entry order), then the first-rung cells of new trials in the given order, as far as the gate (a
 * model-based sampler's trials not proposed yet) and the budget ({@link Admission}) let them start.
 */
final class CellQueue {

    private final Deque<Segment> firstRung;
    /** Per bracket and rung above its first: the cells of promoted trials, in promotion order, fold by fold. */
    private final java.util.Map<Integer, java.util.Map<Integer, Deque<Segment>>> promotedCells =
            new java.util.HashMap<>();
    private IntPredicate startable = t -> true;

    /**
     * @throws IllegalArgumentException unless the order holds every trial's first-rung cell on every fold once
     */
    CellQueue(List<Segment> firstRungOrder, int trials, int folds, int[] bracketOf) {
        if (firstRungOrder.size() != trials * folds || new HashSet<>(firstRungOrder).size() != trials * folds
                || firstRungOrder.stream().anyMatch(s -> s.trial() < 0 || s.trial() >= trials
                        || s.rung() != bracketOf[s.trial()] || s.fold() < 0 || s.fold() >= folds)) {
            throw new IllegalArgumentException("SearchScheduler: firstRungOrder must hold every first-rung segment of "
                    + trials + " trials x " + folds + " folds exactly once");
        }
        this.firstRung = new ArrayDeque<>(firstRungOrder);
    }

    /** A trial of the bracket entered a rung: its cells there (given fold 0) queue behind the earlier entrants'. */
    void promoted(int bracket, Segment entered, int folds) {
        Deque<Segment> q = promotedCells.computeIfAbsent(bracket, b -> new java.util.HashMap<>())
                .computeIfAbsent(entered.rung(), k -> new ArrayDeque<>());
        for (int f = 0; f < folds; f++) {
            q.add(new Segment(entered.trial(), entered.rung(), f));
        }
    }

    void gate(IntPredicate p) {
        this.startable = p;
    }

    /** Checks that the first-rung order lists the trials in trial order (a budget admits them so). */
    void requireTrialOrder() {
        int previous = -1;
        for (Segment s : firstRung) {
            if (s.trial() < previous) {
                throw new IllegalArgumentException("A budgeted search starts its trials in trial order; the first-rung "
                        + "order has trial " + s.trial() + " after trial " + previous);
            }
            previous = s.trial();
        }
    }

    /**
     * The next cell to start, marked running; empty when none can start now. When the next trial does not fit in the
     * budget and no cell is running, the search admits no more trials, decides what that closes, and looks again.
     */
    Optional<Segment> next(SearchScheduler s, TrialLedger ledger, Admission admission, List<AshaBracket> brackets,
            int rungs, int folds) {
        while (true) {
            for (int k = rungs - 1; k >= 1; k--) {
                for (AshaBracket b : brackets) {
                    Deque<Segment> q = promotedCells.getOrDefault(b.id(), java.util.Map.of()).get(k);
                    // Each queued cell is looked at once: started now, or already known or of a finished trial.
                    for (Segment seg = q == null ? null : q.poll(); seg != null; seg = q.poll()) {
                        if (!ledger.known(seg) && !ledger.status(seg.trial()).isFinal()) {
                            ledger.start(seg);
                            return Optional.of(seg);
                        }
                    }
                }
            }
            boolean closedNow = false;
            for (Segment seg = firstRung.peek(); seg != null; seg = firstRung.peek()) {
                int t = seg.trial();
                boolean skip = ledger.known(seg) || ledger.status(t).isFinal()
                        || admission.closed() && t >= admission.admitted();
                if (!skip && !startable.test(t)) {
                    return Optional.empty();
                }
                if (!skip && t >= admission.admitted()) {
                    if (!admission.fitsNext(seg.rung())) {
                        if (ledger.running() > 0) {
                            return Optional.empty();
                        }
                        admission.close();
                        closedNow = true;
                        break;
                    }
                    s.admit(t);
                }
                firstRung.poll();
                if (!skip) {
                    ledger.start(seg);
                    return Optional.of(seg);
                }
            }
            if (!closedNow) {
                return Optional.empty();
            }
            s.decide();
        }
    }
}
