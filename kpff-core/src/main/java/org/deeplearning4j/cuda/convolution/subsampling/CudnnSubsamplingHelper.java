package org.deeplearning4j.cuda.convolution.subsampling;

import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.kpff.core.engine.NativeLibrary;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The pooling helper DL4J 1.0.0-M2.1 looks up by this name on the CUDA backend (its own cuDNN helper module is not
 * published for M2.1). It runs pooling as libnd4j's {@code maxpool2d}/{@code avgpool2d} custom ops and their
 * backprop ops, which dispatch to cuDNN on the {@code linux-x86_64-cudnn} build of nd4j-cuda. Supported only when
 * the loaded libnd4j has cuDNN.
 */
public final class CudnnSubsamplingHelper extends MKLDNNSubsamplingHelper {

    /** The constructor DL4J's {@code HelperUtils} calls on CUDA: the layer's arguments wrapped in one array. */
    public CudnnSubsamplingHelper(Object[] layerArguments) {
        this(NativeLibrary.dataTypeArgument(layerArguments));
    }

    /** A helper for layers of the given data type. */
    public CudnnSubsamplingHelper(DataType dataType) {
        super(dataType);
    }

    @Override
    public boolean checkSupported() {
        return NativeLibrary.current().hasCudnn();
    }
}
