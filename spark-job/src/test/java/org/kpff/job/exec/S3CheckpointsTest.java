package org.kpff.job.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.CellSpec;
import org.kpff.core.model.ModelFactory;
import org.kpff.core.train.EpochEvaluation;
import org.kpff.core.train.HadoopCheckpoints;
import org.kpff.core.train.RandomState;
import org.kpff.job.docs.ReliabilityCase;
import org.kpff.job.testing.S3Server;

/**
 * Checkpoints on {@code s3a://}: written in place with no copy, the pointer {@code LATEST} last, and a checkpoint
 * is only restored through it: a folder newer than {@code LATEST} (a save cut off) or any folder without it is not.
 */
class S3CheckpointsTest {

    static final CellSpec SPEC = new CellSpec("alexnet", FusionMethod.KPFF, 3, 32, 0.125, 16, FusionInit.IDENTITY,
            true, 0.0, 1e-3, 5e-4, 8, 1, 1, 5L);
    static final RandomState STATE = new RandomState(1, 2);
    static S3Server s3;
    static Configuration conf;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start("ckpt");
        conf = s3.configure(new Configuration());
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @Test
    @ReliabilityCase(fault = "On s3a://, a checkpoint save cut off before its pointer `LATEST` (or `LATEST` lost)",
            outcome = "The resumed cell restores the epoch `LATEST` names, never a folder newer than it; without "
            + "`LATEST` it trains from scratch")
    void aCheckpointCountsOnlyThroughItsPointer() throws Exception {
        String dir = s3.root() + "/runs/x/checkpoints/cell";
        HadoopCheckpoints store = new HadoopCheckpoints(dir, conf);
        ComputationGraph net = ModelFactory.create(SPEC);
        s3.resetCounts();
        store.save(1, net, List.of(new EpochEvaluation(1, 1.0, 1.0, 0.5, 2.0)), STATE);
        store.save(2, net, List.of(new EpochEvaluation(2, 1.0, 1.0, 0.5, 2.0)), STATE);
        assertEquals(0, s3.counts().getOrDefault("copyBlob", 0L), "no rename: " + s3.counts());
        FileSystem fs = new Path(dir).getFileSystem(conf);
        assertFalse(fs.exists(new Path(dir, "epoch-1")), "the older checkpoint is removed");
        assertEquals(2, store.load().orElseThrow().epoch());

        // A save of epoch 3 cut off before LATEST: its folder holds a complete-looking network, yet is not trusted.
        org.apache.hadoop.fs.FileUtil.copy(fs, new Path(dir, "epoch-2"), fs, new Path(dir, "epoch-3"), false, conf);
        assertEquals(2, store.load().orElseThrow().epoch());

        // LATEST lost: nothing is trusted, the cell trains from scratch.
        assertTrue(fs.delete(new Path(dir, "LATEST"), false));
        assertTrue(store.load().isEmpty());
        try (OutputStream out = fs.create(new Path(dir, "LATEST"), true)) {
            out.write('3');
        }
        assertEquals(3, store.load().orElseThrow().epoch(), "once LATEST names it, epoch 3 counts");
    }
}
