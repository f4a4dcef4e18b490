package org.kpff.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.head.FusionHead;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** FLOP and parameter counts against hand computations. */
class ModelCostTest {

    @Test
    void smallStackMatchesAHandComputation() {
        // 8×8×3 → conv 3×3/1 same, 4 ch → max-pool 2×2/2 → conv 3×3/2 same, 6 ch → GAP → softmax 5.
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("p1", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                        .stride(2, 2).build(), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(6).activation(Activation.RELU)
                        .build(), "p1")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 3)).build();
        ModelCost cost = ModelCost.of(conf, InputType.convolutional(8, 8, 3));

        long c1 = 2L * 3 * 3 * 3 * (4 * 8 * 8) + 4 * 8 * 8;      // 2·k²·Cin·(Cout·H·W) + bias = 3,712
        long p1 = 2L * 2 * (4 * 4 * 4);                            // k² per output element       =   256
        long c2 = 2L * 3 * 3 * 4 * (6 * 2 * 2) + 6 * 2 * 2;        // 4×4 in, stride 2 → 2×2 out  = 1,752
        long gap = 6L * 2 * 2;                                     // one per input element       =    24
        long out = 2L * 6 * 5 + 5;                                 //                              =    65
        assertEquals(c1, cost.flopsByVertex().get("c1"));
        assertEquals(p1, cost.flopsByVertex().get("p1"));
        assertEquals(c2, cost.flopsByVertex().get("c2"));
        assertEquals(gap, cost.flopsByVertex().get("gap"));
        assertEquals(out, cost.flopsByVertex().get("out"));
        assertEquals(c1 + p1 + c2 + gap + out, cost.forwardFlops());
        assertEquals(3 * (c1 + p1 + c2 + gap + out), cost.trainingFlopsPerImage());

        long params = (3 * 3 * 3 * 4 + 4) + (3 * 3 * 4 * 6 + 6) + (6 * 5 + 5);
        assertEquals(params, cost.parameters());
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        assertEquals(net.params().length(), cost.parameters());
    }

    @Test
    void kpffHeadCountsTheFusionAndParametersMatchTheBuiltNetwork() {
        CellSpec spec = new CellSpec("alexnet", FusionMethod.KPFF, 21, 64, 0.25, 16, FusionInit.IDENTITY, true, 0.5,
                1e-4, 5e-4, 4, 1, 1, 3);
        ModelCost cost = ModelCost.of(spec);
        assertEquals(2L * 3 * 3 * 16, cost.flopsByVertex().get(FusionHead.FUSE));
        assertEquals(ModelFactory.create(spec).params().length(), cost.parameters());
        CellSpec concat = new CellSpec("alexnet", FusionMethod.CONCAT, 21, 64, 0.25, 16, FusionInit.IDENTITY, true,
                0.5, 1e-4, 5e-4, 4, 1, 1, 3);
        assertEquals(cost.parameters() - 9, ModelCost.of(concat).parameters());
    }

    @Test
    void paperScaleForwardFlopsAreInTheKnownRange() {
        // Published conv-trunk costs at 224×224: AlexNet ≈ 1.3 GFLOPs, VGG-16 ≈ 30.7, GoogLeNet ≈ 3.0 (2 FLOPs/MAC).
        assertRange("alexnet", 1.0e9, 2.5e9);
        assertRange("vgg16", 28e9, 33e9);
        assertRange("inception", 2.5e9, 3.6e9);
    }

    private static void assertRange(String backbone, double lo, double hi) {
        CellSpec spec = new CellSpec(backbone, FusionMethod.KPFF, 21, 224, 1.0, 256, FusionInit.IDENTITY, false, 0.5,
                1e-4, 5e-4, 50, 1, 1, 1);
        long f = ModelCost.of(spec).forwardFlops();
        assertTrue(f > lo && f < hi, backbone + " forward FLOPs " + f + " outside [" + lo + ", " + hi + "]");
    }
}
