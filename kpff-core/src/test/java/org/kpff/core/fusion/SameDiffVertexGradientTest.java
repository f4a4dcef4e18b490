package org.kpff.core.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Pins the DL4J defect that is the reason the KPFF backward pass is written by hand (README, "Why the KPFF backward
 * pass is hand-written"): in DL4J 1.0.0-M2.1 every gradient that flows through a {@link SameDiffVertex} comes out
 * exactly twice the true one ({@code ExternalErrorsFunction.doDiff()} both registers and returns the gradient). A
 * trivial vertex, out = x ⊙ w, sits between a dense layer and the output in double precision; its analytic
 * gradients are compared with central differences. When an upgrade of DL4J makes this test fail with a ratio of 1,
 * SameDiffVertex's own backward pass is right, and the hand-written one ({@link KroneckerFusionVertexRuntime}) could go.
 */
class SameDiffVertexGradientTest {

    private static final int WIDTH = 3;
    private static final int BATCH = 5;
    private static final double EPS = 1e-6;

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
    }

    /** out = x ⊙ w, w a learnable row of width {@link #WIDTH}, defined through SameDiff (DL4J's own backward). */
    static final class ScaleVertex extends SameDiffVertex {

        @Override
        public void defineParametersAndInputs(SDVertexParams params) {
            params.defineInputs("x");
            params.addWeightParam("w", 1, WIDTH);
        }

        @Override
        public void initializeParameters(Map<String, INDArray> params) {
            params.get("w").assign(Nd4j.createFromArray(new double[][] {{0.7, -1.3, 2.1}}));
        }

        @Override
        public SDVariable defineVertex(SameDiff sameDiff, Map<String, SDVariable> layerInput,
                Map<String, SDVariable> paramTable, Map<String, SDVariable> maskVars) {
            return layerInput.get("x").mul(paramTable.get("w"));
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
            return vertexInputs[0];
        }

        @Override
        public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                int minibatchSize) {
            return new Pair<>(null, currentMaskState);
        }

        @Override
        public GraphVertex clone() {
            return new ScaleVertex();
        }
    }

    @Test
    void dl4jsSameDiffVertexDoublesEveryGradientThroughIt() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE)
                .updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nOut(WIDTH).activation(Activation.TANH).build(), "in")
                .addVertex("scale", new ScaleVertex(), "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "scale")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, BATCH, 4);
        INDArray y = Nd4j.randn(DataType.DOUBLE, BATCH, 2);
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        // The flat gradient (a copy: it is a view the numerical scores below overwrite) against central differences
        // of the score over the flat parameters, entry by entry, in the graph's order: dense W (4 x 3) and b (3),
        // the vertex's w (3), the output layer's W (3 x 2) and b (2).
        INDArray analytic = net.gradient().gradient().dup();
        INDArray params = net.params();
        double[] numerical = new double[(int) params.length()];
        for (int i = 0; i < numerical.length; i++) {
            double v = params.getDouble(i);
            params.putScalar(i, v + EPS);
            double plus = score(net, x, y);
            params.putScalar(i, v - EPS);
            double minus = score(net, x, y);
            params.putScalar(i, v);
            numerical[i] = (plus - minus) / (2 * EPS);
        }
        // DL4J's raw gradient is summed over the minibatch (its updater divides by the minibatch size) while the
        // score is the mean: a right gradient is BATCH times the numerical one, as the output layer's is.
        double out = ratio(analytic, numerical, 18, 26);
        assertEquals(BATCH, out, 1e-4, "the output layer, after the vertex: DL4J's summed gradient over the mean score");
        assertEquals(2.0, ratio(analytic, numerical, 15, 18) / out, 1e-4,
                "DL4J's SameDiffVertex gradient of its own parameter, over the true one");
        assertEquals(2.0, ratio(analytic, numerical, 0, 15) / out, 1e-4,
                "the gradient of the layer before the SameDiffVertex (reached through it), over the true one");
    }

    /** Σ analytic·numerical / Σ numerical² over entries [from, to): the factor between the two gradients. */
    private static double ratio(INDArray analytic, double[] numerical, int from, int to) {
        double dot = 0;
        double norm = 0;
        for (int i = from; i < to; i++) {
            dot += analytic.getDouble(i) * numerical[i];
            norm += numerical[i] * numerical[i];
        }
        return dot / norm;
    }

    private static double score(ComputationGraph net, INDArray x, INDArray y) {
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.score();
    }
}
