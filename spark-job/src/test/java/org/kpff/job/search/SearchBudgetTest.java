package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * search.budget in the scheduler on scripted results: the arithmetic of {@link EpochBudget}, the exact trials and
 * epoch-cells a budget affords, never more spent than the budget whatever the slots and arrival order, at least one
 * trial at the full budget, the epoch-cells fold pruning gives back buying more trials, and a resumed search that
 * replays its journal reaching the same decisions.
 */
class SearchBudgetTest {

    static final int FOLDS = 2;
    static final List<Integer> RUNGS = List.of(1, 3, 9);

    /** Accuracy of a cell: trial t's quality (a fixed scramble of the ids) plus a little per rung and fold. */
    static FoldResult accuracy(Segment s) {
        double q = ((s.trial() * 7919L) % 101) / 101.0;
        return FoldResult.ok(0.3 * q + 0.1 * s.rung() + (s.fold() == 0 ? 0.01 : -0.01));
    }

    static SearchScheduler scheduler(int trials, long budget) {
        List<Segment> first = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            for (int f = 0; f < FOLDS; f++) {
                first.add(new Segment(t, 0, f));
            }
        }
        SearchScheduler s = new SearchScheduler(trials, RUNGS.size(), 3, FOLDS, (t, k) -> RUNGS.get(k), first);
        if (budget > 0) {
            s.budget(budget);
        }
        return s;
    }

    /** Runs the search with {@code slots} cells in flight; each step the oldest (seed 0) or a random one ends. */
    static Map<Segment, FoldResult> simulate(SearchScheduler s, int slots, long seed) {
        Map<Segment, FoldResult> ran = new LinkedHashMap<>();
        List<Segment> running = new ArrayList<>();
        Random rng = seed == 0 ? null : new Random(seed);
        while (true) {
            while (running.size() < slots) {
                Optional<Segment> next = s.next();
                if (next.isEmpty()) {
                    break;
                }
                running.add(next.get());
            }
            if (running.isEmpty()) {
                return ran;
            }
            Segment done = running.remove(rng == null ? 0 : rng.nextInt(running.size()));
            FoldResult r = accuracy(done);
            ran.put(done, r);
            s.finished(done, r);
            assertTrue(s.budget() == 0 || EpochCells.of(s, FOLDS) <= s.budget());
        }
    }

    @Test
    void theArithmeticReservesFirstRungsAndPromotionsAndKeepsBackOneClimb() {
        EpochBudget b = new EpochBudget(40, FOLDS, 3, (t, k) -> RUNGS.get(k));
        assertEquals(FOLDS * (9 - 1), b.keptBack(0));
        assertEquals(FOLDS * (9 - 3), b.keptBack(1));
        assertEquals(0, b.keptBack(2));
        assertEquals(1, b.cell(0, 0, 0));
        assertEquals(2, b.cell(0, 1, 0));
        assertEquals(6, b.cell(0, 2, 0));
        // A first trial needs 2 x 1 for its first rung plus 2 x 8 kept back: 18 <= 40.
        assertTrue(b.fitsStart(0, 0));
        for (int t = 0; t < 12; t++) {
            b.enter(t, 0, 0);
        }
        // 24 reserved + 2 x 1 + 16 kept back = 42 > 40: a 13th trial does not fit; the frontier's climb always does.
        assertFalse(b.fitsStart(12, 0));
        assertTrue(b.fitsPromotion(3, 0, 0));
        b.enter(3, 1, 0);
        assertEquals(28, b.reserved());
        // Another rung-1 promotion: 28 + 4 + 12 kept back = 44 > 40; from rung 1 to 2 (the frontier): 28 + 12 = 40.
        assertFalse(b.fitsPromotion(5, 0, 0));
        assertTrue(b.fitsPromotion(3, 1, 0));
        b.release(7, 0, 0);
        assertEquals(27, b.reserved());
        b.unrelease(7, 0, 0);
        assertEquals(28, b.reserved());
    }

    @Test
    void aBudgetAffordsExactlyTheTrialsThatFitAndTrainsOneToTheEnd() {
        // One slot, trial by trial, 2 folds, rungs 1, 3, 9: a trial's first rung reserves 2, a promotion to rung 1 4,
        // to rung 2 12; 2 x (9 - 1) = 16 is kept back before anyone reaches rung 1, 12 after. Trials 0-2 reserve 6;
        // the best of them goes to rung 1 (6 + 4 + 12 = 22); trials 3-5 (28 with what is kept back); after 6 entrants
        // a second promotion to rung 1 would need 16 + 4 + 12 = 32 > 30: refused; trial 6 fits exactly (16 + 2 + 12 =
        // 30), trial 7 does not, so 7 trials; rung 1 closes and its best climbs to 9 epochs with what was kept back.
        SearchScheduler s = scheduler(40, 30);
        simulate(s, 1, 0);
        assertTrue(s.isFinished());
        long spent = EpochCells.of(s, FOLDS);
        assertTrue(spent <= 30, "spent " + spent);
        assertEquals(s.startedTrials(), s.trials());
        assertTrue(s.trials() < 40);
        assertEquals(1, count(s, TrialStatus.COMPLETED));
        // Exact: trials 0..n-1 at rung 0 (2 each), their promotions, and one climb to 9 epochs.
        assertEquals(List.of("trials 7", "spent 30"), List.of("trials " + s.trials(), "spent " + spent));
        assertEquals(1, s.decisions().stream().filter(d -> d.action() == Action.OVER_BUDGET).count());
    }

    @Test
    void aBudgetAsLargeAsTheSearchChangesNothing() {
        SearchScheduler free = scheduler(9, 0);
        simulate(free, 3, 0);
        SearchScheduler budgeted = scheduler(9, EpochCells.of(free, FOLDS) + 16);
        simulate(budgeted, 3, 0);
        assertEquals(free.decisions(), budgeted.decisions());
        assertEquals(9, budgeted.trials());
    }

    @ParameterizedTest(name = "budget {0}, {1} slots, arrival seed {2}")
    @CsvSource({"18, 1, 0", "20, 2, 3", "30, 4, 5", "44, 3, 7", "60, 6, 11", "100, 8, 13", "25, 16, 17"})
    void neverSpendsMoreThanTheBudgetAndAlwaysEndsWithATrialAtTheFullBudget(long budget, int slots, long seed) {
        SearchScheduler s = scheduler(60, budget);
        simulate(s, slots, seed);
        assertTrue(s.isFinished());
        assertTrue(EpochCells.of(s, FOLDS) <= budget, "spent " + EpochCells.of(s, FOLDS) + " of " + budget);
        assertTrue(count(s, TrialStatus.COMPLETED) >= 1, s.decisions().toString());
        assertTrue(s.trials() >= 1);
    }

    @Test
    void aLargerBudgetRunsMoreTrials() {
        int previous = 0;
        for (long budget : new long[] {20, 40, 80, 160}) {
            SearchScheduler s = scheduler(200, budget);
            simulate(s, 2, 0);
            assertTrue(s.trials() > previous, budget + ": " + s.trials() + " trials");
            previous = s.trials();
        }
    }

    @Test
    void epochCellsFoldPruningGivesBackBuyMoreTrials() {
        // One rung of 4 epochs on 4 folds, one slot: trial 0 sets the incumbent, every odd trial is far worse and is
        // pruned after 2 folds, so its last 2 folds (8 epoch-cells) go back to the budget.
        int folds = 4;
        int[] started = new int[2];
        for (int pruned = 0; pruned < 2; pruned++) {
            List<Segment> first = new ArrayList<>();
            for (int t = 0; t < 40; t++) {
                for (int f = 0; f < folds; f++) {
                    first.add(new Segment(t, 0, f));
                }
            }
            SearchScheduler s = new SearchScheduler(40, 1, 3, folds, (t, k) -> 4, first);
            if (pruned == 1) {
                s.prune(new FoldPruning(FoldPruner.forKFold(folds, 0.05), folds));
            }
            s.budget(96);
            for (Optional<Segment> n = s.next(); n.isPresent(); n = s.next()) {
                Segment c = n.get();
                double a = c.trial() % 2 == 1 ? 0.3 + 0.01 * c.fold() : 0.8 + 0.005 * ((c.fold() * 3 + c.trial()) % 4);
                s.finished(c, FoldResult.ok(a));
            }
            assertTrue(s.isFinished());
            assertTrue(EpochCells.of(s, folds) <= 96);
            started[pruned] = s.trials();
        }
        // Without pruning 96 / 16 = 6 trials; with it the odd trials cost 8: 0, 1, 2, ... fit in 96 more.
        assertEquals(6, started[0]);
        assertTrue(started[1] > started[0], started[0] + " vs " + started[1]);
    }

    @ParameterizedTest(name = "interrupted after {0} cells")
    @CsvSource({"3", "7", "12", "20"})
    void aResumedSearchReplaysItsAdmissionsAndRefusalsToTheSameDecisions(int cut) {
        SearchScheduler whole = scheduler(40, 34);
        Map<Segment, FoldResult> all = simulate(whole, 3, 0);
        // The same search, stopped after `cut` cells ended, with its journal as written then.
        SearchScheduler first = scheduler(40, 34);
        List<Segment> running = new ArrayList<>();
        Map<Segment, FoldResult> committed = new LinkedHashMap<>();
        while (committed.size() < cut) {
            while (running.size() < 3) {
                Optional<Segment> n = first.next();
                if (n.isEmpty()) {
                    break;
                }
                running.add(n.get());
            }
            Segment done = running.remove(0);
            committed.put(done, accuracy(done));
            first.finished(done, accuracy(done));
        }
        List<Decision> journal = first.decisions();
        SearchScheduler resumed = scheduler(40, 34);
        resumed.replay(journal, first.startedTrials(), first.admissionDone());
        List<Segment> order = new ArrayList<>(committed.keySet());
        java.util.Collections.reverse(order);
        for (Segment c : order) {
            resumed.restore(c, committed.get(c));
        }
        resumed.endReplay();
        assertEquals(Optional.empty(), DecisionJournal.firstConflict(journal, resumed.decisions()));
        simulate(resumed, 3, 0);
        assertTrue(resumed.isFinished());
        assertTrue(EpochCells.of(resumed, FOLDS) <= 34);
        assertEquals(Optional.empty(), DecisionJournal.firstConflict(journal, resumed.decisions()));
        assertTrue(all.size() > 0);
    }

    static long count(SearchScheduler s, TrialStatus status) {
        long n = 0;
        for (int t = 0; t < s.trials(); t++) {
            n += s.status(t) == status ? 1 : 0;
        }
        return n;
    }
}
