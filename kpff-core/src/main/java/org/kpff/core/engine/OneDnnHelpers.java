package org.kpff.core.engine;

import java.lang.reflect.Field;
import org.bytedeco.dnnl.engine;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the project's own oneDNN helpers ({@link OneDnnConvolution}, {@link OneDnnBatchNorm}, {@link OneDnnPooling}) on a
 * network's layers, in place of DL4J's.
 *
 * <p>DL4J 1.0.0-M2.1 looks up its CPU helpers by a fixed class name ({@code MKLDNNConvHelper}), so its lookup cannot
 * name another class on CPU; the helper is a protected field of the layer runtime, set here once the network is
 * built or restored ({@code ModelFactory.create}, {@code HadoopCheckpoints.readModel}). Only layers that DL4J gave
 * its oneDNN helper are changed: a network built on the plain engine (or with DL4J's helpers off) stays plain, and
 * DL4J's helper stays behind the new one for what the new one declines. On by default on the CPU backend when
 * oneDNN's presets load; {@code -D}{@value #PROPERTY}{@code =false} keeps DL4J's helpers (libnd4j's custom ops),
 * for comparisons. Where the presets cannot load, one warning says so and DL4J's helpers stay.
 */
public final class OneDnnHelpers {

    /** System property: {@code true} (default) installs the project's oneDNN helpers, {@code false} keeps DL4J's. */
    public static final String PROPERTY = "kpff.onednn.own";

    /**
     * System property: {@code true} (default) puts {@link OneDnnBatchNorm} on batch-norm layers too, {@code false}
     * leaves them on DL4J's helper (with {@value #PROPERTY} on).
     */
    public static final String BATCH_NORM_PROPERTY = "kpff.onednn.own.batchnorm";
    private static final boolean BATCH_NORM = Boolean.parseBoolean(System.getProperty(BATCH_NORM_PROPERTY, "true"));

    /**
     * System property: {@code true} (default) puts {@link OneDnnPooling} on max-pooling layers too, {@code false}
     * leaves them on DL4J's helper (with {@value #PROPERTY} on).
     */
    public static final String POOLING_PROPERTY = "kpff.onednn.own.pooling";
    private static final boolean POOLING = Boolean.parseBoolean(System.getProperty(POOLING_PROPERTY, "true"));

    private static final Logger LOG = LoggerFactory.getLogger(OneDnnHelpers.class);
    private static engine cpu;
    private static Boolean available;

    private OneDnnHelpers() {
    }

    /** Whether this JVM installs the project's helpers: the property is not false and oneDNN's presets load. */
    public static synchronized boolean enabled() {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return false;
        }
        if (available == null) {
            available = probe();
        }
        return available;
    }

    private static boolean probe() {
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        if (!backend.toLowerCase(java.util.Locale.ROOT).contains("cpu")) {
            return false; // CUDA: the layers keep the cuDNN helpers
        }
        try {
            cpu = new engine(engine.kind.cpu, 0);
            LOG.info("KPFF oneDNN helpers: convolutions{}{} call oneDNN directly, primitives cached per shape",
                    BATCH_NORM ? ", batch norms" : "", POOLING ? ", max poolings" : "");
            return true;
        } catch (Throwable t) {
            LOG.warn("KPFF oneDNN helpers: oneDNN's presets cannot load ({}); convolutions keep DL4J's oneDNN helper "
                    + "(libnd4j's conv2d, a primitive built per call)", t.toString());
            return false;
        }
    }

    /** The CPU engine all helpers share (oneDNN engines are thread-safe; each helper has its own stream). */
    static synchronized engine cpu() {
        if (!enabled()) {
            throw new IllegalStateException("oneDNN helpers are not enabled in this JVM");
        }
        return cpu;
    }

    /**
     * Replaces DL4J's oneDNN helper on every convolution, batch-norm and pooling layer of the network by the
     * project's, when {@link #enabled()}; otherwise leaves the network as it is.
     *
     * @return how many layers got the project's helper
     */
    public static int install(ComputationGraph net) {
        if (!enabled()) {
            return 0;
        }
        int n = 0;
        for (Layer l : net.getLayers()) {
            if (l instanceof ConvolutionLayer c && l.getHelper() instanceof MKLDNNConvHelper dl4j) {
                set(l, "helper", new OneDnnConvolution((ConvolutionHelper) dl4j, c.hasBias()));
                n++;
            } else if (l instanceof BatchNormalization && l.getHelper() instanceof MKLDNNBatchNormHelper dl4j
                    && BATCH_NORM) {
                set(l, "helper", new OneDnnBatchNorm(dl4j));
                n++;
            } else if (l instanceof SubsamplingLayer && l.getHelper() instanceof MKLDNNSubsamplingHelper dl4j
                    && POOLING) {
                set(l, "helper", new OneDnnPooling(dl4j));
                n++;
            }
        }
        return n;
    }

    /** Whether a layer runs one of the project's own oneDNN helpers. */
    public static boolean own(Layer layer) {
        return layer.getHelper() instanceof OneDnnConvolution || layer.getHelper() instanceof OneDnnBatchNorm
                || layer.getHelper() instanceof OneDnnPooling;
    }

    static void set(Layer layer, String name, Object value) {
        for (Class<?> c = layer.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                f.set(layer, value);
                return;
            } catch (NoSuchFieldException e) {
                // keep looking in the superclass
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("Cannot set " + name + " of " + layer.getClass().getName(), e);
            }
        }
        throw new IllegalStateException("Layer " + layer.getClass().getName() + " has no field " + name);
    }
}
