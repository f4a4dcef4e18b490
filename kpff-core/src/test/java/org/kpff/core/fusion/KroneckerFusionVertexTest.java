package org.kpff.core.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The trainable KPFF vertex inside real DL4J graphs: equivalences, gradient checks, counts, serialization. */
class KroneckerFusionVertexTest {

    private static final int N = 3;
    private static final int IN = 4;
    private static final int R = 5;
    private static final int CLASSES = 3;
    private static final int BATCH = 4;
    private static final long SEED = 12345L;

    /** ND4J's default data types before this class switched them to double (restored after it). */
    private static DataType defaultType;
    private static DataType defaultFloatingType;

    @BeforeAll
    static void doublePrecision() {
        defaultType = Nd4j.dataType();
        defaultFloatingType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(defaultType, defaultFloatingType);
        assertEquals(defaultFloatingType, Nd4j.defaultFloatingPointType(), "later test classes get the default back");
    }

    /** n dense inputs → dense projections to r → fusion vertex "fuse" → softmax output. */
    static ComputationGraph denseGraph(GraphVertex fusion, int fusedWidth, boolean noOp) {
        return denseGraph(fusion, fusedWidth, noOp, DataType.DOUBLE);
    }

    static ComputationGraph denseGraph(GraphVertex fusion, int fusedWidth, boolean noOp, DataType type) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .dataType(type)
                .updater(noOp ? new NoOp() : new Adam(1e-2))
                .weightInit(WeightInit.XAVIER)
                .graphBuilder();
        String[] inputs = new String[N];
        String[] projections = new String[N];
        for (int i = 0; i < N; i++) {
            inputs[i] = "in" + i;
            projections[i] = "proj" + i;
        }
        g.addInputs(inputs);
        for (int i = 0; i < N; i++) {
            g.addLayer(projections[i], new DenseLayer.Builder().nIn(IN).nOut(R).activation(Activation.TANH).build(),
                    inputs[i]);
        }
        g.addVertex("fuse", fusion, projections);
        g.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(fusedWidth).nOut(CLASSES)
                .activation(Activation.SOFTMAX).build(), "fuse");
        g.setOutputs("out");
        g.setInputTypes(InputType.feedForward(IN), InputType.feedForward(IN), InputType.feedForward(IN));
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    static INDArray[] randomInputs(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray[] in = new INDArray[N];
        for (int i = 0; i < N; i++) {
            in[i] = Nd4j.randn(DataType.DOUBLE, BATCH, IN);
        }
        return in;
    }

    static INDArray oneHotLabels(long seed) {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, BATCH, CLASSES);
        java.util.Random rng = new java.util.Random(seed);
        for (int b = 0; b < BATCH; b++) {
            labels.putScalar(b, rng.nextInt(CLASSES), 1.0);
        }
        return labels;
    }

    /** Copies every parameter except the fusion vertex's from one graph to another (same layer shapes). */
    static void copyLayerParams(ComputationGraph from, ComputationGraph to) {
        for (int i = 0; i < N; i++) {
            to.getLayer("proj" + i).setParams(from.getLayer("proj" + i).params().dup());
        }
    }

    @Test
    void identityInitReproducesMergeVertexExactly() {
        ComputationGraph kpff = denseGraph(new KroneckerFusionVertex(N, FusionInit.IDENTITY, 1), N * R, true);
        ComputationGraph concat = denseGraph(new MergeVertex(), N * R, true);
        copyLayerParams(kpff, concat);
        INDArray[] in = randomInputs(3);
        Map<String, INDArray> a = kpff.feedForward(in, false);
        Map<String, INDArray> b = concat.feedForward(in, false);
        assertEquals(b.get("fuse"), a.get("fuse"));
    }

    @Test
    void addInitReproducesElementWiseAddFollowedByZerosExactly() {
        ComputationGraph kpff = denseGraph(new KroneckerFusionVertex(N, FusionInit.ADD, 1), N * R, true);
        ComputationGraph add = denseGraph(new ElementWiseVertex(ElementWiseVertex.Op.Add), R, true);
        copyLayerParams(kpff, add);
        INDArray[] in = randomInputs(4);
        INDArray fused = kpff.feedForward(in, false).get("fuse");
        INDArray sum = add.feedForward(in, false).get("fuse");
        assertEquals(sum, fused.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, R)));
        assertEquals(0.0, fused.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(R, N * R)).norm1Number().doubleValue(), 0.0);
    }

    /**
     * The job trains in float32, where gradient checks cannot run: the float32 network's gradients must equal the
     * float64 network's (same parameters, same data) to float32 rounding, for every parameter and every init. This
     * is the test that caught ND4J's float32 matrix-vector product reading a column of W as contiguous (the middle
     * projection got a zero gradient at W = I).
     */
    @ParameterizedTest
    @EnumSource(FusionInit.class)
    void float32GradientsEqualFloat64Gradients(FusionInit init) {
        ComputationGraph d = denseGraph(new KroneckerFusionVertex(N, init, 99), N * R, true);
        d.getVertex("fuse").paramTable(false).get(KroneckerFusionVertex.PARAM_W)
                .addi(Nd4j.rand(DataType.DOUBLE, N, N).muli(0.3));
        ComputationGraph f = denseGraph(new KroneckerFusionVertex(N, init, 99), N * R, true, DataType.FLOAT);
        f.setParams(d.params().castTo(DataType.FLOAT));
        INDArray[] in = randomInputs(5);
        INDArray labels = oneHotLabels(5);
        d.setInputs(in);
        d.setLabels(labels);
        d.computeGradientAndScore();
        INDArray[] inF = new INDArray[N];
        for (int i = 0; i < N; i++) {
            inF[i] = in[i].castTo(DataType.FLOAT);
        }
        f.setInputs(inF);
        f.setLabels(labels.castTo(DataType.FLOAT));
        f.computeGradientAndScore();
        java.util.Map<String, INDArray> gd = d.gradient().gradientForVariable();
        java.util.Map<String, INDArray> gf = f.gradient().gradientForVariable();
        assertEquals(gd.keySet(), gf.keySet());
        for (String k : gd.keySet()) {
            double norm = gd.get(k).norm2Number().doubleValue();
            double diff = gf.get(k).castTo(DataType.DOUBLE).sub(gd.get(k)).norm2Number().doubleValue();
            assertTrue(norm > 0, k + ": the float64 gradient is zero, so the comparison would prove nothing");
            assertTrue(diff <= 1e-5 * norm, k + " (init " + init + "): float32 gradient is " + diff / norm
                    + " (relative) away from float64");
        }
    }

    @ParameterizedTest
    @EnumSource(FusionInit.class)
    void gradientCheckPassesInDoublePrecision(FusionInit init) {
        ComputationGraph net = denseGraph(new KroneckerFusionVertex(N, init, 99), N * R, true);
        if (init != FusionInit.RANDOM) {
            // Move W off its special value so that every entry of dL/dW is exercised by a generic W.
            net.getVertex("fuse").paramTable(false).get(KroneckerFusionVertex.PARAM_W)
                    .addi(Nd4j.rand(DataType.DOUBLE, N, N).muli(0.3));
        }
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(randomInputs(5)).labels(new INDArray[] {oneHotLabels(5)})
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertTrue(ok, "gradient check failed for init " + init);
    }

    @Test
    void gradientCheckPassesForFeatureMapTapsFusedChannelWise() {
        int c = 2;
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(SEED).dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("img")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(c).activation(Activation.TANH)
                        .build(), "img")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(c).activation(Activation.TANH)
                        .build(), "c1")
                .addVertex("fuse", new KroneckerFusionVertex(2, FusionInit.RANDOM, 5), "c1", "c2")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "fuse")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out")
                .setInputTypes(InputType.convolutional(5, 5, 1));
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        Nd4j.getRandom().setSeed(11);
        INDArray img = Nd4j.randn(DataType.DOUBLE, BATCH, 1, 5, 5);
        INDArray fused = net.feedForward(new INDArray[] {img}, false).get("fuse");
        assertArrayEquals(new long[] {BATCH, 2L * c, 5, 5}, fused.shape());
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {img}).labels(new INDArray[] {oneHotLabels(6)})
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertTrue(ok, "gradient check failed for [B, C, H, W] taps");
    }

    @Test
    void parameterCountIsExact() {
        ComputationGraph net = denseGraph(new KroneckerFusionVertex(N, FusionInit.IDENTITY, 1), N * R, true);
        long projections = N * (IN * R + R);
        long fusion = N * N;
        long output = N * R * CLASSES + CLASSES;
        // ComputationGraph.numParams() counts layers only; the flat parameter vector holds the vertex too.
        assertEquals(projections + fusion + output, net.params().length());
        assertEquals(projections + output, net.numParams());
        assertEquals(fusion, net.getVertex("fuse").numParams());
        assertTrue(net.paramTable().containsKey("fuse_" + KroneckerFusionVertex.PARAM_W), net.paramTable().keySet()::toString);
    }

    @Test
    void trainingMovesWAndWeightsStayViewsOfTheNetworkParameters() {
        ComputationGraph net = denseGraph(new KroneckerFusionVertex(N, FusionInit.IDENTITY, 1), N * R, false);
        INDArray before = net.paramTable().get("fuse_" + KroneckerFusionVertex.PARAM_W).dup();
        assertEquals(Nd4j.eye(N).castTo(DataType.DOUBLE), before);
        INDArray[] in = randomInputs(8);
        INDArray[] labels = {oneHotLabels(8)};
        double first = 0;
        for (int it = 0; it < 30; it++) {
            net.fit(in, labels);
            if (it == 0) {
                first = net.score();
            }
        }
        INDArray after = ((KroneckerFusionVertexRuntime) net.getVertex("fuse")).getW();
        assertNotEquals(before, after);
        assertEquals(net.paramTable().get("fuse_" + KroneckerFusionVertex.PARAM_W), after);
        assertTrue(net.score() < first, "loss should fall: first " + first + ", last " + net.score());
    }

    @Test
    void modelSerializationRoundTripGivesTheSameOutputAndW() throws Exception {
        ComputationGraph net = denseGraph(new KroneckerFusionVertex(N, FusionInit.RANDOM, 42), N * R, false);
        INDArray[] in = randomInputs(9);
        net.fit(in, new INDArray[] {oneHotLabels(9)});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), true);
        assertEquals(net.getConfiguration(), restored.getConfiguration());
        assertEquals(net.paramTable().get("fuse_W"), restored.paramTable().get("fuse_W"));
        assertEquals(net.outputSingle(in), restored.outputSingle(in));
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
    }

    @Test
    void configJsonRoundTripAndDeepClone() {
        KroneckerFusionVertex v = new KroneckerFusionVertex(N, FusionInit.ADD, 7);
        ComputationGraph net = denseGraph(v, N * R, false);
        String json = net.getConfiguration().toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(net.getConfiguration(), back);
        KroneckerFusionVertex fromJson = (KroneckerFusionVertex) back.getVertices().get("fuse");
        assertEquals(FusionInit.ADD, fromJson.getInit());
        assertEquals(7, fromJson.getSeed());
        KroneckerFusionVertex original = (KroneckerFusionVertex) net.getConfiguration().getVertices().get("fuse");
        KroneckerFusionVertex copy = (KroneckerFusionVertex) original.clone();
        assertEquals(original, copy);
        assertTrue(copy.getUpdater() != null && copy.getUpdater() != original.getUpdater(), "updater deep-copied");
    }
}
