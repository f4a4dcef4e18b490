package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The driver's cost as run.json records it: sums, the longest decision, overhead never below zero. */
class DriverStatsTest {

    @Test
    void recordsSumsMaximumAndOverheadPerCell() {
        DriverStats s = new DriverStats();
        s.decided(2_000_000);
        s.decided(5_000_000);
        s.decided(1_000_000);
        s.committed(300_000_000);
        s.committed(100_000_000);
        // 2.5 s seen by the driver for a task of 2 s: 0.5 s overhead; a task the executor clocked longer than the
        // driver saw (another machine's clock) counts 0, not a negative overhead.
        s.cellEnded(2_500_000_000L, 2.0);
        s.cellEnded(1_000_000_000L, 1.2);
        ObjectNode attempt = new ObjectMapper().createObjectNode();
        s.write(attempt);
        ObjectNode d = (ObjectNode) attempt.get("driver");
        assertEquals(2, d.get("cells").asLong());
        assertEquals(0.5, d.get("cell_overhead_seconds").asDouble(), 1e-9);
        assertEquals(0.4, d.get("commit_seconds").asDouble(), 1e-9);
        assertEquals(3, d.get("decisions").asLong());
        assertEquals(0.008, d.get("decision_seconds").asDouble(), 1e-9);
        assertEquals(5.0, d.get("decision_max_ms").asDouble(), 1e-9);
        assertFalse(d.has("summary_seconds"), "no summary reached yet: " + d);
        s.summarized(1_500_000_000L);
        s.write(attempt);
        assertEquals(1.5, attempt.get("driver").get("summary_seconds").asDouble(), 1e-9);
        assertTrue(s.describe().startsWith("2 cells, driver overhead 0.250 s per cell (commit 0.200 s), 3 source "
                + "decisions in 0.008 s (longest 5.0 ms), summary 1.50 s"), s.describe());
    }
}
