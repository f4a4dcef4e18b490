package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ASHA-style decisions on made-up results: exact promotions and stops, the same decisions whatever the number of
 * slots and the order results arrive in, failures, lost cells, and replaying committed results on resume.
 */
class SearchSchedulerTest {

    static final int FOLDS = 2;
    static final List<Integer> RUNGS = List.of(1, 3, 9);
    /** Fold-mean accuracy of trials 0..8 at rung 0 (both folds ±0.01 around it). */
    static final double[] RUNG0 = {0.2, 0.5, 0.9, 0.1, 0.6, 0.3, 0.8, 0.4, 0.7};
    /** At rung 1, by trial; only trials 2, 4, 6 and 8 get there. */
    static final double[] RUNG1 = {0, 0, 0.7, 0, 0.95, 0, 0.75, 0, 0.6};

    interface Accuracy {
        FoldResult of(Segment s);
    }

    static final Accuracy NINE = s -> FoldResult.ok((s.rung() == 0 ? RUNG0 : s.rung() == 1 ? RUNG1 : new double[9])
            [s.trial()] + (s.fold() == 0 ? 0.01 : -0.01));

    static SearchScheduler scheduler(int trials, List<Integer> rungs, int eta) {
        List<Segment> first = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            for (int f = 0; f < FOLDS; f++) {
                first.add(new Segment(t, 0, f));
            }
        }
        return new SearchScheduler(trials, rungs.size(), eta, FOLDS, (t, k) -> rungs.get(k), first);
    }

    /**
     * Runs a search with {@code slots} cells in flight; each step one running cell ends, the oldest (FIFO) or one
     * drawn with {@code seed} (results arriving in any order). Returns the decisions.
     */
    static List<Decision> simulate(SearchScheduler s, Accuracy acc, int slots, long seed) {
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
                return s.decisions();
            }
            Segment done = running.remove(rng == null ? 0 : rng.nextInt(running.size()));
            s.finished(done, acc.of(done));
        }
    }

    static List<String> perRung(List<Decision> ds) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            int rung = k;
            out.add(rung + ": " + String.join(", ", ds.stream().filter(d -> d.rung() == rung)
                    .map(d -> d.action().id() + " " + d.trial()).toList()));
        }
        return out;
    }

    @Test
    void theBestThirdOfEachRungGoesOnAndTheOthersStopKeepingTheirResults() {
        SearchScheduler s = scheduler(9, RUNGS, 3);
        List<Decision> ds = simulate(s, NINE, 1, 0);
        // Rung 0 in trial order: after 3 results trial 2 is the best third; after 6 also trial 4; after 9 the best
        // three are 2, 6, 8 (6 and 8 added). Then everybody else stops, best first.
        // Rung 1 in entry order 2, 4, 6, 8: after 3 the best is 4; it goes on and the rest stop when rung 0 closed.
        assertEquals(List.of("0: promote 2, promote 4, promote 6, promote 8, stop 1, stop 7, stop 5, stop 0, stop 3",
                "1: promote 4, stop 6, stop 2, stop 8", "2: complete 4"), perRung(ds));
        assertTrue(s.isFinished());
        assertEquals(TrialStatus.COMPLETED, s.status(4));
        assertEquals(TrialStatus.STOPPED, s.status(0));
        assertEquals(List.of(4, 6, 2, 8, 1, 7, 5, 0, 3).subList(0, 4), TrialRanking.of(s).subList(0, 4));
        assertEquals(2, s.rungReached(4));
        assertEquals(1, s.rungReached(6));
        assertEquals(0.9, s.foldMean(2, 0), 1e-12);
        assertEquals(List.of(0.61, 0.59), s.foldAccuracies(4, 0));
        // Epoch-cells: 9 trials × 1 epoch + 4 × (3 − 1) + 1 × (9 − 3), on 2 folds; the full grid is 9 × 9 × 2.
        assertEquals(2 * (9 * 1 + 4 * 2 + 6), EpochCells.of(s, FOLDS));
        assertEquals(2 * (1 + 2 + 6), EpochCells.of(s, 4, FOLDS));
        assertEquals(2, EpochCells.of(s, 0, FOLDS));
    }

    @ParameterizedTest(name = "{0} slots, arrival seed {1}")
    @CsvSource({"1, 0", "2, 0", "4, 0", "3, 11", "5, 12", "18, 13", "7, 14"})
    void decisionsDoNotDependOnSlotsOrTheOrderResultsArrive(int slots, long seed) {
        List<String> reference = perRung(simulate(scheduler(9, RUNGS, 3), NINE, 1, 0));
        SearchScheduler s = scheduler(9, RUNGS, 3);
        assertEquals(reference, perRung(simulate(s, NINE, slots, seed)));
        assertEquals(2 * (9 + 8 + 6), EpochCells.of(s, FOLDS));
    }

    @Test
    void aRungNobodyWasPromotedFromSendsItsBestOnSoTheSearchEndsAtTheFullBudget() {
        SearchScheduler s = scheduler(3, RUNGS, 3);
        double[] acc = {0.5, 0.9, 0.1};
        List<Decision> ds = simulate(s, seg -> FoldResult.ok(acc[seg.trial()]), 2, 0);
        assertEquals(List.of("0: promote 1, stop 0, stop 2", "1: promote 1", "2: complete 1"), perRung(ds));
        assertEquals(2 * (3 + 2 + 6), EpochCells.of(s, FOLDS));
    }

    @Test
    void aFailedCellFailsItsTrialWhichIsNeverPromoted() {
        SearchScheduler s = scheduler(3, RUNGS, 3);
        double[] acc = {0.5, 0.9, 0.1};
        List<Decision> ds = simulate(s, seg -> seg.trial() == 1 && seg.fold() == 1
                ? FoldResult.failed("Training loss became NaN") : FoldResult.ok(acc[seg.trial()]), 1, 0);
        assertEquals(List.of("0: fail 1, promote 0, stop 2", "1: promote 0", "2: complete 0"), perRung(ds));
        assertEquals(TrialStatus.FAILED, s.status(1));
        assertEquals("fold 1: Training loss became NaN", s.failureReason(1));
        assertEquals(List.of(0, 2, 1), TrialRanking.of(s));
        assertTrue(Double.isNaN(ds.get(0).foldMean()));
    }

    @Test
    void aLostCellLeavesItsTrialIncompleteAndTheSearchUnfinished() {
        SearchScheduler s = scheduler(3, RUNGS, 3);
        Segment first = s.next().orElseThrow();
        s.finished(first, null);
        simulate(s, seg -> FoldResult.ok(0.5), 1, 0);
        assertEquals(TrialStatus.INCOMPLETE, s.status(first.trial()));
        assertFalse(s.isFinished());
        assertEquals(List.of(), s.decisions(), "rung 0's first entrant has no result, so nothing is decided");
        assertEquals(Optional.empty(), s.next());
    }

    @Test
    void replayingCommittedResultsInAnyOrderReachesTheRecordedDecisionsAndRunsNothingTwice() {
        SearchScheduler full = scheduler(9, RUNGS, 3);
        List<Decision> recorded = simulate(full, NINE, 3, 5);
        List<Segment> committed = new ArrayList<>();
        for (int t = 0; t < 9; t++) {
            for (int k = 0; k <= full.rungReached(t); k++) {
                for (int f = 0; f < FOLDS; f++) {
                    committed.add(new Segment(t, k, f));
                }
            }
        }
        Collections.shuffle(committed, new Random(3));
        SearchScheduler resumed = scheduler(9, RUNGS, 3);
        for (Segment seg : committed) {
            resumed.restore(seg, NINE.of(seg));
        }
        assertEquals(Optional.empty(), DecisionJournal.firstConflict(recorded, resumed.decisions()));
        assertEquals(perRung(recorded), perRung(resumed.decisions()));
        assertEquals(Optional.empty(), resumed.next(), "every cell was committed");
        assertTrue(resumed.isFinished());
        assertEquals(EpochCells.of(full, FOLDS), EpochCells.of(resumed, FOLDS));

        // Half the committed cells (a search that died midway): replay, then go on; the end is the same.
        SearchScheduler partial = scheduler(9, RUNGS, 3);
        List<Segment> half = new ArrayList<>(committed.subList(0, committed.size() / 2));
        for (Segment seg : half) {
            partial.restore(seg, NINE.of(seg));
        }
        List<Segment> trained = new ArrayList<>();
        simulate(partial, seg -> {
            trained.add(seg);
            return NINE.of(seg);
        }, 2, 9);
        assertEquals(perRung(recorded), perRung(partial.decisions()));
        assertTrue(Collections.disjoint(half, trained), "no committed cell is trained again");
        assertEquals(committed.size(), half.size() + trained.size());

        // A record the results do not lead to is named.
        List<Decision> tampered = new ArrayList<>(recorded);
        int i = tampered.indexOf(tampered.stream().filter(d -> d.action() == Action.PROMOTE).findFirst().orElseThrow());
        tampered.set(i, new Decision(7, 0, Action.PROMOTE, 0.4));
        assertEquals(Optional.of("decision 1 at rung 0 was 'promote trial 7 at rung 0 (fold-mean 0.4000)' but the "
                + "committed results now give 'promote trial 2 at rung 0 (fold-mean 0.9000)'"),
                DecisionJournal.firstConflict(tampered, resumed.decisions()));
    }

    @Test
    void gridAndRandomSearchHaveOneRungWhereEveryTrialCompletes() {
        SearchScheduler s = scheduler(4, List.of(5), 3);
        double[] acc = {0.3, 0.8, 0.6, 0.8};
        List<Decision> ds = simulate(s, seg -> FoldResult.ok(acc[seg.trial()]), 3, 4);
        assertEquals(4, ds.size());
        assertTrue(ds.stream().allMatch(d -> d.action() == Action.COMPLETE));
        assertEquals(List.of(1, 3, 2, 0), TrialRanking.of(s));
        assertEquals(4 * 2 * 5, EpochCells.of(s, FOLDS));
    }
}
