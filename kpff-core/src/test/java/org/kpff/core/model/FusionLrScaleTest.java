package org.kpff.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.kpff.core.head.FusionHead;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/** {@link CellSpec#fusionLrScale()}: KPFF's W gets its own Adam at scale × the learning rate, nothing else does. */
class FusionLrScaleTest {

    private static final int SIZE = 16;
    private static final double LR = 1e-3;
    private static final String W = FusionHead.FUSE + "_" + KroneckerFusionVertex.PARAM_W;
    private static final String CLASSIFIER = FusionHead.OUTPUT + "_W";

    static CellSpec spec(double scale) {
        return new CellSpec("alexnet", FusionMethod.KPFF, 2, SIZE, 0.125, 4, FusionInit.IDENTITY, true, 0.0, LR, 5e-4,
                8, 1, 1, 7, scale);
    }

    private static double learningRate(IUpdater u) {
        return ((Adam) u).getLearningRate();
    }

    @Test
    void theVertexUpdaterHasTheScaledRateAndSurvivesJson() {
        ComputationGraphConfiguration conf = ModelFactory.configuration(spec(25), DataType.FLOAT);
        KroneckerFusionVertex v = (KroneckerFusionVertex) conf.getVertices().get(FusionHead.FUSE);
        assertEquals(25 * LR, learningRate(v.getUpdaterByParam(KroneckerFusionVertex.PARAM_W)), 1e-15);
        // checkpoints restore the configuration from JSON: the rate must come back
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        KroneckerFusionVertex vb = (KroneckerFusionVertex) back.getVertices().get(FusionHead.FUSE);
        assertEquals(25 * LR, learningRate(vb.getUpdaterByParam(KroneckerFusionVertex.PARAM_W)), 1e-15);
        // scale 1: the global updater, the paper's one learning rate
        KroneckerFusionVertex plain = (KroneckerFusionVertex) ModelFactory.configuration(spec(1), DataType.FLOAT)
                .getVertices().get(FusionHead.FUSE);
        assertEquals(LR, learningRate(plain.getUpdaterByParam(KroneckerFusionVertex.PARAM_W)), 1e-15);
    }

    @Test
    void oneAdamStepMovesWScaleTimesFurtherAndEverythingElseTheSame() {
        // Same seed, same batch: identical gradients at step 1, so Adam's first step (lr · m̂ / (√v̂ + ε)) differs
        // only by the learning rate.
        ComputationGraph one = ModelFactory.create(spec(1));
        ComputationGraph ten = ModelFactory.create(spec(10));
        assertEquals(one.params(), ten.params());
        DataSet batch = batch();
        INDArray w0 = one.paramTable().get(W).dup();
        INDArray v0 = one.paramTable().get(CLASSIFIER).dup();
        one.fit(batch);
        ten.fit(batch);
        INDArray dOne = one.paramTable().get(W).sub(w0);
        INDArray dTen = ten.paramTable().get(W).sub(w0);
        assertTrue(dOne.norm2Number().doubleValue() > 1e-4, "W moved at all: " + dOne);
        double[] a = dOne.dup().data().asDouble();
        double[] b = dTen.dup().data().asDouble();
        for (int i = 0; i < a.length; i++) {
            assertEquals(10 * a[i], b[i], 1e-4 * Math.abs(10 * a[i]) + 1e-7, "W element " + i);
        }
        // the classifier (and every other parameter) learns at the unscaled rate in both
        INDArray cOne = one.paramTable().get(CLASSIFIER).sub(v0);
        INDArray cTen = ten.paramTable().get(CLASSIFIER).sub(v0);
        assertTrue(cOne.norm2Number().doubleValue() > 1e-4);
        assertEquals(0, cOne.sub(cTen).norm2Number().doubleValue() / cOne.norm2Number().doubleValue(), 1e-4);
    }

    @Test
    void aScaleThatIsNotPositiveAndFiniteIsRefused() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spec(bad));
            assertTrue(e.getMessage().contains("fusionLrScale = " + bad + " (must be a finite number > 0)"),
                    e.getMessage());
        }
    }

    private static DataSet batch() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, SIZE, SIZE);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 2);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 2, 1);
            x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).addi(i % 2);
        }
        return new DataSet(x, y);
    }
}
