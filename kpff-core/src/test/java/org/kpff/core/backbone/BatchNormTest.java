package org.kpff.core.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kpff.core.engine.ComputeEngine;
import org.kpff.core.engine.OneDnnBatchNorm;
import org.kpff.core.engine.OneDnnHelpers;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link BatchNorm} on the project's oneDNN helper computes what DL4J's batch-norm layer on the same helper computes:
 * outputs, loss, the input, gamma and beta gradients and every other gradient bit for bit; the running mean's update
 * bit for bit; the running log10 std's (or variance's) to within float32 rounding of pow/log (libnd4j's powf and logf
 * against Java's); after training steps every parameter within 1e-6; its own passes ran; inference and the plain
 * engine are DL4J's layer; its JSON restores it.
 */
class BatchNormTest {

    private static final int BATCH = 6;
    private static final int SIZE = 10;

    @BeforeAll
    static void engine() {
        ComputeEngine.initialize();
    }

    /** input → conv(3) → BN → ReLU → conv(3)/2 → BN → ReLU → average pool → softmax. */
    private static ComputationGraph net(boolean own, boolean logStd) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(31).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("c1", new LinearConvolution(3, 1, 8), "in")
                .addLayer("b1", bn(own, logStd), "c1")
                .addLayer("r1", new Relu(), "b1")
                .addLayer("c2", new LinearConvolution(3, 2, 6), "r1")
                .addLayer("b2", bn(own, logStd), "c2")
                .addLayer("r2", new Relu(), "b2")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "r2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        OneDnnHelpers.install(g);
        return g;
    }

    private static Layer bn(boolean own, boolean logStd) {
        BatchNormalization b = own ? new BatchNorm() : new BatchNormalization.Builder().build();
        b.setUseLogStd(logStd);
        return b;
    }

    private static DataSet data(int seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, BATCH, 3, SIZE, SIZE).muli(2).addi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 4);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, (i + seed) % 4, 1.0);
        }
        return new DataSet(x, y);
    }

    private static boolean spreadParam(String key) {
        return key.endsWith(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)
                || key.endsWith(BatchNormalizationParamInitializer.GLOBAL_VAR);
    }

    @ParameterizedTest(name = "log10 std {0}")
    @ValueSource(booleans = {true, false})
    void trainsAsDl4jsLayerOnTheSameHelper(boolean logStd) {
        ComputationGraph own = net(true, logStd);
        ComputationGraph dl4j = net(false, logStd);
        assumeTrue(own.getLayer("b1").getHelper() instanceof OneDnnBatchNorm,
                "the project's oneDNN batch-norm helper is not on this engine: " + ComputeEngine.current());
        assertInstanceOf(OneDnnBatchNorm.class, dl4j.getLayer("b1").getHelper());
        dl4j.setParams(own.params());
        // running statistics away from their initial values (mean 0, log10 std 0), so that the updates differ
        for (String b : new String[] {"b1", "b2"}) {
            INDArray m = own.getLayer(b).getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN);
            m.assign(Nd4j.linspace(-0.3, 0.4, m.length(), DataType.FLOAT).reshape(m.shape()));
            String s = logStd ? BatchNormalizationParamInitializer.GLOBAL_LOG_STD
                    : BatchNormalizationParamInitializer.GLOBAL_VAR;
            INDArray v = own.getLayer(b).getParam(s);
            v.assign(Nd4j.linspace(logStd ? -0.2 : 0.5, logStd ? 0.3 : 2.0, v.length(), DataType.FLOAT)
                    .reshape(v.shape()));
        }
        dl4j.setParams(own.params());
        DataSet d = data(3);
        for (boolean train : new boolean[] {false, true}) {
            assertEquals(dl4j.outputSingle(train, d.getFeatures().dup()), own.outputSingle(train,
                    d.getFeatures().dup()), "output, train=" + train);
        }
        own.setInputs(d.getFeatures().dup());
        own.setLabels(d.getLabels().dup());
        own.computeGradientAndScore();
        dl4j.setInputs(d.getFeatures().dup());
        dl4j.setLabels(d.getLabels().dup());
        dl4j.computeGradientAndScore();
        assertEquals(dl4j.score(), own.score(), 0.0, "loss");
        Map<String, INDArray> expected = dl4j.gradient().gradientForVariable();
        Map<String, INDArray> actual = own.gradient().gradientForVariable();
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            if (spreadParam(k)) {
                // log(var / next) of two nearly equal numbers: compare the running statistic it moves to
                float[] e = expected.get(k).toFloatVector();
                float[] a = actual.get(k).toFloatVector();
                assertTrue(Math.abs(e[0]) > 1e-3, k + ": a real update, " + e[0]);
                assertArrayEquals(e, a, 2e-7f, "update of " + k);
            } else {
                assertEquals(expected.get(k), actual.get(k), "gradient " + k);
            }
        }
        for (int step = 0; step < 4; step++) {
            own.fit(data(10 + step));
            dl4j.fit(data(10 + step));
        }
        assertArrayEquals(dl4j.params().toFloatVector(), own.params().toFloatVector(), 1e-6f,
                "parameters (running statistics too) after 4 Adam steps");
        for (String b : new String[] {"b1", "b2"}) {
            // 1 training forward (outputSingle) + forward and backward (gradient) + 4 × 2 (fit)
            assertEquals(11, BatchNorm.directPasses(own.getLayer(b)), b + ": training passes run by the layer");
        }
        for (boolean train : new boolean[] {false, true}) {
            INDArray x = data(20).getFeatures();
            INDArray e = dl4j.outputSingle(train, x.dup());
            INDArray a = own.outputSingle(train, x.dup());
            assertArrayEquals(e.reshape(e.length()).toFloatVector(), a.reshape(a.length()).toFloatVector(), 1e-5f,
                    "output after training, train=" + train);
        }
    }

    @Test
    void withoutTheProjectsHelperItIsDl4jsLayer() {
        ComputationGraph own = net(true, true);
        ComputationGraph dl4j = net(false, true);
        for (ComputationGraph g : new ComputationGraph[] {own, dl4j}) {
            for (String b : new String[] {"b1", "b2"}) {
                clearHelper(g.getLayer(b));
            }
        }
        dl4j.setParams(own.params());
        for (int step = 0; step < 2; step++) {
            own.fit(data(40 + step));
            dl4j.fit(data(40 + step));
        }
        assertEquals(dl4j.params(), own.params(), "parameters after 2 steps on DL4J's built-in batch norm");
        assertEquals(0, BatchNorm.directPasses(own.getLayer("b1")));
    }

    /** Takes a batch-norm layer's helper away: DL4J's built-in batch norm (the plain engine's). */
    private static void clearHelper(org.deeplearning4j.nn.api.Layer layer) {
        try {
            java.lang.reflect.Field f = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class
                    .getDeclaredField("helper");
            f.setAccessible(true);
            f.set(layer, null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void itsJsonRestoresIt() {
        ComputationGraph own = net(true, true);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(own.getConfiguration().toJson());
        assertEquals(own.getConfiguration(), back);
        ComputationGraph restored = new ComputationGraph(back);
        restored.init(own.params().dup(), false);
        assertInstanceOf(BatchNorm.class, restored.getLayer("b1").conf().getLayer());
        assertTrue(BatchNorm.directPasses(restored.getLayer("b1")) == 0, "its runtime");
        BatchNormalization c = (BatchNormalization) restored.getLayer("b2").conf().getLayer();
        assertTrue(c.isUseLogStd() && c.getDecay() == 0.9 && c.getEps() == 1e-5, "DL4J's builder defaults");
    }
}
