package org.kpff.job.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.kpff.job.results.RunLayout.CellTable;

class RunLayoutTest {

    @Test
    void pathsAreJoinedUnderTheRoot() {
        RunLayout l = new RunLayout("hdfs://nn:8020/runs/r1/");
        assertEquals("hdfs://nn:8020/runs/r1", l.root());
        assertEquals("hdfs://nn:8020/runs/r1/run.json", l.runJson());
        assertEquals("hdfs://nn:8020/runs/r1/folds.parquet", l.foldsParquet());
        assertEquals("hdfs://nn:8020/runs/r1/metrics", l.metricsDir());
        assertEquals("hdfs://nn:8020/runs/r1/cells", l.cellsDir());
        assertEquals("hdfs://nn:8020/runs/r1/predictions", l.predictionsDir());
        assertEquals("hdfs://nn:8020/runs/r1/summary.parquet", l.summaryParquet());
        assertEquals("hdfs://nn:8020/runs/r1/comparisons.parquet", l.comparisonsParquet());
        assertEquals("hdfs://nn:8020/runs/r1/summary.md", l.summaryMarkdown());
        assertEquals("hdfs://nn:8020/runs/r1/checkpoints", l.checkpointsDir());
        assertEquals("hdfs://nn:8020/runs/r1/checkpoints/vgg16-add-f1-e3b0c442", l.checkpointDir("vgg16-add-f1-e3b0c442"));
        assertEquals("hdfs://nn:8020/runs/r1/_staging", l.stagingDir());
        assertEquals("hdfs://nn:8020/runs/r1/cells/vgg16-add-f1-e3b0c442",
                l.committed(CellTable.CELLS, "vgg16-add-f1-e3b0c442"));
        assertEquals("hdfs://nn:8020/runs/r1/_staging/vgg16-add-f1-e3b0c442/attempt-2/predictions",
                l.staging(CellTable.PREDICTIONS, "vgg16-add-f1-e3b0c442", "attempt-2"));
        assertEquals("file:/tmp/x/resolved.conf", new RunLayout("file:/tmp/x").resolvedConfig());
    }

    @Test
    void badPartsAreRejected() {
        RunLayout l = new RunLayout("/runs/r1");
        assertThrows(IllegalArgumentException.class, () -> l.checkpointDir("../etc"));
        assertThrows(IllegalArgumentException.class, () -> l.checkpointDir("a/b"));
        assertThrows(IllegalArgumentException.class, () -> new RunLayout("  "));
    }
}
