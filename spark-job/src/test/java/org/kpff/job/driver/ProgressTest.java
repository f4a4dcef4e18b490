package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.plan.GridCell;
import org.kpff.job.testing.FakeClock;

/** The ETA of {@link Progress} on a fake clock: measured seconds per unit of cost, per backbone, over the slots. */
class ProgressTest {

    private static final long SECOND = 1_000_000_000L;
    private static final Instant START = Instant.ofEpochSecond(1_000);
    private static final GridCell VGG_0 = GridCell.of("vgg16", FusionMethod.KPFF, 0, Map.of(), 1);
    private static final GridCell VGG_1 = GridCell.of("vgg16", FusionMethod.KPFF, 1, Map.of(), 1);
    private static final GridCell ALEX_0 = GridCell.of("alexnet", FusionMethod.KPFF, 0, Map.of(), 1);
    private static final GridCell ALEX_1 = GridCell.of("alexnet", FusionMethod.KPFF, 1, Map.of(), 1);
    /** Cost model: a VGG cell costs 10 units, an AlexNet cell 1. */
    private static final List<GridCell> CELLS = List.of(VGG_0, VGG_1, ALEX_0, ALEX_1);

    /** The test sets it: {@link #at} seconds after a fixed start. */
    private final FakeClock clock = new FakeClock(START);

    private Progress progress(int slots) {
        return new Progress(CELLS, c -> c.backbone().equals("vgg16") ? 10.0 : 1.0, slots, clock);
    }

    private void at(double seconds) {
        clock.set(START.plusNanos(Math.round(seconds * SECOND)));
    }

    @Test
    void theEtaScalesTheCostOfWhatIsLeftByMeasuredSecondsPerUnitAndDividesBySlots() {
        Progress p = progress(2);
        p.started(VGG_0);
        p.started(VGG_1);
        assertTrue(Double.isNaN(p.etaSeconds()), "no cell finished: no rate yet");

        at(100);
        p.finished(VGG_0, "ok"); // 100 s for 10 units: 10 s per unit, the only rate so far
        p.started(ALEX_0);
        // Left: VGG_1 expected 100 s, 100 s in: 0; ALEX_0 running, expected 1 × 10 = 10; ALEX_1 pending, 10.
        assertEquals(10.0, p.etaSeconds(), 1e-9);
        // The high end takes each AlexNet cell as long as the mean finished cell (100 s): (100 + 100) / 2 slots.
        assertEquals(100.0, p.etaSecondsPerCell(), 1e-9);
        assertEquals("10s to 1m40s (rough: no alexnet cell has finished yet)", p.etaText());

        at(120);
        p.finished(VGG_1, "ok");
        p.started(ALEX_1);
        at(150);
        p.finished(ALEX_0, "ok"); // AlexNet measured apart: 50 s for 1 unit, where the VGG rate said 10 s
        // Only ALEX_1 is left: expected 1 × 50 = 50 s, 30 s in: 20 s; one cell is not split over the two slots.
        assertEquals(20.0, p.etaSeconds(), 1e-9);
        assertEquals("20s", p.etaText());
    }

    @Test
    void oneSlotAddsUpTheCellsLeft() {
        Progress p = progress(1);
        p.started(ALEX_0);
        at(4);
        p.finished(ALEX_0, "ok"); // 4 s per unit, for every backbone until one of its own finishes
        // Pending: two VGG cells (10 units each) and one AlexNet cell: (10 + 10 + 1) × 4 s.
        assertEquals(84.0, p.etaSeconds(), 1e-9);
        at(5);
        p.started(VGG_0);
        at(25);
        assertEquals(84.0 - 20, p.etaSeconds(), 1e-9, "20 s into a 40 s cell");
        at(95);
        // VGG_0 has run 90 s, far over the 40 s AlexNet's rate predicted: VGG cells take at least 9 s per unit, so
        // VGG_1 is expected to take 90 s (not 40) and VGG_0 to be about to finish; ALEX_1 stays at 4 s.
        assertEquals(90.0 + 4, p.etaSeconds(), 1e-9, "the cell in flight raises its backbone's rate");
    }

    @Test
    void theFirstSlowCellsOfABackboneKeepTheEtaFromFallingFarBelowTheTruth() {
        // The case: cheap AlexNet cells finish first at 1 s per unit; the VGG cells (10 units by the cost
        // model) really take 5 × longer per unit than AlexNet's. Two slots.
        Progress p = progress(2);
        p.started(ALEX_0);
        p.started(VGG_0);
        at(1);
        p.finished(ALEX_0, "ok");
        p.started(ALEX_1);
        at(2);
        p.finished(ALEX_1, "ok");
        p.started(VGG_1);
        at(40);
        // Truth: VGG_0 ends at 50 s, VGG_1 at 52 s: 12 s left. AlexNet's rate alone said VGG_0 is overdue and VGG_1
        // has 10 - 38 < 0 left: ETA 0. VGG_0's 40 s in flight say at least 4 s per unit: VGG_1 has 40 - 38 = 2 s
        // (a lower bound: what the cells in flight cannot show yet is how much longer they run).
        assertEquals(2.0, p.etaSeconds(), 1e-9);
        at(50);
        p.finished(VGG_0, "ok"); // 50 s for 10 units
        assertEquals(2.0, p.etaSeconds(), 1e-9, "VGG_1, 48 s into its expected 50 s");
    }

    @Test
    void whileABackboneIsUnmeasuredTheEtaRangesFromTheCostModelToTheMeanFinishedCell() {
        // The smoke grid's case, longest first on two slots: both VGG cells (10 units each) finish after 10 s; the
        // AlexNet cells (1 unit by the cost model) then really take 12 s each, as overhead dominates at small scale.
        Progress p = progress(2);
        p.started(VGG_0);
        p.started(VGG_1);
        at(10);
        p.finished(VGG_0, "ok");
        p.finished(VGG_1, "ok");
        p.started(ALEX_0);
        p.started(ALEX_1);
        // Truth: 12 s. By cost: 1 s per unit, so 1 s; by the mean finished cell: 10 s.
        assertEquals(1.0, p.etaSeconds(), 1e-9);
        assertEquals(10.0, p.etaSecondsPerCell(), 1e-9);
        assertEquals("1s to 10s (rough: no alexnet cell has finished yet)", p.etaText());
        at(15);
        // 5 s in flight: by cost at least 5 s per unit, so 0 s left; by the mean finished cell 5 s; the truth is 7 s.
        assertEquals(0.0, p.etaSeconds(), 1e-9);
        assertEquals(5.0, p.etaSecondsPerCell(), 1e-9);
    }

    @Test
    void slotsMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> progress(0));
        assertTrue(e.getMessage().contains("slots must be >= 1, got 0"), e.getMessage());
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertEquals("59s", Progress.duration(59.4));
        assertEquals("1m33s", Progress.duration(93));
        assertEquals("2h05m", Progress.duration(7500));
        assertEquals("?", Progress.duration(Double.NaN));
    }
}
