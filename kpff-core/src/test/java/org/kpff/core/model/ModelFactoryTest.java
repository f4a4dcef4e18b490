package org.kpff.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kpff.core.backbone.Backbones;
import org.kpff.core.backbone.Taps;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.fusion.KroneckerFusionVertex;
import org.kpff.core.head.FusionHead;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Every backbone × fusion method builds, runs forward and backward, and a tiny KPFF network learns. */
class ModelFactoryTest {

    private static final int CLASSES = 4;
    private static final int SIZE = 32;
    private static final int R = 8;

    static CellSpec tiny(String backbone, FusionMethod method, double lr, long seed) {
        return new CellSpec(backbone, method, CLASSES, SIZE, 0.125, R, FusionInit.IDENTITY, true, 0.5, lr, 5e-4,
                2, 1, 1, seed);
    }

    static Stream<Arguments> grid() {
        return Backbones.names().stream()
                .flatMap(b -> Stream.of(FusionMethod.values()).map(m -> Arguments.of(b, m)));
    }

    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("grid")
    void buildsRunsForwardAndBackward(String backbone, FusionMethod method) {
        ComputationGraph net = ModelFactory.create(tiny(backbone, method, 1e-3, 7));
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, SIZE, SIZE);
        INDArray y = Nd4j.createFromArray(new float[][] {{1, 0, 0, 0}, {0, 0, 1, 0}});
        INDArray out = net.outputSingle(x);
        assertArrayEquals(new long[] {2, CLASSES}, out.shape());
        assertEquals(2.0, out.sumNumber().doubleValue(), 1e-4, "softmax rows sum to 1");

        INDArray before = net.params().dup();
        net.fit(new DataSet(x, y));
        assertTrue(Double.isFinite(net.score()), "finite loss");
        assertFalse(before.equals(net.params()), "a training step changes the parameters");

        int taps = method == FusionMethod.NONE ? 1 : 3;
        for (int t = 0; t < 3; t++) {
            boolean used = method != FusionMethod.NONE || t == 2;
            assertEquals(used, net.getVertex("tap" + t + "_proj") != null, "projection of tap " + t);
        }
        long fusedIn = net.getLayer(FusionHead.OUTPUT).getParam("W").size(0);
        assertEquals(FusionHead.fusedWidth(method, taps, R), fusedIn, "classifier input width");
        if (method == FusionMethod.KPFF) {
            assertNotNull(net.paramTable().get(FusionHead.FUSE + "_" + KroneckerFusionVertex.PARAM_W));
        } else {
            assertNull(net.paramTable().get(FusionHead.FUSE + "_" + KroneckerFusionVertex.PARAM_W));
        }
    }

    /**
     * Every convolution block ends in a ReLU, with batch norm or without: each block's output is non-negative and
     * has zeros. (DL4J's batch-norm layer ignores an activation configured on it; a regression to that would make
     * the blocks linear and fail here.)
     */
    @ParameterizedTest(name = "{0}, batch norm {1}")
    @MethodSource("backbonesWithAndWithoutBatchNorm")
    void everyConvolutionBlockAppliesItsRelu(String backbone, boolean batchNorm) {
        CellSpec spec = new CellSpec(backbone, FusionMethod.NONE, CLASSES, SIZE, 0.125, R, FusionInit.IDENTITY,
                batchNorm, 0.0, 1e-3, 5e-4, 2, 1, 1, 3);
        ComputationGraph net = ModelFactory.create(spec);
        Nd4j.getRandom().setSeed(2);
        java.util.Map<String, INDArray> acts = net.feedForward(Nd4j.rand(DataType.FLOAT, 4, 3, SIZE, SIZE)
                .subi(0.5), true);
        int blocks = 0;
        int blocksWithZeros = 0;
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            boolean blockOutput = batchNorm
                    ? l instanceof org.deeplearning4j.nn.layers.ActivationLayer
                    : l instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
            if (!blockOutput) {
                continue;
            }
            INDArray a = acts.get(name);
            assertTrue(a.minNumber().doubleValue() >= 0, name + " has negative outputs: no ReLU");
            if (a.eq(0).castTo(DataType.INT32).sumNumber().longValue() > 0) {
                blocksWithZeros++;
            }
            blocks++;
        }
        assertTrue(blocks >= 5, blocks + " blocks");
        // A narrow block can be all-positive on 4 images by chance; most blocks clip something.
        assertTrue(blocksWithZeros * 2 > blocks, blocksWithZeros + " of " + blocks + " blocks clip at zero");
    }

    static Stream<Arguments> backbonesWithAndWithoutBatchNorm() {
        return Backbones.names().stream().flatMap(b -> Stream.of(Arguments.of(b, true), Arguments.of(b, false)));
    }

    @Test
    void tapsAreNamedAtIncreasingDepth() {
        assertEquals(List.of("conv3", "conv4", "conv5"), taps("alexnet").names());
        assertEquals(List.of("block3", "block4", "block5"), taps("vgg16").names());
        assertEquals(List.of("inception3b", "inception4e", "inception5b"), taps("inception").names());
        // Width 0.125 scales every paper channel count: AlexNet 384, 384, 256 → 48, 48, 32.
        assertEquals(List.of(48, 48, 32), taps("alexnet").channels());
        // Inception 3b = 128 + 192 + 96 + 64 at width 1; at 0.125: 16 + 24 + 12 + 8.
        assertEquals(60, taps("inception").channels().get(0));
    }

    private static Taps taps(String backbone) {
        return ModelFactory.taps(tiny(backbone, FusionMethod.KPFF, 1e-3, 1));
    }

    @Test
    void sameSeedGivesTheSameInitialParameters() {
        CellSpec spec = tiny("alexnet", FusionMethod.KPFF, 1e-3, 99);
        assertEquals(ModelFactory.create(spec).params(), ModelFactory.create(spec).params());
    }

    @Test
    void unknownBackboneIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFactory.create(tiny("resnet", FusionMethod.KPFF, 1e-3, 1)));
        assertTrue(e.getMessage().contains("'resnet'") && e.getMessage().contains("alexnet, vgg16, inception"),
                e.getMessage());
    }

    @Test
    void tinyKpffNetworkLossFallsOnSyntheticData() {
        // Two classes of 32×32 images told apart by which half is bright, plus noise.
        CellSpec spec = new CellSpec("alexnet", FusionMethod.KPFF, 2, SIZE, 0.125, R, FusionInit.IDENTITY, true, 0.0,
                3e-3, 0.0, 16, 1, 1, 5);
        ComputationGraph net = ModelFactory.create(spec);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 3, SIZE, SIZE).muli(0.2);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 2);
        for (int i = 0; i < 16; i++) {
            int cls = i % 2;
            y.putScalar(i, cls, 1);
            x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    cls == 0 ? org.nd4j.linalg.indexing.NDArrayIndex.interval(0, SIZE / 2)
                            : org.nd4j.linalg.indexing.NDArrayIndex.interval(SIZE / 2, SIZE),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).addi(0.8);
        }
        DataSet ds = new DataSet(x, y);
        net.fit(ds);
        double first = net.score();
        for (int i = 0; i < 40; i++) {
            net.fit(ds);
        }
        double last = net.score();
        assertTrue(last < 0.5 * first, "loss should at least halve: first " + first + ", last " + last);
    }
}
