package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fold-level pruning in the scheduler on scripted fold results: the exact decisions (a trial far worse than the
 * incumbent pruned after 2 of 5 folds, a close one kept), the epoch-cells saved, the same decisions whatever the slots
 * and order, and the same on replay.
 */
class FoldPruningTest {

    static final int FOLDS = 5;
    static final int EPOCHS = 4;
    /** Fold accuracies by trial: 0 sets the incumbent, 1 is far worse (pruned), 2 is as good (kept). */
    static final double[][] ACC = {
        {0.80, 0.82, 0.78, 0.81, 0.79},
        {0.40, 0.44, 0.41, 0.43, 0.42},
        {0.79, 0.83, 0.80, 0.80, 0.80},
    };

    static SearchScheduler scheduler() {
        List<Segment> first = new ArrayList<>();
        for (int t = 0; t < ACC.length; t++) {
            for (int f = 0; f < FOLDS; f++) {
                first.add(new Segment(t, 0, f));
            }
        }
        SearchScheduler s = new SearchScheduler(ACC.length, 1, 3, FOLDS, (t, k) -> EPOCHS, first);
        s.prune(new FoldPruning(FoldPruner.forKFold(FOLDS, 0.05), FOLDS));
        return s;
    }

    /** Runs with {@code slots} cells in flight, ending the oldest (seed 0) or a random one; the results, by cell. */
    static Map<Segment, FoldResult> simulate(SearchScheduler s, int slots, long seed) {
        Map<Segment, FoldResult> ran = new TreeMap<>(java.util.Comparator.comparingInt(Segment::trial)
                .thenComparingInt(Segment::rung).thenComparingInt(Segment::fold));
        List<Segment> running = new ArrayList<>();
        Random rng = seed == 0 ? null : new Random(seed);
        while (true) {
            for (Optional<Segment> n = running.size() < slots ? s.next() : Optional.empty(); n.isPresent();
                    n = running.size() < slots ? s.next() : Optional.empty()) {
                running.add(n.get());
            }
            if (running.isEmpty()) {
                return ran;
            }
            Segment done = running.remove(rng == null ? 0 : rng.nextInt(running.size()));
            FoldResult r = FoldResult.ok(ACC[done.trial()][done.fold()]);
            ran.put(done, r);
            s.finished(done, r);
        }
    }

    @Test
    void aTrialFarWorseThanTheIncumbentIsPrunedAfterTwoOfFiveFoldsAndItsOtherFoldsNeverRun() throws Exception {
        SearchScheduler s = scheduler();
        Map<Segment, FoldResult> ran = simulate(s, 1, 0);
        assertEquals(List.of(new Decision(0, 0, Action.COMPLETE, 0.8), new Decision(1, 0, Action.PRUNE, Double.NaN,
                2), new Decision(2, 0, Action.COMPLETE, 0.804)), round(s.decisions()));
        assertEquals(TrialStatus.PRUNED, s.status(1));
        assertTrue(s.isFinished());
        // Trial 1 trained folds 0 and 1 only: 3 cells of 4 epochs saved; 5 + 2 + 5 cells trained.
        assertEquals(FOLDS * 3 - 3, ran.size());
        assertEquals(3 * EPOCHS, EpochCells.saved(s, FOLDS));
        assertEquals((5 + 2 + 5) * EPOCHS, EpochCells.of(s, FOLDS));
        assertEquals(List.of(2, 0, 1), TrialRanking.of(s));
        String json = new DecisionJournal("grid", 1, 3, List.of(EPOCHS), List.of(), s.decisions()).toJson();
        assertTrue(json.contains("\"action\" : \"prune\"") && json.contains("\"folds\" : 2"), json);

        // Replayed from the cells that ran (a resume): the same decisions.
        SearchScheduler replay = scheduler();
        ran.forEach(replay::restore);
        assertEquals(s.decisions(), replay.decisions());
    }

    @Test
    void theDecisionsDoNotDependOnSlotsOrOrderButOnlyCellsNotStartedAreSaved() {
        List<Decision> expected = round(decisionsOf(1, 0));
        for (long seed = 1; seed <= 5; seed++) {
            assertEquals(expected, round(decisionsOf(3, seed)), "3 slots, order " + seed);
        }
        // Five slots: trial 1's folds all start while trial 0's end, before the incumbent is known: pruned all the
        // same, nothing saved.
        SearchScheduler wide = scheduler();
        simulate(wide, 5, 0);
        assertEquals(expected, round(wide.decisions()));
        assertEquals(0, EpochCells.saved(wide, FOLDS));
        assertEquals(3 * FOLDS * EPOCHS, EpochCells.of(wide, FOLDS));
    }

    @Test
    void aSearchConfigWithFoldPruningPrunesInItsStudyAndSearchMdSaysAfterHowManyFoldsAndWhatItSaved() {
        org.kpff.job.config.JobConfig config = org.kpff.job.config.JobConfig.parse("data.folds = 5\ntrain.epochs = 2\n"
                + "model { backbones = [alexnet], methods = [kpff] }\nsearch { strategy = grid, fold-pruning = true, "
                + "space { \"train.learning-rate\" = [0.001, 0.01, 0.1] } }", "test.conf", List.of());
        SearchStudy study = new SearchStudy(config.withoutSearch(), config.search(),
                SearchTrials.points(config.search()), null, 3);
        for (Optional<org.kpff.job.driver.PlannedCell> p = study.next(); p.isPresent(); p = study.next()) {
            Segment seg = study.segment(p.get().cell().id()).orElseThrow();
            study.scheduler().finished(seg, FoldResult.ok(ACC[seg.trial()][seg.fold()]));
        }
        assertEquals(List.of(Action.COMPLETE, Action.PRUNE, Action.COMPLETE),
                study.scheduler().decisions().stream().map(Decision::action).toList());
        assertEquals(1, study.count(TrialStatus.PRUNED));
        assertEquals("pruned", study.rows().get(2).status());
        // Trial 1 skipped folds 2, 3 and 4: 3 cells of 2 epochs.
        long saved = EpochCells.saved(study.scheduler(), 5);
        assertEquals(6, saved);
        assertEquals("Fold pruning (alpha = 0.05): trial 1 pruned after 2 of 5 folds at rung 0. Epoch-cells saved: "
                + "**6** (cells of pruned trials not yet started when they were pruned; every study).",
                SearchOutputs.pruningText(config.search(), study, saved));
    }

    static List<Decision> decisionsOf(int slots, long seed) {
        SearchScheduler s = scheduler();
        simulate(s, slots, seed);
        return s.decisions();
    }

    /** Fold-means to 1e-9 (the sums' rounding), so that decisions compare by value. */
    static List<Decision> round(List<Decision> ds) {
        return ds.stream().map(d -> new Decision(d.trial(), d.rung(), d.action(), Double.isNaN(d.foldMean())
                ? Double.NaN : Math.round(d.foldMean() * 1e9) / 1e9, d.folds())).toList();
    }
}
