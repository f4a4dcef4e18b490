package org.kpff.core.engine;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_backward;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.normalization_flags;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch-norm layer's helper that calls oneDNN directly, its primitives made once per shape and pointed at each
 * call's buffers.
 *
 * <p>DL4J's own oneDNN helper ({@code MKLDNNBatchNormHelper}) computes the batch mean and variance with two ND4J
 * reductions and then calls libnd4j's {@code batchnorm} / {@code batchnorm_bp} custom ops, which build their oneDNN
 * primitive on every call. Here one oneDNN primitive computes the statistics and the normalisation together in
 * training (forward_training: batch mean and biased variance, as DL4J's helper), one normalises with the running
 * statistics in inference (use_global_stats), and one computes the input, gamma and beta gradients. The batch
 * statistics are kept for the layer, which moves its running mean and variance with them after the backward pass
 * ({@link #getMeanCache}, {@link #getVarCache}), exactly as with DL4J's helper. NCHW 4-d float32 only; anything else
 * goes to DL4J's helper it replaces, announced once per reason. Installed by {@link OneDnnHelpers}.
 */
public final class OneDnnBatchNorm implements BatchNormalizationHelper {

    private static final Logger LOG = LoggerFactory.getLogger(OneDnnBatchNorm.class);
    private static final java.util.Set<String> ANNOUNCED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int SCALE_SHIFT = normalization_flags.use_scale.value | normalization_flags.use_shift.value;

    private final BatchNormalizationHelper fallback;
    private final engine cpu = OneDnnHelpers.cpu();
    private final stream stream = new stream(cpu);
    private final Map<String, Plan> plans = new HashMap<>();
    /** The last training batch's mean and biased variance, [C]; persistent (outside any workspace). */
    private INDArray meanCache;
    private INDArray varCache;
    private long calls;

    /**
     * @param fallback DL4J's helper this one replaces, for what this one does not take
     */
    public OneDnnBatchNorm(BatchNormalizationHelper fallback) {
        this.fallback = fallback;
    }

    /** How many forward and backward passes this helper has run itself (not handed to its fallback). */
    public long calls() {
        return calls;
    }

    /**
     * Whether this helper runs a pass on this input itself (4-d NCHW float32) rather than handing it to DL4J's
     * helper.
     */
    public boolean takes(INDArray x, CNN2DFormat format, INDArray gamma, INDArray beta) {
        return declined(x, format, gamma, beta) == null;
    }

    /** Whether this helper's last training forward pass left the batch statistics a backward pass needs. */
    public boolean hasBatchStatistics() {
        return meanCache != null;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public boolean checkSupported(double eps, boolean fixedGammaBeta) {
        return !fixedGammaBeta;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }

    @Override
    public INDArray getMeanCache(DataType dataType) {
        return meanCache == null ? fallback.getMeanCache(dataType) : meanCache.castTo(dataType);
    }

    @Override
    public INDArray getVarCache(DataType dataType) {
        return varCache == null ? fallback.getVarCache(dataType) : varCache.castTo(dataType);
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta,
            INDArray mean, INDArray var, double decay, double eps, CNN2DFormat format,
            LayerWorkspaceMgr workspaceMgr) {
        String declined = declined(x, format, gamma, beta);
        if (declined != null) {
            announce(declined);
            meanCache = null;
            varCache = null;
            return fallback.preOutput(x, training, shape, gamma, beta, mean, var, decay, eps, format, workspaceMgr);
        }
        long channels = x.size(1);
        if (training && (meanCache == null || meanCache.length() != channels)) {
            try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                meanCache = Nd4j.createUninitialized(DataType.FLOAT, channels);
                varCache = Nd4j.createUninitialized(DataType.FLOAT, channels);
            }
        }
        INDArray y = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape());
        INDArray m = training ? meanCache : mean;
        INDArray v = training ? varCache : var;
        String key = (training ? "train" : "infer") + eps + OneDnnArray.layoutKey(x) + OneDnnArray.layoutKey(m)
                + OneDnnArray.layoutKey(v) + OneDnnArray.layoutKey(gamma) + OneDnnArray.layoutKey(beta);
        Plan p = plans.computeIfAbsent(key, k -> new Plan(training, (float) eps, x, gamma, beta, m, v, y));
        p.forward(x, gamma, beta, m, v, y);
        calls++;
        return y;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
            INDArray beta, INDArray dGammaView, INDArray dBetaView, double eps, CNN2DFormat format,
            LayerWorkspaceMgr workspaceMgr) {
        String declined = declined(input, format, gamma, beta);
        if (declined == null && (meanCache == null || epsilon.dataType() != DataType.FLOAT)) {
            declined = meanCache == null ? "a backward pass without this helper's training forward pass"
                    : "an incoming gradient of type " + epsilon.dataType();
        }
        if (declined != null) {
            announce(declined);
            return fallback.backpropGradient(input, epsilon, shape, gamma, beta, dGammaView, dBetaView, eps, format,
                    workspaceMgr);
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape());
        String key = "backward" + eps + OneDnnArray.layoutKey(input) + OneDnnArray.layoutKey(epsilon)
                + OneDnnArray.layoutKey(gamma) + OneDnnArray.layoutKey(beta) + OneDnnArray.layoutKey(dGammaView)
                + OneDnnArray.layoutKey(dBetaView);
        Plan p = plans.computeIfAbsent(key, k -> new Plan((float) eps, input, epsilon, gamma, beta, meanCache,
                varCache, dx, dGammaView, dBetaView));
        p.backward(input, epsilon, gamma, beta, meanCache, varCache, dx, dGammaView, dBetaView);
        calls++;
        Gradient g = new DefaultGradient();
        g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(g, dx);
    }

    private static String declined(INDArray x, CNN2DFormat format, INDArray gamma, INDArray beta) {
        if (x.dataType() != DataType.FLOAT || gamma.dataType() != DataType.FLOAT) {
            return "data type " + x.dataType() + " (this helper is float32 only)";
        }
        if (x.rank() != 4 || format != CNN2DFormat.NCHW) {
            return "rank " + x.rank() + " / " + format + " input (this helper takes 4-d NCHW)";
        }
        return null;
    }

    private static void announce(String why) {
        if (ANNOUNCED.add(why)) {
            LOG.warn("KPFF oneDNN batch norm: {}: this call runs DL4J's helper (libnd4j's batchnorm) instead", why);
        }
    }

    /** A [C] vector of a DL4J [1, C] (or [C]) parameter or statistic. */
    private static INDArray vector(INDArray a) {
        return a.rank() == 1 ? a : a.reshape(a.length());
    }

    /** The primitive of one shape and direction, with its arrays. */
    private final class Plan {
        private final batch_normalization_forward forward;
        private final batch_normalization_backward backward;
        private final OneDnnArray[] arrays;
        private final IntMemoryMap args = new IntMemoryMap();

        /** Forward: training (batch statistics out) or inference (running statistics in). */
        Plan(boolean training, float eps, INDArray x, INDArray gamma, INDArray beta, INDArray mean, INDArray var,
                INDArray y) {
            int flags = SCALE_SHIFT | (training ? 0 : normalization_flags.use_global_stats.value);
            int kind = (training ? prop_kind.forward_training : prop_kind.forward_inference).value;
            batch_normalization_forward.primitive_desc pd = new batch_normalization_forward.primitive_desc(
                    new batch_normalization_forward.desc(kind, plain(x), eps, flags), cpu);
            forward = new batch_normalization_forward(pd);
            backward = null;
            memory.desc c = channels(x);
            OneDnnArray src = OneDnnArray.input(cpu, x, pd.src_desc());
            OneDnnArray scale = OneDnnArray.input(cpu, vector(gamma), c);
            OneDnnArray shift = OneDnnArray.input(cpu, vector(beta), c);
            OneDnnArray m = training ? OneDnnArray.output(cpu, vector(mean), c) : OneDnnArray.input(cpu, vector(mean), c);
            OneDnnArray v = training ? OneDnnArray.output(cpu, vector(var), c) : OneDnnArray.input(cpu, vector(var), c);
            OneDnnArray dst = OneDnnArray.output(cpu, y, pd.dst_desc());
            arrays = new OneDnnArray[] {src, scale, shift, m, v, dst};
            args.put(DNNL_ARG_SRC, src.forPrimitive());
            args.put(DNNL_ARG_SCALE, scale.forPrimitive());
            args.put(DNNL_ARG_SHIFT, shift.forPrimitive());
            args.put(DNNL_ARG_MEAN, m.forPrimitive());
            args.put(DNNL_ARG_VARIANCE, v.forPrimitive());
            args.put(DNNL_ARG_DST, dst.forPrimitive());
        }

        /** Backward: input, gamma and beta gradients, from the batch statistics of the training forward pass. */
        Plan(float eps, INDArray x, INDArray dy, INDArray gamma, INDArray beta, INDArray mean, INDArray var,
                INDArray dx, INDArray dGamma, INDArray dBeta) {
            memory.desc data = plain(x);
            batch_normalization_forward.primitive_desc hint = new batch_normalization_forward.primitive_desc(
                    new batch_normalization_forward.desc(prop_kind.forward_training.value, data, eps, SCALE_SHIFT),
                    cpu);
            batch_normalization_backward.primitive_desc pd = new batch_normalization_backward.primitive_desc(
                    new batch_normalization_backward.desc(prop_kind.backward.value, data, data, eps, SCALE_SHIFT),
                    cpu, hint);
            forward = null;
            backward = new batch_normalization_backward(pd);
            memory.desc c = channels(x);
            OneDnnArray src = OneDnnArray.input(cpu, x, pd.src_desc());
            OneDnnArray diffDst = OneDnnArray.input(cpu, dy, pd.diff_dst_desc());
            OneDnnArray scale = OneDnnArray.input(cpu, vector(gamma), c);
            OneDnnArray shift = OneDnnArray.input(cpu, vector(beta), c);
            OneDnnArray m = OneDnnArray.input(cpu, vector(mean), c);
            OneDnnArray v = OneDnnArray.input(cpu, vector(var), c);
            OneDnnArray diffSrc = OneDnnArray.output(cpu, dx, pd.diff_src_desc());
            OneDnnArray diffScale = OneDnnArray.output(cpu, vector(dGamma), c);
            OneDnnArray diffShift = OneDnnArray.output(cpu, vector(dBeta), c);
            arrays = new OneDnnArray[] {src, diffDst, scale, shift, m, v, diffSrc, diffScale, diffShift};
            args.put(DNNL_ARG_SRC, src.forPrimitive());
            args.put(DNNL_ARG_DIFF_DST, diffDst.forPrimitive());
            args.put(DNNL_ARG_SCALE, scale.forPrimitive());
            args.put(DNNL_ARG_SHIFT, shift.forPrimitive());
            args.put(DNNL_ARG_MEAN, m.forPrimitive());
            args.put(DNNL_ARG_VARIANCE, v.forPrimitive());
            args.put(DNNL_ARG_DIFF_SRC, diffSrc.forPrimitive());
            args.put(DNNL_ARG_DIFF_SCALE, diffScale.forPrimitive());
            args.put(DNNL_ARG_DIFF_SHIFT, diffShift.forPrimitive());
        }

        void forward(INDArray... a) {
            run(a, () -> forward.execute(stream, args));
        }

        void backward(INDArray... a) {
            run(a, () -> backward.execute(stream, args));
        }

        /** Points every array at this call's buffer (same order as made), reorders in, runs, reorders out. */
        private void run(INDArray[] a, Runnable primitive) {
            for (int i = 0; i < arrays.length; i++) {
                arrays[i].point(a[i]);
            }
            OneDnnArray.placeAll(arrays);
            for (OneDnnArray o : arrays) {
                o.in(stream);
            }
            primitive.run();
            for (OneDnnArray o : arrays) {
                o.out(stream);
            }
            stream._wait();
        }

        private memory.desc plain(INDArray x) {
            return new memory.desc(x.shape(), memory.data_type.f32, memory.format_tag.nchw);
        }

        private memory.desc channels(INDArray x) {
            return new memory.desc(new long[] {x.size(1)}, memory.data_type.f32, memory.format_tag.x);
        }
    }
}
