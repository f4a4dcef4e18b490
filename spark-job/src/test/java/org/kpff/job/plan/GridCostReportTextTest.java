package org.kpff.job.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan report: totals first in a unit that reads, cells grouped by backbone/method, the cell list on request. */
class GridCostReportTextTest {

    private static final GridCostReport REPORT = new GridCostReport(Map.of(), List.of(3e12, 1e12, 2e12),
            6e12, List.of("alexnet-kpff-f0-e3b0c442", "alexnet-kpff-f1-e3b0c442", "vgg16-none-f0-e3b0c442"),
            List.of("alexnet/kpff", "alexnet/kpff", "vgg16/none"));

    @Test
    void totalsComeFirstInTeraflopsAndTheCellsAreGrouped() {
        List<String> lines = REPORT.toText(1, 2, false).lines().toList();
        assertEquals("3 cells, 6.000 TFLOPs in total (training = 3 x forward).", lines.get(0));
        // Longest first on 2 slots of 1 TFLOP/s: 3 s | 2 s + 1 s, so 3 s; 6 TFLOPs = 6 s of one slot.
        assertEquals("Projected wall time at 1.0 sustained TFLOP/s per slot on 2 slot(s): 3.0 s (0.00 GPU-hours).",
                lines.get(1));
        assertTrue(lines.contains("alexnet/kpff                  2      1.000-3.000        4.000"), lines.toString());
        assertTrue(lines.contains("vgg16/none                    1            2.000        2.000"), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("alexnet-kpff-f0")), lines.toString());
    }

    @Test
    void everyCellIsListedOnRequest() {
        String text = REPORT.toText(1, 2, true);
        assertTrue(text.contains("\nalexnet-kpff-f0-e3b0c442                                  3.000\n"), text);
        assertTrue(text.contains("<8 hex of the hyperparameter point's hash>"), text);
    }
}
