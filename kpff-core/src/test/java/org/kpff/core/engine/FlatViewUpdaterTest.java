package org.kpff.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.CellSpec;
import org.kpff.core.model.ModelFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FlatViewUpdater} against DL4J's own {@link ComputationGraphUpdater}: the same parameters and updater state,
 * bit for bit, after several Adam steps with L2 (and, for KPFF, W's own learning rate), with DL4J's non-external
 * path taken on every step; and installed mid-training it keeps the Adam moments.
 */
class FlatViewUpdaterTest {

    private static final int CLASSES = 4;
    private static final int BATCH = 6;
    private static final int STEPS = 3;

    @BeforeAll
    static void engine() {
        ComputeEngine.initialize();
    }

    private static CellSpec spec(String backbone, FusionMethod method, int size) {
        return new CellSpec(backbone, method, CLASSES, size, 0.125, 8, FusionInit.IDENTITY, true, 0.0, 1e-2, 5e-3,
                BATCH, 1, 1, 7L, method == FusionMethod.KPFF ? 2.0 : 1.0);
    }

    /** The same network with DL4J's own updater (the one {@code ComputationGraph} makes). */
    private static ComputationGraph withDl4jUpdater(CellSpec spec) {
        ComputationGraph net = new ComputationGraph(ModelFactory.configuration(spec, DataType.FLOAT));
        net.init();
        OneDnnHelpers.install(net);
        assertSame(ComputationGraphUpdater.class, net.getUpdater().getClass());
        return net;
    }

    private static DataSet batch(int size, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 3, size, size);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, CLASSES);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % CLASSES, 1f);
        }
        return new DataSet(x, y);
    }

    @ParameterizedTest(name = "{0} {1} {2} px")
    @CsvSource({"alexnet, KPFF, 32", "inception, CONCAT, 32", "vgg16, ADD, 32"})
    void trainsBitForBitAsDl4jsUpdaterOnItsNonExternalPath(String backbone, FusionMethod method, int size) {
        CellSpec spec = spec(backbone, method, size);
        ComputationGraph ours = ModelFactory.create(spec);
        ComputationGraph theirs = withDl4jUpdater(spec);
        FlatViewUpdater updater = assertInstanceOf(FlatViewUpdater.class, ours.getUpdater());
        INDArray before = ours.params().dup();
        assertArrayEquals(theirs.params().toFloatVector(), before.toFloatVector(), "same initial parameters");
        for (int s = 0; s < STEPS; s++) {
            DataSet d = batch(size, 100 + s);
            ours.fit(d);
            theirs.fit(d);
        }
        assertNotEquals(0.0, ours.params().sub(before).norm2Number().doubleValue(), "the steps moved the parameters");
        assertArrayEquals(theirs.params().toFloatVector(), ours.params().toFloatVector(), "parameters");
        assertArrayEquals(theirs.getUpdater().getStateViewArray().toFloatVector(),
                ours.getUpdater().getStateViewArray().toFloatVector(), "Adam's moments");
        assertEquals(STEPS, updater.sameViewUpdates(), "steps on the network's own gradient view");
        assertEquals(0, updater.externalUpdates(), "steps through DL4J's external-gradient path");
        long[] views = updater.blockViews();
        assertTrue(views[1] > 1, "updater blocks that ran: " + views[1]);
        assertEquals(views[1], views[0], "each block's rank-1 gradient view made once over " + STEPS + " steps");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"alexnet, KPFF"})
    void installedMidTrainingItKeepsTheUpdaterState(String backbone, FusionMethod method) {
        CellSpec spec = spec(backbone, method, 32);
        ComputationGraph reference = withDl4jUpdater(spec);
        ComputationGraph switched = withDl4jUpdater(spec);
        for (int s = 0; s < STEPS; s++) {
            DataSet d = batch(32, 200 + s);
            reference.fit(d);
            if (s == STEPS - 1) {
                INDArray state = switched.getUpdater().getStateViewArray();
                FlatViewUpdater installed = FlatViewUpdater.install(switched);
                assertSame(state, installed.getStateViewArray(), "the same state array, not a fresh one");
                assertSame(installed, FlatViewUpdater.install(switched), "installing twice keeps the first");
            }
            switched.fit(d);
        }
        assertArrayEquals(reference.params().toFloatVector(), switched.params().toFloatVector(), "parameters");
        assertArrayEquals(reference.getUpdater().getStateViewArray().toFloatVector(),
                switched.getUpdater().getStateViewArray().toFloatVector(), "Adam's moments");
    }
}
