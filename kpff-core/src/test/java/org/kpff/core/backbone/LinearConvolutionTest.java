package org.kpff.core.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.kpff.core.testing.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.core.engine.ComputeEngine;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link LinearConvolution} computes what DL4J's own identity convolution computes, bit for bit, on the oneDNN path
 * and on DL4J's plain path, in float32 and float64, and its backward pass runs one convolution fewer.
 */
class LinearConvolutionTest {

    private static final int BATCH = 6;
    private static final int SIZE = 12;

    @BeforeAll
    static void engine() {
        ComputeEngine.initialize();
    }

    /** input → conv(k, s) → BN → ReLU → conv(3, 1) → BN → ReLU → average pool → softmax: two convolutions, so the first one's input gradient is used. */
    private static ComputationGraph net(boolean linear, int kernel, int stride, DataType type) {
        Supplier<Layer> first = () -> linear ? new LinearConvolution(kernel, stride, 8)
                : new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(8).hasBias(false)
                        .activation(Activation.IDENTITY).build();
        Supplier<Layer> second = () -> linear ? new LinearConvolution(3, 1, 6)
                : new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false).activation(Activation.IDENTITY).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(17).dataType(type)
                .updater(new Adam(1e-3)).l2(1e-2).weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("c1", first.get(), "in")
                .addLayer("b1", new BatchNormalization.Builder().build(), "c1")
                .addLayer("r1", new ActivationLayer.Builder().activation(Activation.RELU).build(), "b1")
                .addLayer("c2", second.get(), "r1")
                .addLayer("b2", new BatchNormalization.Builder().build(), "c2")
                .addLayer("r2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "b2")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "r2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static ComputationGraph build(boolean helpers, boolean linear, int kernel, int stride, DataType type) {
        String before = System.getProperty(ComputeEngine.HELPERS_DISABLE);
        System.setProperty(ComputeEngine.HELPERS_DISABLE, Boolean.toString(!helpers));
        try {
            return net(linear, kernel, stride, type);
        } finally {
            System.setProperty(ComputeEngine.HELPERS_DISABLE, before);
        }
    }

    private static org.nd4j.linalg.dataset.DataSet gradient(ComputationGraph g, DataType type) {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(type, BATCH, 3, SIZE, SIZE).subi(0.5);
        INDArray y = Nd4j.zeros(type, BATCH, 4);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % 4, 1.0);
        }
        g.setInputs(x);
        g.setLabels(y);
        g.computeGradientAndScore();
        return new org.nd4j.linalg.dataset.DataSet(x, y);
    }

    @ParameterizedTest(name = "helpers {0}, {1}x{1}/{2}, {3}")
    @CsvSource({"true, 3, 1, FLOAT", "true, 5, 2, FLOAT", "true, 11, 4, FLOAT", "false, 3, 1, FLOAT",
            "false, 5, 2, FLOAT", "false, 3, 1, DOUBLE", "false, 11, 4, DOUBLE"})
    void gradientsAndLossEqualDl4jsIdentityConvolutionBitForBit(boolean helpers, int kernel, int stride,
            DataType type) {
        ComputationGraph stock = build(helpers, false, kernel, stride, type);
        ComputationGraph linear = build(helpers, true, kernel, stride, type);
        assertInstanceOf(LinearConvolution.Runtime.class, linear.getLayer("c1"));
        assertEquals(helpers, linear.getLayer("c1").getHelper() instanceof MKLDNNConvHelper,
                "helper of the linear convolution");
        assertEquals(stock.params(), linear.params(), "same seed, same parameters");

        org.nd4j.linalg.dataset.DataSet batch = gradient(stock, type);
        gradient(linear, type);
        assertEquals(stock.score(), linear.score(), 0.0, "loss");
        Map<String, INDArray> a = stock.gradient().gradientForVariable();
        Map<String, INDArray> b = linear.gradient().gradientForVariable();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertTrue(a.get(k).norm2Number().doubleValue() > 0, k + " has a gradient");
            assertEquals(0.0, a.get(k).sub(b.get(k)).amaxNumber().doubleValue(), 0.0, k);
        }
        // Training on: the same parameters after three Adam steps.
        for (int i = 0; i < 3; i++) {
            stock.fit(batch);
            linear.fit(batch);
        }
        assertEquals(0.0, stock.params().sub(linear.params()).amaxNumber().doubleValue(), 0.0, "parameters");
    }

    @ParameterizedTest(name = "{0}x{0}/{1}")
    @CsvSource({"3, 1", "5, 2", "11, 4"})
    void onTheProjectsHelperGradientsEqualDl4jsLayerOnItBitForBit(int kernel, int stride) {
        ComputationGraph stock = build(true, false, kernel, stride, DataType.FLOAT);
        ComputationGraph linear = build(true, true, kernel, stride, DataType.FLOAT);
        org.kpff.core.engine.OneDnnHelpers.install(stock);
        org.kpff.core.engine.OneDnnHelpers.install(linear);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                linear.getLayer("c2").getHelper() instanceof org.kpff.core.engine.OneDnnConvolution,
                "the project's oneDNN convolution helper is not on this engine");
        org.nd4j.linalg.dataset.DataSet batch = gradient(stock, DataType.FLOAT);
        gradient(linear, DataType.FLOAT);
        assertEquals(stock.score(), linear.score(), 0.0, "loss");
        Map<String, INDArray> a = stock.gradient().gradientForVariable();
        Map<String, INDArray> b = linear.gradient().gradientForVariable();
        for (String k : a.keySet()) {
            assertTrue(a.get(k).norm2Number().doubleValue() > 0, k + " has a gradient");
            assertEquals(a.get(k), b.get(k), k);
        }
        for (int i = 0; i < 2; i++) {
            stock.fit(batch);
            linear.fit(batch);
        }
        assertEquals(stock.params(), linear.params(), "parameters after 2 Adam steps");
        for (String c : new String[] {"c1", "c2"}) {
            LinearConvolution.Runtime r = assertInstanceOf(LinearConvolution.Runtime.class, linear.getLayer(c));
            assertEquals(3, r.helperPasses(), c + ": backward passes handed straight to the helper");
        }
    }

    /** One training step's conv2d executions on the oneDNN path: 2 layers × (forward + recomputed forward) for DL4J's layer, 2 × 1 here. */
    @Test
    void backwardPassDoesNotRunTheConvolutionForwardAgain() {
        assertEquals(4, conv2dOpsPerGradient(build(true, false, 3, 1, DataType.FLOAT)), "DL4J's own layer");
        assertEquals(2, conv2dOpsPerGradient(build(true, true, 3, 1, DataType.FLOAT)), "LinearConvolution");
    }

    private static long conv2dOpsPerGradient(ComputationGraph g) {
        return TestData.opsPerCall("conv2d", () -> gradient(g, DataType.FLOAT));
    }

    @Test
    void surviveJsonRoundTripAsItself() {
        ComputationGraph g = build(true, true, 5, 2, DataType.FLOAT);
        String json = g.getConfiguration().toJson();
        assertTrue(json.contains(LinearConvolution.class.getName()), "class name in the JSON");
        ComputationGraph restored = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
        restored.init(g.params().dup(), false);
        assertInstanceOf(LinearConvolution.Runtime.class, restored.getLayer("c1"));
        assertEquals(g.getConfiguration().getVertices().get("c1"), restored.getConfiguration().getVertices().get("c1"));
    }

    @Test
    void refusesAnActivationOtherThanTheIdentity() {
        LinearConvolution conv = new LinearConvolution(3, 1, 4);
        conv.setActivationFn(Activation.RELU.getActivationFunction());
        conv.setLayerName("c9");
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 3)).addLayer("c9", conv, "in")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "c9")
                .addLayer("out", new OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ComputationGraph(conf).init());
        assertTrue(e.getMessage().contains("'c9'") && e.getMessage().contains("identity"), e.getMessage());
    }
}
