package org.kpff.core.backbone;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's ReLU activation layer (the one after each batch norm) without its copies of the activations.
 *
 * <p>DL4J 1.0.0-M2.1's {@code ActivationLayer} copies its input before applying the activation in place (training
 * forward pass), and in the backward pass copies its input again, writes the ReLU's derivative times the incoming
 * gradient into a third array and, where that array was made outside the gradient workspace, copies it once more
 * ({@code leverageTo}): at 224 px these copies of 58 MB activations took a tenth of AlexNet's training step. This
 * layer runs the very same libnd4j ops ({@code RectifiedLinear}, {@code RectifiedLinearDerivative} with DL4J's
 * threshold 0) from the input straight into the array DL4J would return, so outputs and gradients are DL4J's bit for
 * bit ({@code ReluTest}). Inference, an activation other than DL4J's default ReLU, or input dropout (none here) run
 * DL4J's layer. Serialised like any DL4J layer (its class name in the network JSON); networks saved before it
 * existed restore with DL4J's layer.
 */
public class Relu extends ActivationLayer {

    private static final long serialVersionUID = 1L;

    /** DL4J's ReLU activation layer (JSON deserialisation too). */
    public Relu() {
        super(Activation.RELU);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return Runtimes.wire(new Runtime(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** DL4J's activation runtime, its training passes without copies for the default ReLU. */
    static final class Runtime extends org.deeplearning4j.nn.layers.ActivationLayer {

        private static final long serialVersionUID = 1L;
        private static final ActivationReLU DEFAULT = new ActivationReLU();
        private long directPasses;
        private transient RectifiedLinear relu;

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /** Training passes (forward and backward) this layer ran itself rather than through DL4J's layer. */
        long directPasses() {
            return directPasses;
        }

        /** Whether this layer's passes are the plain ReLU this class computes itself. */
        private boolean direct() {
            return DEFAULT.equals(layerConf().getActivationFn()) && layerConf().getIDropout() == null
                    && input != null && input.dataType() == dataType;
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!training || !direct()) {
                return super.activate(training, workspaceMgr);
            }
            assertInputSet(false);
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(),
                    input.ordering());
            // DL4J's op with threshold 0, made once per data type (its scalar is an array) and pointed at the arrays
            if (relu == null || relu.x().dataType() != input.dataType()) {
                relu = new RectifiedLinear(input, out);
            } else {
                relu.setX(input);
                relu.setZ(out);
            }
            Nd4j.getExecutioner().exec(relu);
            directPasses++;
            return out;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (!direct()) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            INDArray delta = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                    input.shape(), input.ordering());
            Nd4j.getExecutioner().exec(new RectifiedLinearDerivative(input, epsilon, delta, 0.0));
            directPasses++;
            return new Pair<>(new DefaultGradient(), delta);
        }
    }
}
