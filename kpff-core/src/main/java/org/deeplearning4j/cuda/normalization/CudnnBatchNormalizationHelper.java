package org.deeplearning4j.cuda.normalization;

import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.kpff.core.engine.NativeLibrary;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The batch-normalisation helper DL4J 1.0.0-M2.1 looks up by this name on the CUDA backend (its own cuDNN helper
 * module is not published for M2.1). It runs libnd4j's {@code batchnorm}/{@code batchnorm_bp} custom ops, which
 * dispatch to cuDNN on the {@code linux-x86_64-cudnn} build of nd4j-cuda, exactly as DL4J's oneDNN helper does on
 * CPU. It declares itself supported only when the loaded libnd4j has cuDNN (and, as the oneDNN helper, not for
 * layers with fixed gamma and beta), so other builds keep DL4J's own path.
 */
public final class CudnnBatchNormalizationHelper extends MKLDNNBatchNormHelper {

    /** The constructor DL4J's {@code HelperUtils} calls on CUDA: the layer's arguments wrapped in one array. */
    public CudnnBatchNormalizationHelper(Object[] layerArguments) {
        this(NativeLibrary.dataTypeArgument(layerArguments));
    }

    /** A helper for layers of the given data type. */
    public CudnnBatchNormalizationHelper(DataType dataType) {
        super(dataType);
    }

    @Override
    public boolean checkSupported() {
        return NativeLibrary.current().hasCudnn();
    }

    @Override
    public boolean checkSupported(double eps, boolean isFixedGammaBeta) {
        return !isFixedGammaBeta && NativeLibrary.current().hasCudnn();
    }
}
