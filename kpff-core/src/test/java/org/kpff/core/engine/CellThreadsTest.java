package org.kpff.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.CellSpec;
import org.kpff.core.model.ModelFactory;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The per-cell thread rule: its arithmetic, the multiply-add count it rests on, and that it sets ND4J's threads. */
class CellThreadsTest {

    @ParameterizedTest(name = "{0} thousand MAC a convolution, {1} offered, {2} -> {3}")
    @CsvSource({"13, 2, auto, 1", "149.9, 2, auto, 1", "150, 2, auto, 1", "299.9, 2, auto, 1", "300, 2, auto, 2",
            "125, 2, auto, 1", "391, 2, auto, 2", "391, 8, auto, 2", "1050, 8, auto, 7", "239580, 8, auto, 8",
            "13, 2, offered, 2",
            "5000, 1, auto, 1", "5, 0, auto, 1"})
    void onePer150ThousandMultiplyAddsOfTheAverageConvolutionUpToTheOffer(double kmac, int offered, String policy,
            int expected) {
        assertEquals(expected, CellThreads.choose(kmac, offered, policy));
    }

    @Test
    void anUnknownPolicyIsRejectedWithItsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CellThreads.choose(10, 2, "fast"));
        assertEquals(true, e.getMessage().contains("'fast'"), e.getMessage());
    }

    @Test
    void countsEachConvolutionsOutputTimesItsKernelAndInputChannels() {
        // 8x8x3 -> conv 3x3 (4 maps, 'same') -> 8x8x4: 8*8*4 * 3*3*3 = 6912; -> conv 1x1 stride 2 (2 maps) -> 4x4x2:
        // 4*4*2 * 1*1*4 = 128.
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1)
                .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).build(), "in")
                .addLayer("c2", new ConvolutionLayer.Builder(1, 1).stride(2, 2).nOut(2).build(), "c1")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        assertEquals((6912 + 128) / 1e6, CellThreads.convolutionMmacPerImage(net, 8, 3), 1e-12);
    }

    @Test
    void aSmallNetworkTrainsOnOneOfTwoOfferedThreadsALargeOneOnBoth() {
        int before = Nd4j.getEnvironment().maxMasterThreads();
        try {
            CellThreads.offer(2);
            ComputationGraph small = ModelFactory.create(spec("inception", 32, 0.125));
            assertEquals(57, CellThreads.convolutionLayers(small), "Inception's convolution layers");
            assertEquals(1, CellThreads.apply(small, "inception 32 px w0.125", 32), "13 thousand a layer");
            assertEquals(1, Nd4j.getEnvironment().maxMasterThreads(), "ND4J set to the chosen threads");
            assertEquals(1, Nd4j.factory().blas().getMaxThreads(), "OpenBLAS on one thread");
            ComputationGraph large = ModelFactory.create(spec("vgg16", 64, 0.5));
            assertEquals(2, CellThreads.apply(large, "vgg16 64 px w0.5", 64), "the offer, not the last choice");
            assertEquals(2, Nd4j.getEnvironment().maxMasterThreads());
            assertEquals(1, Nd4j.factory().blas().getMaxThreads(), "OpenBLAS on one thread, whatever the cell's");
        } finally {
            CellThreads.offer(before);
        }
    }

    private static CellSpec spec(String backbone, int size, double width) {
        return new CellSpec(backbone, FusionMethod.KPFF, 3, size, width, 16, FusionInit.IDENTITY, true, 0.0, 1e-3,
                5e-4, 8, 1, 1, 7L);
    }
}
