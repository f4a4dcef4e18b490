package org.deeplearning4j.cuda.convolution;

import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.kpff.core.engine.NativeLibrary;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The convolution helper DL4J 1.0.0-M2.1 looks up by this name on the CUDA backend (its own cuDNN helper module is
 * not published for M2.1). It runs the convolution as libnd4j's {@code conv2d}/{@code conv2d_bp} custom ops, exactly
 * as DL4J's oneDNN helper does on CPU; on the {@code linux-x86_64-cudnn} build of nd4j-cuda those ops dispatch to
 * cuDNN. It declares itself supported only when the loaded libnd4j has cuDNN, so other builds keep DL4J's own path.
 */
public final class CudnnConvolutionHelper extends MKLDNNConvHelper {

    /** The constructor DL4J's {@code HelperUtils} calls on CUDA: the layer's arguments wrapped in one array. */
    public CudnnConvolutionHelper(Object[] layerArguments) {
        this(NativeLibrary.dataTypeArgument(layerArguments));
    }

    /** A helper for layers of the given data type. */
    public CudnnConvolutionHelper(DataType dataType) {
        super(dataType);
    }

    @Override
    public boolean checkSupported() {
        return NativeLibrary.current().hasCudnn();
    }
}
