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
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.core.backbone.MaxPooling;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link OneDnnPooling} against DL4J's oneDNN pooling helper (libnd4j's {@code maxpool2d} ops, what the fast path
 * ran before), DL4J's plain path and float64, on in → conv(3×3, ReLU) → max pool(k, s) → max pool(3, 1) → global
 * average pool → softmax, with 'same' padding (larger at the bottom/right where the total is odd) and overlapping
 * windows (stride below kernel: a position's gradient is a sum over the windows it wins).
 *
 * <p>Tolerances: against DL4J's oneDNN helper, with the same convolution before it (the pooling sees identical
 * inputs and takes identical decisions), {@value #SAME_TOL} relative (L2 norm); against the plain path and float64,
 * whose convolution rounds differently, {@value OneDnnHelpersTest#TOL}, as for the other helpers.
 */
class OneDnnPoolingTest {

    static final double SAME_TOL = 1e-6;

    @BeforeAll
    static void engine() {
        ComputeEngine.initialize();
    }

    private static ComputationGraph net(boolean helpers, int kernel, int stride, int size, DataType type) {
        return net(helpers, false, kernel, stride, size, type);
    }

    /** @param maxPooling the backbones' {@link MaxPooling} layers instead of DL4J's {@code SubsamplingLayer} */
    private static ComputationGraph net(boolean helpers, boolean maxPooling, int kernel, int stride, int size,
            DataType type) {
        org.deeplearning4j.nn.conf.layers.Layer p1 = maxPooling ? new MaxPooling(kernel, stride)
                : new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(kernel, kernel).stride(stride, stride)
                        .build();
        org.deeplearning4j.nn.conf.layers.Layer p2 = maxPooling ? new MaxPooling(3, 1)
                : new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(1, 1).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(31).dataType(type)
                .updater(new Sgd(0.1)).weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(size, size, 3))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.RELU).build(), "in")
                .addLayer("p1", p1, "c1")
                .addLayer("p2", p2, "p1")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "p2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph net = FastPathEquivalenceTest.withHelpers(helpers, () -> {
            ComputationGraph g = new ComputationGraph(conf);
            g.init();
            return g;
        });
        assertEquals(helpers ? 3 : 0, OneDnnHelpers.install(net), "layers given the project's helpers");
        return net;
    }

    @ParameterizedTest(name = "kernel {0}, stride {1}, {2} px")
    @CsvSource({"3, 2, 9", "3, 2, 10", "2, 2, 7", "3, 1, 6", "5, 3, 11", "3, 2, 16"})
    void outputsAndGradientsMatchDl4jsHelperThePlainPathAndFloat64(int kernel, int stride, int size) {
        ComputationGraph own = net(true, kernel, stride, size, DataType.FLOAT);
        ComputationGraph dl4j = net(true, kernel, stride, size, DataType.FLOAT);
        for (Layer l : dl4j.getLayers()) {
            if (l.getHelper() instanceof OneDnnPooling p) {
                OneDnnHelpers.set(l, "helper", p.fallback());
            }
        }
        ComputationGraph plain = net(false, kernel, stride, size, DataType.FLOAT);
        ComputationGraph exact = net(false, kernel, stride, size, DataType.DOUBLE);
        dl4j.setParams(own.params());
        plain.setParams(own.params());
        exact.setParams(own.params().castTo(DataType.DOUBLE));

        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 3, size, size);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 5, 3);
        for (int i = 0; i < 5; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        for (boolean train : new boolean[] {false, true}) {
            INDArray o = own.outputSingle(train, x.dup());
            close(dl4j.outputSingle(train, x.dup()), o, SAME_TOL, "output (train=" + train + ") vs DL4J's helper");
            close(plain.outputSingle(train, x.dup()), o, OneDnnHelpersTest.TOL, "output vs plain");
            close(exact.outputSingle(train, x.castTo(DataType.DOUBLE)), o, OneDnnHelpersTest.TOL, "output vs f64");
        }
        Map<String, INDArray> go = gradients(own, x, y);
        Map<String, INDArray> gh = gradients(dl4j, x, y);
        Map<String, INDArray> gp = gradients(plain, x, y);
        Map<String, INDArray> gd = gradients(exact, x.castTo(DataType.DOUBLE), y.castTo(DataType.DOUBLE));
        assertEquals(gp.keySet(), go.keySet());
        for (String k : go.keySet()) {
            close(gh.get(k), go.get(k), SAME_TOL, "gradient " + k + " vs DL4J's helper");
            close(gp.get(k), go.get(k), OneDnnHelpersTest.TOL, "gradient " + k + " vs plain");
            close(gd.get(k), go.get(k), OneDnnHelpersTest.TOL, "gradient " + k + " vs f64");
        }
        int pools = 0;
        for (Layer l : own.getLayers()) {
            if (l instanceof org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer) {
                OneDnnPooling p = assertInstanceOf(OneDnnPooling.class, l.getHelper());
                assertTrue(p.calls() > 0 && p.backwardCalls() > 0, l.conf().getLayer().getLayerName() + " engaged");
                assertEquals(0, ComputeEngine.helperFailures(l), l.conf().getLayer().getLayerName() + " fell back");
                pools++;
            }
        }
        assertEquals(2, pools);
        for (Layer l : dl4j.getLayers()) {
            if (l instanceof org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer) {
                assertInstanceOf(MKLDNNSubsamplingHelper.class, l.getHelper(), "the reference runs DL4J's helper");
            }
        }
    }

    /**
     * The backbones' {@link MaxPooling}: its forward pass runs the helper's training primitive and its backward pass
     * uses that pass's workspace instead of pooling again; outputs, loss and every gradient are bit for bit those of
     * DL4J's layer with the same helper, which pools again in the backward pass.
     */
    @ParameterizedTest(name = "kernel {0}, stride {1}, {2} px")
    @CsvSource({"3, 2, 9", "2, 2, 7", "3, 1, 6", "5, 3, 11", "3, 2, 16"})
    void maxPoolingLayersKeepTheWorkspaceAndMatchDl4jsLayerBitForBit(int kernel, int stride, int size) {
        ComputationGraph own = net(true, true, kernel, stride, size, DataType.FLOAT);
        ComputationGraph dl4j = net(true, false, kernel, stride, size, DataType.FLOAT);
        dl4j.setParams(own.params());
        Nd4j.getRandom().setSeed(13);
        INDArray x = Nd4j.randn(DataType.FLOAT, 5, 3, size, size);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 5, 3);
        for (int i = 0; i < 5; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        for (boolean train : new boolean[] {false, true}) {
            assertEquals(dl4j.outputSingle(train, x.dup()), own.outputSingle(train, x.dup()), "train=" + train);
        }
        for (int step = 0; step < 2; step++) {
            Map<String, INDArray> go = gradients(own, x, y);
            Map<String, INDArray> gd = gradients(dl4j, x, y);
            assertEquals(dl4j.score(), own.score(), 0.0, "loss");
            for (String k : gd.keySet()) {
                assertEquals(gd.get(k), go.get(k), "gradient " + k);
            }
        }
        for (Layer l : own.getLayers()) {
            if (l instanceof org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer) {
                OneDnnPooling p = assertInstanceOf(OneDnnPooling.class, l.getHelper());
                // forward (inference, training) + 2 × (forward + backward)
                assertEquals(6, p.calls(), l.conf().getLayer().getLayerName() + ": passes in the helper");
                assertEquals(2, p.backwardFromForward(), l.conf().getLayer().getLayerName() + ": backward passes "
                        + "that used the training forward pass's workspace");
            }
        }
        for (Layer l : dl4j.getLayers()) {
            if (l.getHelper() instanceof OneDnnPooling p) {
                assertEquals(2, p.calls(), "DL4J's layer calls its helper in the backward pass only");
                assertEquals(0, p.backwardFromForward());
            }
        }
    }

    /**
     * The forward pass, called directly: DL4J 1.0.0-M2.1's {@code SubsamplingLayer.activate} runs libnd4j's
     * {@code maxpool2d} itself and never calls a helper, so the network test above cannot reach it.
     */
    @ParameterizedTest(name = "kernel {0}, stride {1}, {2} px")
    @CsvSource({"3, 2, 9", "3, 2, 10", "2, 2, 7", "3, 1, 6", "5, 3, 11"})
    void theForwardPassEqualsDl4jsHelper(int kernel, int stride, int size) {
        MKLDNNSubsamplingHelper dl4j = new MKLDNNSubsamplingHelper(DataType.FLOAT);
        OneDnnPooling own = new OneDnnPooling(dl4j);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 5, size, size);
        int[] k = {kernel, kernel};
        int[] s = {stride, stride};
        int[] pad = {0, 0};
        int[] dilation = {1, 1};
        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr ws =
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
        for (boolean train : new boolean[] {false, true}) {
            INDArray expected = dl4j.activate(x, train, k, s, pad, PoolingType.MAX, ConvolutionMode.Same, dilation,
                    org.deeplearning4j.nn.conf.CNN2DFormat.NCHW, ws);
            INDArray actual = own.activate(x, train, k, s, pad, PoolingType.MAX, ConvolutionMode.Same, dilation,
                    org.deeplearning4j.nn.conf.CNN2DFormat.NCHW, ws);
            assertEquals(expected, actual, "max pooling, train=" + train);
        }
        assertEquals(2, own.calls());
        assertEquals(0, own.backwardCalls());
    }

    private static Map<String, INDArray> gradients(ComputationGraph net, INDArray x, INDArray y) {
        net.setInputs(x.dup());
        net.setLabels(y.dup());
        net.computeGradientAndScore();
        return net.gradient().gradientForVariable();
    }

    private static void close(INDArray expected, INDArray actual, double tol, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        INDArray a = actual.castTo(DataType.DOUBLE).reshape(e.shape());
        double norm = e.norm2Number().doubleValue();
        double diff = e.sub(a).norm2Number().doubleValue();
        assertTrue(diff <= tol * Math.max(norm, 1e-6), what + ": |difference| " + diff + " vs |expected| " + norm);
    }
}
