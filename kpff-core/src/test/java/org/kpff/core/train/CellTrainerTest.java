package org.kpff.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.kpff.core.model.CellSpec;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.kpff.core.head.FusionHead;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/** One cell's training loop: evaluation schedule, predictions, checkpoint resume, deterministic failures. */
class CellTrainerTest {

    private static final int SIZE = 16;
    private static final int TRAIN = 24;
    private static final int VAL = 10;

    static CellSpec spec(FusionMethod method, int epochs, int evalEvery) {
        return new CellSpec("alexnet", method, 2, SIZE, 0.125, 8, FusionInit.IDENTITY, true, 0.0, 3e-3, 5e-4, 8,
                epochs, evalEvery, 11);
    }

    /** Two classes told apart by which half of the image is bright. */
    static List<DataSet> examples(int count, long seed, boolean poison) {
        Nd4j.getRandom().setSeed(seed);
        List<DataSet> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int cls = i % 2;
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, SIZE, SIZE).muli(0.2);
            x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    cls == 0 ? org.nd4j.linalg.indexing.NDArrayIndex.interval(0, SIZE / 2)
                            : org.nd4j.linalg.indexing.NDArrayIndex.interval(SIZE / 2, SIZE),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).addi(0.8);
            if (poison) {
                x.putScalar(0, 0, 0, 0, Float.NaN);
            }
            INDArray y = Nd4j.zeros(DataType.FLOAT, 1, 2);
            y.putScalar(0, cls, 1);
            out.add(new DataSet(x, y));
        }
        return out;
    }

    static CellTrainer.EpochData data(boolean poison) {
        List<DataSet> train = examples(TRAIN, 1, poison);
        List<DataSet> val = examples(VAL, 2, false);
        return new CellTrainer.EpochData() {
            @Override
            public DataSetIterator trainingEpoch(int epoch) {
                return new TestDataSetIterator(DataSet.merge(train), 8);
            }

            @Override
            public DataSetIterator validation() {
                return new TestDataSetIterator(DataSet.merge(val), 4);
            }
        };
    }

    @Test
    void evaluatesOnScheduleAndPredictsEveryHeldOutImage() {
        List<EpochEvaluation> seen = new ArrayList<>();
        CellOutcome out = CellTrainer.train(spec(FusionMethod.KPFF, 5, 2), data(false), Checkpoints.NONE, seen::add);
        assertEquals(List.of(2, 4, 5), out.evaluations().stream().map(EpochEvaluation::epoch).toList());
        assertEquals(out.evaluations(), seen);
        assertEquals(VAL, out.predictions().size());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), out.predictions().stream().map(Prediction::position).toList());
        long correct = out.predictions().stream().filter(p -> p.label() == p.predicted()).count();
        assertEquals(correct / (double) VAL, out.finalAccuracy(), 1e-12);
        assertEquals(out.evaluations().get(2).valAccuracy(), out.finalAccuracy(), 1e-12);
        assertTrue(out.bestAccuracy() >= out.finalAccuracy());
        assertEquals(5, out.epochs());
        assertEquals(0, out.resumedFrom());
        assertNotNull(out.learnedW());
        assertEquals(9, out.learnedW().length);
        // The confusion matrix counts exactly the predictions: true class t (row) predicted as p (column).
        int[][] expected = new int[2][2];
        out.predictions().forEach(p -> expected[p.label()][p.predicted()]++);
        assertArrayEquals(expected, out.confusion());
        assertEquals(VAL / 2, out.confusion()[0][0] + out.confusion()[0][1], "five held-out images of class 0");
        assertEquals(correct, out.confusion()[0][0] + out.confusion()[1][1]);
        for (EpochEvaluation e : out.evaluations()) {
            assertTrue(Double.isFinite(e.trainLoss()) && e.trainLoss() > 0, "train loss " + e);
            assertTrue(Double.isFinite(e.valLoss()) && e.valLoss() > 0, "val loss " + e);
        }
    }

    /**
     * A finished cell frees its network without {@code System.gc()}: DL4J's close and ND4J's workspace teardown call
     * it three times, each a stop-the-world full collection of the executor's JVM (and of the driver's, on a local
     * master). JFR records every {@code System.gc()} with its thread; none may come from the training thread, and
     * a second cell on the same thread still trains (its workspaces were destroyed, not left half-closed). (This JVM
     * runs without {@code -XX:+ExplicitGCInvokesConcurrent}; with it, the one concurrent {@code System.gc()} a cell
     * then makes is {@link HeapReturnTest}'s.)
     */
    @Test
    void aFinishedCellReleasesItsNetworkWithoutForcingAGarbageCollection(@TempDir Path dir) throws Exception {
        List<String> gcCallers = new ArrayList<>();
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
            recording.enable("jdk.SystemGC").withStackTrace();
            recording.start();
            CellTrainer.train(spec(FusionMethod.KPFF, 1, 1), data(false), Checkpoints.NONE, null);
            recording.stop();
            Path jfr = dir.resolve("gc.jfr");
            recording.dump(jfr);
            for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(jfr)) {
                if (e.getThread() != null && e.getThread().getJavaThreadId() == Thread.currentThread().getId()) {
                    gcCallers.add(e.getStackTrace() == null ? "?" : e.getStackTrace().getFrames().stream()
                            .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
                            .filter(m -> !m.startsWith("java.")).findFirst().orElse("?"));
                }
            }
        }
        assertEquals(List.of(), gcCallers, "System.gc() called on the training thread by");
        CellOutcome again = CellTrainer.train(spec(FusionMethod.KPFF, 1, 1), data(false), Checkpoints.NONE, null);
        assertEquals(1, again.evaluations().size());
    }

    @Test
    void nonKpffCellsHaveNoLearnedW() {
        CellOutcome concat = CellTrainer.train(spec(FusionMethod.CONCAT, 1, 1), data(false), Checkpoints.NONE, null);
        assertNull(concat.learnedW());
        assertNull(concat.evaluations().get(0).fusionW(), "no W recorded for Concat's evaluations");
    }

    @Test
    void wIsRecordedAtEveryEvaluationAndSurvivesACheckpoint(@TempDir Path dir) throws Exception {
        HadoopCheckpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        CellOutcome out = CellTrainer.train(spec(FusionMethod.KPFF, 4, 2), data(false), store, null);
        List<EpochEvaluation> evals = out.evaluations();
        assertEquals(List.of(2, 4), evals.stream().map(EpochEvaluation::epoch).toList());
        for (EpochEvaluation e : evals) {
            assertEquals(9, e.fusionW().size(), "3 taps: W is 3 x 3");
        }
        // W starts as I and moves while training; the last evaluation's W is the learned W
        double moved = 0;
        for (int i = 0; i < 9; i++) {
            moved += Math.abs(evals.get(0).fusionW().get(i) - (i % 4 == 0 ? 1 : 0));
        }
        assertTrue(moved > 1e-4, "W moved away from I by epoch 2: " + evals.get(0).fusionW());
        assertNotEquals(evals.get(0).fusionW(), evals.get(1).fusionW());
        assertArrayEquals(out.learnedW(), evals.get(1).fusionW().stream().mapToDouble(Double::doubleValue).toArray(),
                0.0);
        // history.json keeps W exactly (Jackson writes doubles that round-trip)
        assertEquals(evals, store.load().orElseThrow().history());
    }

    @Test
    void resumesFromTheLastCheckpointAfterACrash(@TempDir Path dir) throws Exception {
        HadoopCheckpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        CellSpec spec = spec(FusionMethod.KPFF, 6, 2);
        RuntimeException crash = assertThrows(RuntimeException.class, () -> CellTrainer.train(spec, data(false), store, e -> {
            if (e.epoch() == 4) {
                throw new IllegalStateException("simulated executor loss");
            }
        }));
        assertEquals("simulated executor loss", crash.getMessage());
        // The crash came after epoch 4's checkpoint (listeners run after it is saved).
        assertEquals("4", Files.readString(dir.resolve("LATEST")).trim());
        List<Integer> trainedAgain = new ArrayList<>();
        CellOutcome out = CellTrainer.train(spec, data(false), store, e -> trainedAgain.add(e.epoch()));
        assertEquals(4, out.resumedFrom());
        assertEquals(List.of(6), trainedAgain, "only the epochs after the checkpoint are trained again");
        assertEquals(List.of(2, 4, 6), out.evaluations().stream().map(EpochEvaluation::epoch).toList());
        assertEquals(6, out.epochs());
        assertEquals(List.of("LATEST", "epoch-6"), Files.list(dir).map(p -> p.getFileName().toString())
                .filter(n -> !n.endsWith(".crc")).sorted().toList(), "older checkpoints removed (Hadoop .crc side files aside)");
        // The last evaluation is checkpointed too: the saved model is the final one, with the learned W.
        Checkpoints.Restored fin = store.load().orElseThrow();
        assertEquals(6, fin.epoch());
        INDArray w = fin.model().paramTable().get(FusionHead.FUSE + "_" + KroneckerFusionVertex.PARAM_W);
        assertArrayEquals(out.learnedW(), w.dup('c').reshape(w.length()).toDoubleVector(), 0.0);
        fin.model().close();
        // Resuming a finished cell trains nothing and gives the same result.
        List<Integer> none = new ArrayList<>();
        CellOutcome again = CellTrainer.train(spec, data(false), store, e -> none.add(e.epoch()));
        assertEquals(List.of(), none);
        assertEquals(6, again.resumedFrom());
        assertEquals(out.finalAccuracy(), again.finalAccuracy(), 0.0);
        assertArrayEquals(out.learnedW(), again.learnedW(), 0.0);
    }

    @Test
    void aResumedCellTrainsExactlyAsOneThatWasNeverInterrupted(@TempDir Path dir) throws Exception {
        // Dropout 0.5 as in the paper's runs: the dropout masks come from the thread's ND4J generator, which a
        // resume in a new JVM (or on a thread another cell used) finds in another state.
        CellSpec spec = new CellSpec("alexnet", FusionMethod.KPFF, 2, SIZE, 0.125, 8, FusionInit.IDENTITY, true, 0.5,
                3e-3, 5e-4, 8, 6, 2, 11);
        CellOutcome straight = CellTrainer.train(spec, data(false), Checkpoints.NONE, null);

        HadoopCheckpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        assertThrows(IllegalStateException.class, () -> CellTrainer.train(spec, data(false), store, e -> {
            if (e.epoch() == 4) {
                throw new IllegalStateException("simulated executor loss");
            }
        }));
        Nd4j.getRandom().setSeed(987654321L); // what another cell, or a fresh JVM, leaves in the generator
        CellOutcome resumed = CellTrainer.train(spec, data(false), store, null);

        assertEquals(4, resumed.resumedFrom());
        assertEquals(straight.evaluations().stream().map(EpochEvaluation::trainLoss).toList(),
                resumed.evaluations().stream().map(EpochEvaluation::trainLoss).toList(), "training losses, bit for bit");
        assertEquals(straight.evaluations().stream().map(EpochEvaluation::valLoss).toList(),
                resumed.evaluations().stream().map(EpochEvaluation::valLoss).toList(), "validation losses, bit for bit");
        assertArrayEquals(straight.learnedW(), resumed.learnedW(), 0.0);
        assertEquals(straight.finalAccuracy(), resumed.finalAccuracy(), 0.0);
    }

    @Test
    void nonFiniteLossIsADeterministicFailureNamingTheEpoch() {
        CellFailedException e = assertThrows(CellFailedException.class,
                () -> CellTrainer.train(spec(FusionMethod.ADD, 2, 1), data(true), Checkpoints.NONE, null));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("epoch 1"), e.getMessage());
    }
}
