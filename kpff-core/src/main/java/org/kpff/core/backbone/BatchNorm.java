package org.kpff.core.backbone;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.kpff.core.engine.OneDnnBatchNorm;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's batch-norm layer (the one after each convolution) whose training passes, on the project's oneDNN helper,
 * leave out DL4J's small ops around the helper.
 *
 * <p>Around its helper, DL4J 1.0.0-M2.1's layer recomputes the running variance from its stored log10 standard
 * deviation on every training forward pass (which the helper, computing the batch's own statistics, does not read),
 * and after the backward pass turns the batch statistics into the "gradients" that move the running mean and log10
 * standard deviation (its updater subtracts them; decay d: {@code (mean - batchMean)(1 - d)} and
 * {@code log10(var / (d var + (1 - d) batchVar)) / 2}) with about ten libnd4j ops per layer and step, each making
 * arrays: in Inception 32 px, 57 layers made 1,425 of the 4,512 ND4J buffers of a training step, whose deallocation
 * bookkeeping every young collection copies. Here the training forward pass calls the helper without the unused
 * variance, and the running statistics' updates are computed in one pass over the channels, in float32 with the same
 * operations in the same order (libnd4j's {@code powf}/{@code logf} against Java's correctly rounded ones: equal to
 * within an ulp, {@code BatchNormTest}). The input, gamma and beta gradients and the outputs are the helper's, as in
 * DL4J's layer. Inference, any other helper (DL4J's, cuDNN's) or none (the plain engine), locked gamma/beta, and what
 * the project's helper declines run DL4J's layer. Serialised like any DL4J layer (its class name in the network
 * JSON); networks saved before it existed restore with DL4J's layer.
 */
public class BatchNorm extends BatchNormalization {

    private static final long serialVersionUID = 1L;

    /** DL4J's batch norm with its builder's defaults (decay 0.9, eps 1e-5, running log10 std): JSON too. */
    public BatchNorm() {
        super();
    }

    @Override
    public BatchNorm clone() {
        return (BatchNorm) super.clone();
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNOutSet("BatchNormalization", getLayerName(), layerIndex, getNOut());
        return Runtimes.wire(new Runtime(conf, networkDataType), initializer(), conf, listeners, layerIndex,
                layerParamsView, initializeParams);
    }

    /** DL4J's batch-norm runtime, its training passes on the project's helper without the ops around it. */
    static final class Runtime extends org.deeplearning4j.nn.layers.normalization.BatchNormalization {

        private static final long serialVersionUID = 1L;
        private static final double ONE_ON_2LOGE_10 = 1.0 / (2 * Math.log(10.0));
        private long directPasses;

        Runtime(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        /** Training passes (forward and backward) this layer ran itself rather than through DL4J's layer. */
        long directPasses() {
            return directPasses;
        }

        /** The project's helper, when it takes this input (else null: DL4J's layer runs). */
        private OneDnnBatchNorm direct(INDArray x) {
            BatchNormalization c = layerConf();
            if (getHelper() instanceof OneDnnBatchNorm h && !c.isLockGammaBeta() && x != null
                    && x.dataType() == dataType && x.rank() == 4 && x.size(1) == c.getNOut()
                    && h.takes(x, c.getCnn2DFormat(), getParam(BatchNormalizationParamInitializer.GAMMA),
                            getParam(BatchNormalizationParamInitializer.BETA))) {
                return h;
            }
            return null;
        }

        @Override
        public INDArray preOutput(INDArray x, TrainingMode training, LayerWorkspaceMgr workspaceMgr) {
            OneDnnBatchNorm h = training == TrainingMode.TRAIN ? direct(x) : null;
            if (h == null) {
                return super.preOutput(x, training, workspaceMgr);
            }
            BatchNormalization c = layerConf();
            // DL4J passes the running variance too; a training pass reads only the batch's own statistics
            INDArray y = h.preOutput(x, true, getShape(x), getParam(BatchNormalizationParamInitializer.GAMMA),
                    getParam(BatchNormalizationParamInitializer.BETA),
                    getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN), null, c.getDecay(), c.getEps(),
                    c.getCnn2DFormat(), workspaceMgr);
            directPasses++;
            return y;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            OneDnnBatchNorm h = direct(input);
            if (h == null || !h.hasBatchStatistics() || epsilon.dataType() != DataType.FLOAT) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            BatchNormalization c = layerConf();
            Pair<Gradient, INDArray> ret = h.backpropGradient(input, epsilon, getShape(epsilon),
                    getParam(BatchNormalizationParamInitializer.GAMMA),
                    getParam(BatchNormalizationParamInitializer.BETA),
                    gradientViews.get(BatchNormalizationParamInitializer.GAMMA),
                    gradientViews.get(BatchNormalizationParamInitializer.BETA), c.getEps(), c.getCnn2DFormat(),
                    workspaceMgr);
            String spread = c.isUseLogStd() ? BatchNormalizationParamInitializer.GLOBAL_LOG_STD
                    : BatchNormalizationParamInitializer.GLOBAL_VAR;
            INDArray dMean = gradientViews.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
            INDArray dSpread = gradientViews.get(spread);
            ret.getFirst().setGradientFor(BatchNormalizationParamInitializer.GLOBAL_MEAN, dMean);
            ret.getFirst().setGradientFor(spread, dSpread);
            runningStatisticsUpdates(c, h.getMeanCache(dataType), h.getVarCache(dataType),
                    getParam(BatchNormalizationParamInitializer.GLOBAL_MEAN), getParam(spread), dMean, dSpread);
            directPasses++;
            return ret;
        }

        /**
         * DL4J's updates of the running mean and spread (variance or log10 std) from the batch's statistics, which
         * its updater subtracts from them: the same float32 operations in the same order, per channel.
         */
        private static void runningStatisticsUpdates(BatchNormalization c, INDArray batchMean, INDArray batchVar,
                INDArray mean, INDArray spread, INDArray dMean, INDArray dSpread) {
            float keep = (float) c.getDecay();
            float move = (float) (1 - c.getDecay());
            float half = (float) ONE_ON_2LOGE_10;
            long n = mean.length();
            for (long i = 0; i < n; i++) {
                float bm = batchMean.getFloat(i);
                float bv = batchVar.getFloat(i);
                dMean.putScalar(i, (mean.getFloat(i) - bm) * move);
                if (c.isUseLogStd()) {
                    float std = (float) Math.pow(10.0, spread.getFloat(i));
                    float var = std * std;
                    float next = var * keep + bv * move;
                    dSpread.putScalar(i, (float) Math.log(var / next) * half);
                } else {
                    dSpread.putScalar(i, (spread.getFloat(i) - bv) * move);
                }
            }
        }
    }

    /** Training passes a layer ran on this class's direct path (-1: the layer is not this class's runtime). */
    public static long directPasses(Layer layer) {
        return layer instanceof Runtime r ? r.directPasses() : -1;
    }
}
