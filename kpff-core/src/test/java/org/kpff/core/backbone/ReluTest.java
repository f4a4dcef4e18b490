package org.kpff.core.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.core.engine.ComputeEngine;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@link Relu} computes what DL4J's ReLU activation layer computes, bit for bit (outputs in training and inference,
 * loss, every gradient, the parameters after Adam steps), in float32 and float64, on its own passes; its JSON
 * restores it.
 */
class ReluTest {

    private static final int BATCH = 6;
    private static final int SIZE = 10;

    @BeforeAll
    static void engine() {
        ComputeEngine.initialize();
    }

    /** input → conv(3) → BN → ReLU → conv(3) → BN → ReLU → average pool → softmax. */
    private static ComputationGraph net(boolean own, DataType type) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(29).dataType(type)
                .updater(new Adam(1e-2)).weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(SIZE, SIZE, 3))
                .addLayer("c1", new LinearConvolution(3, 1, 8), "in")
                .addLayer("b1", new BatchNormalization.Builder().build(), "c1")
                .addLayer("r1", relu(own), "b1")
                .addLayer("c2", new LinearConvolution(3, 2, 6), "r1")
                .addLayer("b2", new BatchNormalization.Builder().build(), "c2")
                .addLayer("r2", relu(own), "b2")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "r2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static Layer relu(boolean own) {
        return own ? new Relu() : new ActivationLayer.Builder().activation(Activation.RELU).build();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FLOAT", "DOUBLE"})
    void trainsBitForBitAsDl4jsActivationLayer(DataType type) {
        ComputationGraph own = net(true, type);
        ComputationGraph dl4j = net(false, type);
        dl4j.setParams(own.params());
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(type, BATCH, 3, SIZE, SIZE);
        INDArray y = Nd4j.zeros(type, BATCH, 4);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % 4, 1.0);
        }
        for (boolean train : new boolean[] {false, true}) {
            assertEquals(dl4j.outputSingle(train, x.dup()), own.outputSingle(train, x.dup()), "train=" + train);
        }
        own.setInputs(x.dup());
        own.setLabels(y.dup());
        own.computeGradientAndScore();
        dl4j.setInputs(x.dup());
        dl4j.setLabels(y.dup());
        dl4j.computeGradientAndScore();
        assertEquals(dl4j.score(), own.score(), 0.0, "loss");
        Map<String, INDArray> expected = dl4j.gradient().gradientForVariable();
        Map<String, INDArray> actual = own.gradient().gradientForVariable();
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertEquals(expected.get(k), actual.get(k), "gradient " + k);
        }
        for (int step = 0; step < 3; step++) {
            own.fit(new DataSet(x.dup(), y.dup()));
            dl4j.fit(new DataSet(x.dup(), y.dup()));
        }
        assertEquals(dl4j.params(), own.params(), "parameters after 3 Adam steps");
        for (String name : new String[] {"r1", "r2"}) {
            Relu.Runtime r = assertInstanceOf(Relu.Runtime.class, own.getLayer(name));
            // 1 training forward (outputSingle) + forward and backward (gradient) + 3 × 2 (fit)
            assertEquals(9, r.directPasses(), name + ": training passes run by the layer itself");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"FLOAT"})
    void itsJsonRestoresIt(DataType type) {
        ComputationGraph own = net(true, type);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(own.getConfiguration().toJson());
        ComputationGraph restored = new ComputationGraph(back);
        restored.init(own.params().dup(), false);
        assertInstanceOf(Relu.Runtime.class, restored.getLayer("r1"));
        assertEquals(own.getConfiguration(), back);
    }
}
