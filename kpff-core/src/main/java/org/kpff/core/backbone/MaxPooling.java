package org.kpff.core.backbone;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.kpff.core.engine.OneDnnPooling;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's max pooling whose forward pass goes through the layer's helper when it is the project's
 * {@link OneDnnPooling}.
 *
 * <p>DL4J 1.0.0-M2.1's {@code SubsamplingLayer.activate} always runs libnd4j's {@code maxpool2d} op (which builds its
 * oneDNN primitive on every call) and never its helper, so the helper's backward pass had to pool again to find each
 * window's maximum. Here the forward pass runs the helper's cached primitive; in training it also keeps oneDNN's
 * workspace, and the backward pass that follows only scatters the gradient. Outputs and gradients are the same as
 * DL4J's layer (max pooling picks, and the tests compare, the same elements: {@code OneDnnPoolingTest}). With any
 * other helper (DL4J's, cuDNN's) or none (the plain engine), and for what the project's helper declines, the layer
 * is DL4J's. Serialised like any DL4J layer (its class name in the network JSON); networks saved before it existed
 * restore with DL4J's layer and run the backward pass's own forward pooling.
 */
public class MaxPooling extends SubsamplingLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON deserialisation. */
    public MaxPooling() {
    }

    /**
     * A k×k max pooling with the given stride, DL4J's default (truncate) convolution mode and no padding.
     *
     * @param kernel window side
     * @param stride stride in both directions
     */
    public MaxPooling(int kernel, int stride) {
        super(validated(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(kernel, kernel)
                .stride(stride, stride)));
    }

    private static SubsamplingLayer.Builder validated(SubsamplingLayer.Builder b) {
        ConvolutionUtils.validateCnnKernelStridePadding(b.getKernelSize(), b.getStride(), b.getPadding());
        return b;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return Runtimes.wire(new Runtime(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** DL4J's pooling runtime, its forward pass through the project's oneDNN helper when the layer has it. */
    static final class Runtime extends org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer {

        private static final long serialVersionUID = 1L;

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            SubsamplingLayer c = layerConf();
            if (!(helper instanceof OneDnnPooling own) || input == null || input.rank() != 4
                    || input.dataType() != dataType) {
                return super.activate(training, workspaceMgr); // DL4J's checks, messages and path
            }
            // The helper declines (announced) what it does not take, and then runs DL4J's helper, whose forward pass
            // is libnd4j's maxpool2d: the same op DL4J's layer runs.
            return own.activate(input, training, c.getKernelSize(), c.getStride(), c.getPadding(),
                    c.getPoolingType(), convolutionMode, c.getDilation(), c.getCnn2dDataFormat(), workspaceMgr);
        }
    }
}
