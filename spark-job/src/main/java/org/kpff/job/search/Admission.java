package org.kpff.job.search;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which trials a {@link SearchScheduler} has started and whether it starts more, and the promotions
 * {@code search.budget} grants ({@link EpochBudget}). Without a budget every trial is admitted from the start and
 * every promotion is granted. With one, trials are admitted in trial order while they fit, and a resumed search
 * replays the admissions and refusals its journal recorded instead of deciding them again (which trials fit depends
 * on what was reserved when they were asked for, so on timing).
 */
final class Admission {

    private final int capacity;
    private final EpochBudget budget;
    private int admitted;
    private boolean closed;
    /** Cells given back to the budget: their trial stopped inside the rung before they started. */
    private final Set<Segment> released = new HashSet<>();
    /** While a resumed search replays its journal: its promote and over-budget decisions by (trial, rung, −1). */
    private Map<Segment, Action> replaying;

    /** Every trial admitted, no budget. */
    Admission(int capacity) {
        this.capacity = capacity;
        this.budget = null;
        this.admitted = capacity;
        this.closed = true;
    }

    /** No trial admitted yet; trials start while they fit in the budget. */
    Admission(int capacity, EpochBudget budget) {
        this.capacity = capacity;
        this.budget = budget;
    }

    EpochBudget budget() {
        return budget;
    }

    /** Trials 0 .. admitted − 1 have started. */
    int admitted() {
        return admitted;
    }

    /** Whether no more trials will start. */
    boolean closed() {
        return closed;
    }

    void close() {
        closed = true;
    }

    /** Admits the next trial (its first rung reserved, without a check); after the last one, admission closes. */
    void admitNext(int firstRung) {
        budget.enter(admitted, firstRung, firstRung);
        admitted++;
        closed |= admitted == capacity;
    }

    /** Whether the next trial fits (a budget must be set). */
    boolean fitsNext(int firstRung) {
        return budget.fitsStart(admitted, firstRung);
    }

    /** Starts a replay of the journal's decisions (budgeted searches only; the caller admits the started trials). */
    void replay(List<Decision> recorded, boolean closedThen) {
        closed = closedThen;
        replaying = new HashMap<>();
        for (Decision d : recorded) {
            if (d.action() == Action.PROMOTE || d.action() == Action.OVER_BUDGET) {
                replaying.put(new Segment(d.trial(), d.rung(), -1), d.action());
            }
        }
    }

    /** Ends the replay; true when one was under way (the scheduler then decides what waited). */
    boolean endReplay() {
        boolean was = replaying != null;
        replaying = null;
        return was;
    }

    /** Whether these promotions from the rung can be decided now (not while the replay lacks one of them). */
    boolean mayDecide(List<Integer> owed, int rung) {
        return replaying == null || owed.stream().allMatch(t -> replaying.containsKey(new Segment(t, rung, -1)));
    }

    /** Whether the promotion is granted: always without a budget; as recorded while replaying; else if it fits. */
    boolean grants(int trial, int rung, int firstRung) {
        if (budget == null) {
            return true;
        }
        if (replaying != null) {
            return replaying.get(new Segment(trial, rung, -1)) == Action.PROMOTE;
        }
        return budget.fitsPromotion(trial, rung, firstRung);
    }

    /** A granted promotion: its next rung reserved. */
    void promoted(int trial, int rung, int firstRung) {
        if (budget != null) {
            budget.enter(trial, rung + 1, firstRung);
        }
    }

    /** A cell of a trial stopped inside its rung, never started: given back. */
    void release(Segment s, int firstRung) {
        if (budget != null && released.add(s)) {
            budget.release(s.trial(), s.rung(), firstRung);
        }
    }

    /** A cell ended or was restored: if it had been given back, it is reserved again. */
    void ran(Segment s, int firstRung) {
        if (budget != null && released.remove(s)) {
            budget.unrelease(s.trial(), s.rung(), firstRung);
        }
    }

    /** Number of trials the search may still start: those given, or once closed those started. */
    int trials() {
        return closed ? admitted : capacity;
    }
}
