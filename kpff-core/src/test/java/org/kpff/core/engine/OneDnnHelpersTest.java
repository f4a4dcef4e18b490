package org.kpff.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The project's oneDNN helpers, layer by layer, against DL4J's plain path and float64: convolutions with bias (DL4J's
 * backbones have none), strides and 'same' padding that is larger at the bottom/right, convolutions whose input
 * gradient is used, batch norm in training and inference mode, and the running statistics batch norm moves
 * after a step. The stack is linear (identity activations, average pooling), so no ReLU or max-pooling decision can
 * flip between the paths and float32 rounding alone separates them.
 *
 * <p>Tolerance: every quantity within {@value #TOL} relative (L2 norm of the difference over the plain path's norm)
 * of the plain float32 path, and within {@value #TOL} of float64.
 */
class OneDnnHelpersTest {

    static final double TOL = 1e-4;

    @BeforeAll
    static void engine() {
        ComputeEngine.initialize();
    }

    /**
     * in → conv(k, s, bias) → BN → conv(3, 1) → BN → conv(3, 2, bias) → global average pool → softmax. The first
     * convolution's bias has a zero gradient in exact arithmetic (batch norm removes it); the last one's does not.
     */
    private static ComputationGraph net(boolean helpers, int kernel, int stride, int size, DataType type) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(23).dataType(type)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(size, size, 3))
                .addLayer("c1", new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(8)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("b1", new BatchNormalization.Builder().build(), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "b1")
                .addLayer("b2", new BatchNormalization.Builder().build(), "c2")
                .addLayer("c3", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(5)
                        .activation(Activation.IDENTITY).build(), "b2")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c3")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph net = FastPathEquivalenceTest.withHelpers(helpers, () -> {
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            return g;
        });
        assertEquals(helpers ? 5 : 0, OneDnnHelpers.install(net), "layers given the project's helpers");
        return net;
    }

    @ParameterizedTest(name = "kernel {0}, stride {1}, {2} px")
    @CsvSource({"3, 1, 9", "5, 2, 11", "4, 3, 10", "1, 1, 6"})
    void outputsGradientsAndRunningStatisticsMatchThePlainPathAndFloat64(int kernel, int stride, int size) {
        ComputationGraph fast = net(true, kernel, stride, size, DataType.FLOAT);
        ComputationGraph plain = net(false, kernel, stride, size, DataType.FLOAT);
        ComputationGraph exact = net(false, kernel, stride, size, DataType.DOUBLE);
        plain.setParams(fast.params());
        exact.setParams(fast.params().castTo(DataType.DOUBLE));
        for (Layer l : fast.getLayers()) {
            if (l instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) {
                assertInstanceOf(OneDnnConvolution.class, l.getHelper());
            } else if (l instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
                assertInstanceOf(OneDnnBatchNorm.class, l.getHelper());
            }
        }
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, 7, 3, size, size).muli(2).addi(0.5);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 7, 3);
        for (int i = 0; i < 7; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        for (boolean train : new boolean[] {false, true}) {
            INDArray f = fast.outputSingle(train, x.dup());
            close(plain.outputSingle(train, x.dup()), f, "output (train=" + train + ") vs plain");
            close(exact.outputSingle(train, x.castTo(DataType.DOUBLE)), f, "output (train=" + train + ") vs f64");
        }
        // One SGD step: gradients, and the parameters after it (batch norm's running mean and variance included).
        fast.fit(new org.nd4j.linalg.dataset.MultiDataSet(x.dup(), y.dup()));
        plain.fit(new org.nd4j.linalg.dataset.MultiDataSet(x.dup(), y.dup()));
        exact.fit(new org.nd4j.linalg.dataset.MultiDataSet(x.castTo(DataType.DOUBLE), y.castTo(DataType.DOUBLE)));
        Map<String, INDArray> gf = fast.gradient().gradientForVariable();
        Map<String, INDArray> gp = plain.gradient().gradientForVariable();
        Map<String, INDArray> gd = exact.gradient().gradientForVariable();
        assertEquals(gp.keySet(), gf.keySet());
        for (String k : gp.keySet()) {
            if (k.equals("c1_b")) {
                // Zero in exact arithmetic: rounding only, compared with the float64 gradient's scale.
                double largest = gd.values().stream().mapToDouble(g -> g.norm2Number().doubleValue()).max().orElse(1);
                assertTrue(gf.get(k).norm2Number().doubleValue() <= TOL * largest, "c1_b is rounding only");
                continue;
            }
            close(gp.get(k), gf.get(k), "gradient " + k + " vs plain");
            close(gd.get(k), gf.get(k), "gradient " + k + " vs f64");
        }
        for (String k : plain.paramTable().keySet()) {
            if (k.equals("c1_b")) {
                continue; // moved by a rounding-only gradient (above)
            }
            close(plain.paramTable().get(k), fast.paramTable().get(k), "parameter " + k + " after a step vs plain");
            close(exact.paramTable().get(k), fast.paramTable().get(k), "parameter " + k + " after a step vs f64");
        }
        for (Layer l : fast.getLayers()) {
            if (l.getHelper() instanceof OneDnnConvolution c) {
                assertTrue(c.calls() > 0 && c.backwardCalls() > 0, l.conf().getLayer().getLayerName() + " engaged");
            } else if (l.getHelper() instanceof OneDnnBatchNorm b) {
                assertTrue(b.calls() > 0, l.conf().getLayer().getLayerName() + " engaged");
            }
            assertEquals(0, ComputeEngine.helperFailures(l), l.conf().getLayer().getLayerName() + " fell back");
        }
    }

    private static void close(INDArray expected, INDArray actual, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(e.shape());
        double norm = e.norm2Number().doubleValue();
        double diff = e.sub(a).norm2Number().doubleValue();
        assertTrue(diff <= TOL * Math.max(norm, 1e-6), what + ": |difference| " + diff + " vs |expected| " + norm);
    }
}
