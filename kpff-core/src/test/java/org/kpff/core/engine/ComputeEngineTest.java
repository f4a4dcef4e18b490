package org.kpff.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.lang3.reflect.FieldUtils;
import org.deeplearning4j.config.DL4JClassLoading;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.LayerHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingHelper;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.ModelFactory;
import org.kpff.core.model.CellSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The engine decision for every kind of native library, and the CUDA helpers DL4J looks up by name. */
class ComputeEngineTest {

    private static final NativeLibrary CPU_ONEDNN = new NativeLibrary("CPU", "HAVE_ONEDNN", true, false, "avx2");
    private static final NativeLibrary CPU_PLAIN = new NativeLibrary("CPU", "", false, false, "avx512");
    private static final NativeLibrary CUDA_CUDNN = new NativeLibrary("CUDA", "HAVE_CUDNN", false, true, "avx2");
    private static final NativeLibrary CUDA_PLAIN = new NativeLibrary("CUDA", "", false, false, "avx2");

    @Test
    void oneDnnBuildOnCpuIsFastAndNamedForTheCpusVectorExtension() {
        ComputeEngine.Engine e = ComputeEngine.choose("auto", null, CPU_ONEDNN, () -> true);
        assertTrue(e.fast());
        assertEquals("cpu-onednn-avx2", e.id());
    }

    @Test
    void cpuBuildWithoutOneDnnFallsBackWithTheReason() {
        ComputeEngine.Engine e = ComputeEngine.choose("auto", null, CPU_PLAIN, () -> true);
        assertFalse(e.fast());
        assertEquals("cpu-plain", e.id());
        assertTrue(e.detail().contains("no oneDNN"), e.detail());
    }

    @Test
    void failedDl4jOneDnnCheckFallsBackAndSaysSo() {
        ComputeEngine.Engine e = ComputeEngine.choose("auto", null, CPU_ONEDNN, () -> false);
        assertEquals("cpu-plain", e.id());
        assertTrue(e.detail().contains("oneDNN check failed"), e.detail());
    }

    @Test
    void cudaWithCudnnIsFastAndWithoutIsPlain() {
        assertEquals("cuda-cudnn", ComputeEngine.choose("auto", null, CUDA_CUDNN, () -> false).id());
        ComputeEngine.Engine plain = ComputeEngine.choose("auto", null, CUDA_PLAIN, () -> true);
        assertEquals("cuda-plain", plain.id());
        assertTrue(plain.detail().contains("linux-x86_64-cudnn"), plain.detail());
    }

    @Test
    void plainModeAndUserDisabledHelpersAreHonoured() {
        AtomicBoolean asked = new AtomicBoolean();
        ComputeEngine.Engine e = ComputeEngine.choose("plain", null, CPU_ONEDNN, () -> asked.getAndSet(true));
        assertEquals("cpu-plain", e.id());
        assertTrue(e.detail().contains("kpff.engine=plain"), e.detail());
        assertFalse(asked.get(), "the oneDNN check must not run when plain is requested");
        assertEquals("cuda-plain", ComputeEngine.choose("auto", "true", CUDA_CUDNN, () -> true).id());
    }

    @Test
    void isaIsTheWidestVectorExtensionInTheFlags() {
        assertEquals("avx512", NativeLibrary.isaFromFlags("flags\t\t: fpu sse4_2 avx avx2 avx512f avx512bw"));
        assertEquals("avx2", NativeLibrary.isaFromFlags("flags : fpu sse4_2 avx avx2 fma"));
        assertEquals("avx", NativeLibrary.isaFromFlags("flags : fpu sse4_2 avx"));
        assertEquals("sse", NativeLibrary.isaFromFlags("flags : fpu sse4_2"));
        assertEquals("avx2", NativeLibrary.isaFromFlags("flags : avx2x avx2"), "whole words only");
    }

    @Test
    void dataTypeArgumentFindsTheLayersDataTypeOrNamesWhatItGot() {
        assertEquals(DataType.HALF, NativeLibrary.dataTypeArgument(new Object[] {DataType.HALF}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NativeLibrary.dataTypeArgument(new Object[] {"x"}));
        assertTrue(e.getMessage().contains("[x]"), e.getMessage());
    }

    /**
     * On CUDA, DL4J's {@code HelperUtils} instantiates the helper named by each layer's CUDA constant with the layer's
     * arguments wrapped in one array. The project's classes at those names must be found, built the same way, and
     * decline on a library without cuDNN (here: the CPU backend); put into the layers of a CPU network in place of
     * the oneDNN helpers, they compute the same outputs as the plain path.
     */
    @Test
    void cudnnHelpersLoadAsDl4jLoadsThemAndComputeLikeThePlainPath() throws Exception {
        Object[] layerArgs = {DataType.FLOAT};
        ConvolutionHelper conv = DL4JClassLoading.createNewInstance(ConvolutionLayer.CUDA_CNN_HELPER_CLASS_NAME,
                ConvolutionHelper.class, new Object[] {layerArgs});
        BatchNormalizationHelper bn = DL4JClassLoading.createNewInstance(
                BatchNormalization.BATCH_NORM_CUDNN_HELPER_CLASS_NAME, BatchNormalizationHelper.class,
                new Object[] {layerArgs});
        SubsamplingHelper pool = DL4JClassLoading.createNewInstance(
                SubsamplingLayer.CUDNN_SUBSAMPLING_HELPER_CLASS_NAME, SubsamplingHelper.class,
                new Object[] {layerArgs});
        assertFalse(conv.checkSupported() || bn.checkSupported() || pool.checkSupported(),
                "no cuDNN in the CPU backend");
        assertFalse(bn.checkSupported(1e-5, false));

        CellSpec spec = new CellSpec("inception", FusionMethod.KPFF, 3, 32, 0.125, 8, FusionInit.IDENTITY, true, 0,
                1e-3, 0, 2, 1, 1, 77L);
        ComputeEngine.initialize();
        ComputationGraph withCudaNamedHelpers = FastPathEquivalenceTest.withHelpers(true,
                () -> ModelFactory.create(spec));
        ComputationGraph plain = FastPathEquivalenceTest.withHelpers(false, () -> ModelFactory.create(spec));
        int replaced = 0;
        for (Layer l : withCudaNamedHelpers.getLayers()) {
            Object h = l instanceof ConvolutionLayer ? conv.getClass().getConstructor(DataType.class)
                    .newInstance(DataType.FLOAT)
                    : l instanceof BatchNormalization ? bn.getClass().getConstructor(DataType.class)
                    .newInstance(DataType.FLOAT)
                    : l instanceof SubsamplingLayer ? pool.getClass().getConstructor(DataType.class)
                    .newInstance(DataType.FLOAT) : null;
            if (h != null) {
                setHelper(l, (LayerHelper) h);
                replaced++;
            }
        }
        assertTrue(replaced > 10, replaced + " layers");
        assertInstanceOf(conv.getClass(), withCudaNamedHelpers.getLayer("stem1_conv").getHelper());
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        for (boolean train : new boolean[] {false, true}) {
            double diff = withCudaNamedHelpers.outputSingle(train, x.dup()).sub(plain.outputSingle(train, x.dup()))
                    .amaxNumber().doubleValue();
            assertTrue(diff <= FastPathEquivalenceTest.OUTPUT_TOL, "train=" + train + ": " + diff);
        }
    }

    private static void setHelper(Layer layer, LayerHelper helper) throws ReflectiveOperationException {
        // DL4J's layer class or a subclass (LinearConvolution.Runtime): FieldUtils looks up the class hierarchy.
        FieldUtils.writeField(layer, "helper", helper, true);
    }
}
