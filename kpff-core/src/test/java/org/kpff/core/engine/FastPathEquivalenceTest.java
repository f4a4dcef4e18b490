package org.kpff.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kpff.core.backbone.BatchNorm;
import org.kpff.core.backbone.LinearConvolution;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.ModelFactory;
import org.kpff.core.model.CellSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fast path (convolution, batch norm and max pooling on the project's own oneDNN helpers,
 * {@link OneDnnConvolution}, {@link OneDnnBatchNorm} and {@link OneDnnPooling}) computes what DL4J's plain path
 * computes, for every backbone × fusion method, and it is really engaged in the default build.
 *
 * <p>The fast path is float32 only: DL4J's oneDNN helpers decline other types and DL4J then runs its own path,
 * which {@link ComputeEngine#of} reports as plain.
 *
 * <p>Tolerances (float32): network outputs within {@value #OUTPUT_TOL} absolute (softmax probabilities), the loss
 * within {@value #SCORE_TOL} relative, and every parameter's gradient within {@value #GRAD_TOL} relative in L2
 * norm ({@code |g_fast - g_plain| / |g_plain|}, floored at 1e-3 of the largest gradient's norm) or within twice
 * the distance between the plain path's float32 gradient and the float64 gradient of the same network, whichever
 * is larger. oneDNN reorders float sums (blocked layouts, different GEMM), so bit equality is not expected.
 *
 * <p>Where the comparison is made: AlexNet and VGG-16 at 32 px, Inception at 64 px. At 32 px (width 0.125, batch
 * 16) Inception's last modules see 1 × 1 and 2 × 2 maps and this test's input lies within float32 rounding of a kink
 * of the gradient (a max-pooling or ReLU decision that flips): scaling the input by 1 ± 1e-7 moves even the
 * float64 gradient by 4.8 % (against 1.7e-7 for 1 ± 1e-9), so any two float32 computations, plain or fast, may
 * land on either side, and the plain path's own float32 gradient is 4.8 % from float64 there. At 64 px the same
 * probe moves the float64 gradient by 3.6e-5, and every path, the plain one and the fast one with oneDNN batch norm,
 * is within 1.1e-4 of float64.
 */
class FastPathEquivalenceTest {

    static final double OUTPUT_TOL = 1e-4;
    static final double SCORE_TOL = 1e-4;
    static final double GRAD_TOL = 1e-3;
    private static final int BATCH = 16;
    private static final int CLASSES = 3;

    @BeforeAll
    static void engine() {
        ComputeEngine.initialize();
    }

    static Stream<Arguments> backboneAndMethod() {
        List<Arguments> out = new ArrayList<>();
        for (String b : List.of("alexnet", "vgg16", "inception")) {
            for (FusionMethod m : FusionMethod.values()) {
                out.add(Arguments.of(b, m));
            }
        }
        return out.stream();
    }

    /** The input size of the comparison: see the class comment for Inception's 64 px. */
    static int comparisonSize(String backbone) {
        return backbone.equals("inception") ? 64 : 32;
    }

    private static CellSpec spec(String backbone, FusionMethod method, int size, double width) {
        // Dropout 0: the two networks must see the same function (dropout masks would differ).
        return new CellSpec(backbone, method, CLASSES, size, width, 16, FusionInit.IDENTITY, true, 0.0, 1e-3, 5e-4,
                BATCH, 1, 1, 1234L);
    }

    /** Builds a network with DL4J's layer helpers switched on or off for the layers it instantiates. */
    static <T> T withHelpers(boolean on, Supplier<T> build) {
        String before = System.getProperty(ComputeEngine.HELPERS_DISABLE);
        System.setProperty(ComputeEngine.HELPERS_DISABLE, Boolean.toString(!on));
        try {
            return build.get();
        } finally {
            System.setProperty(ComputeEngine.HELPERS_DISABLE, before);
        }
    }

    @Test
    void defaultBuildEngagesOneDnn() {
        ComputeEngine.Engine e = ComputeEngine.current();
        assertTrue(e.fast() && e.id().startsWith("cpu-onednn-"),
                "The default CPU build must train on oneDNN, but the engine is " + e.id() + ": " + e.detail());
        assertTrue(NativeLibrary.current().hasOnednn(), "libnd4j build info lacks HAVE_ONEDNN: "
                + NativeLibrary.current().buildInfo());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backboneAndMethod")
    void everyConvBatchNormAndPoolingLayerHasItsOneDnnHelper(String backbone, FusionMethod method) {
        ComputationGraph net = ModelFactory.create(spec(backbone, method, 32, 0.125));
        int conv = 0;
        int bn = 0;
        int pool = 0;
        for (Layer l : net.getLayers()) {
            if (l instanceof ConvolutionLayer) {
                // The project's own oneDNN helper, with DL4J's behind it for what it declines.
                assertInstanceOf(OneDnnConvolution.class, l.getHelper(), l.conf().getLayer().getLayerName());
                conv++;
            } else if (l instanceof BatchNormalization) {
                assertInstanceOf(OneDnnBatchNorm.class, l.getHelper(), l.conf().getLayer().getLayerName());
                bn++;
            } else if (l instanceof SubsamplingLayer) {
                assertInstanceOf(OneDnnPooling.class, l.getHelper(), l.conf().getLayer().getLayerName());
                pool++;
            }
        }
        assertTrue(conv > 0 && bn > 0 && pool > 0, conv + " conv, " + bn + " bn, " + pool + " pool layers");
        assertEquals(ComputeEngine.current().id(), ComputeEngine.of(net));

        ComputationGraph plain = withHelpers(false, () -> ModelFactory.create(spec(backbone, method, 32, 0.125)));
        for (Layer l : plain.getLayers()) {
            if (l instanceof ConvolutionLayer || l instanceof BatchNormalization || l instanceof SubsamplingLayer) {
                assertNull(l.getHelper(), l.conf().getLayer().getLayerName());
            }
        }
        assertEquals("cpu-plain", ComputeEngine.of(plain));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backboneAndMethod")
    void fastPathEqualsPlainPathInOutputsLossAndGradients(String backbone, FusionMethod method) {
        int size = comparisonSize(backbone);
        CellSpec spec = spec(backbone, method, size, 0.125);
        ComputationGraph fast = withHelpers(true, () -> ModelFactory.create(spec));
        ComputationGraph plain = withHelpers(false, () -> ModelFactory.create(spec));
        assertEquals(plain.params(), fast.params(), "same seed, same initial parameters");
        assertEquals(ComputeEngine.current().id(), ComputeEngine.of(fast), "every layer of the fast network has its helper");

        Nd4j.getRandom().setSeed(99);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 3, size, size);
        INDArray y = oneHot(BATCH);

        // Inference (BN with running statistics) and training-mode outputs (BN with batch statistics).
        for (boolean train : new boolean[] {false, true}) {
            INDArray of = fast.outputSingle(train, x.dup());
            INDArray op = plain.outputSingle(train, x.dup());
            double diff = of.sub(op).amaxNumber().doubleValue();
            assertTrue(diff <= OUTPUT_TOL, "outputs (train=" + train + ") differ by " + diff);
        }

        fast.setInputs(x.dup());
        fast.setLabels(y);
        fast.computeGradientAndScore();
        plain.setInputs(x.dup());
        plain.setLabels(y);
        plain.computeGradientAndScore();
        assertEquals(plain.score(), fast.score(), SCORE_TOL * Math.abs(plain.score()), "loss");
        for (Layer l : fast.getLayers()) {
            if (l instanceof ConvolutionLayer) {
                // Engaged, not just attached: the layer's passes ran in the project's helper, none in DL4J's.
                OneDnnConvolution h = assertInstanceOf(OneDnnConvolution.class, l.getHelper());
                assertTrue(h.calls() > 0, l.conf().getLayer().getLayerName() + " never ran its oneDNN helper");
                assertEquals(0, ComputeEngine.helperFailures(l), l.conf().getLayer().getLayerName());
                if (l.conf().getLayer() instanceof LinearConvolution lc && lc.isInputGradient()) {
                    assertTrue(LinearConvolution.helperPasses(l) > 0, l.conf().getLayer().getLayerName()
                            + " never handed its backward pass straight to the helper");
                }
            } else if (l instanceof BatchNormalization) {
                OneDnnBatchNorm h = assertInstanceOf(OneDnnBatchNorm.class, l.getHelper());
                assertTrue(h.calls() > 0, l.conf().getLayer().getLayerName() + " never ran its oneDNN helper");
                assertTrue(BatchNorm.directPasses(l) > 0, l.conf().getLayer().getLayerName()
                        + " never ran its training passes without DL4J's running-statistics ops");
                assertEquals(0, ComputeEngine.helperFailures(l), l.conf().getLayer().getLayerName());
            } else if (l instanceof SubsamplingLayer) {
                OneDnnPooling h = assertInstanceOf(OneDnnPooling.class, l.getHelper());
                assertTrue(h.calls() > 0 && h.backwardCalls() > 0,
                        l.conf().getLayer().getLayerName() + " never ran both passes in its oneDNN helper");
                assertEquals(h.backwardCalls(), h.backwardFromForward(), l.conf().getLayer().getLayerName()
                        + ": backward passes that pooled again instead of using the forward pass's workspace");
                assertEquals(0, ComputeEngine.helperFailures(l), l.conf().getLayer().getLayerName());
            }
        }

        // The float64 plain network with the same parameters: how far float32 rounding alone moves each gradient.
        ComputationGraph reference = withHelpers(false, () -> ModelFactory.create(spec, DataType.DOUBLE));
        reference.setParams(plain.params().castTo(DataType.DOUBLE));
        reference.setInputs(x.castTo(DataType.DOUBLE));
        reference.setLabels(y.castTo(DataType.DOUBLE));
        reference.computeGradientAndScore();

        Map<String, INDArray> gp = plain.gradient().gradientForVariable();
        Map<String, INDArray> gf = fast.gradient().gradientForVariable();
        Map<String, INDArray> gd = reference.gradient().gradientForVariable();
        assertEquals(gp.keySet(), gf.keySet());
        // Deep batch-normed networks at init amplify float32 rounding on the way back (Inception's first layers move
        // by a few percent between float32 and float64 already). The fast path must stay within GRAD_TOL of the
        // plain path, or within twice the distance float32 rounding puts between the plain path and float64.
        double largest = gp.values().stream().mapToDouble(g -> g.norm2Number().doubleValue()).max().orElse(0);
        double worst = 0;
        double worstRounding = 0;
        double worstToExact = 0;
        String worstKey = "";
        for (Map.Entry<String, INDArray> e : gp.entrySet()) {
            INDArray a = e.getValue();
            INDArray b = gf.get(e.getKey());
            double norm = a.norm2Number().doubleValue();
            double diff = a.sub(b).norm2Number().doubleValue();
            double rounding = a.castTo(DataType.DOUBLE).sub(gd.get(e.getKey())).norm2Number().doubleValue();
            double allowed = Math.max(GRAD_TOL * Math.max(norm, 1e-3 * largest), 2 * rounding);
            if (diff / Math.max(norm, 1e-3 * largest) > worst) {
                worst = diff / Math.max(norm, 1e-3 * largest);
                worstKey = e.getKey();
                worstRounding = rounding / Math.max(norm, 1e-3 * largest);
                worstToExact = b.castTo(DataType.DOUBLE).sub(gd.get(e.getKey())).norm2Number().doubleValue()
                        / Math.max(norm, 1e-3 * largest);
            }
            assertTrue(diff <= allowed, e.getKey() + ": fast vs plain gradient difference " + diff + " > allowed "
                    + allowed + " (norm " + norm + ", plain float32 vs float64 " + rounding + ")");
        }
        System.out.printf("fast vs plain, %s %s at %d px: worst relative gradient difference %.2e (%s; there plain "
                + "vs float64 %.2e, fast vs float64 %.2e)%n", backbone, method, size, worst, worstKey, worstRounding,
                worstToExact);
    }

    /**
     * The fast path is float32 only: DL4J's oneDNN helpers return null for float64 inputs and DL4J then quietly runs
     * its own path, so a double-precision gradient check cannot exercise the fast path (gradient checks in double
     * cover the plain path and the KPFF vertex, in KroneckerFusionVertexTest). The engine must not claim oneDNN
     * for such a network.
     */
    @Test
    void float64NetworksAreReportedAsPlainBecauseTheHelpersDeclineThem() {
        CellSpec spec = spec("alexnet", FusionMethod.KPFF, 32, 0.125);
        ComputationGraph net = withHelpers(true, () -> ModelFactory.create(spec, DataType.DOUBLE));
        assertTrue(Stream.of(net.getLayers()).anyMatch(l -> l.getHelper() != null), "helpers are attached");
        assertEquals("cpu-plain", ComputeEngine.of(net));
    }

    private static INDArray oneHot(int n) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, CLASSES);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % CLASSES, 1f);
        }
        return y;
    }
}
