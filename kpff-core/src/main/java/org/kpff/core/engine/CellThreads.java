package org.kpff.core.engine;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many CPU threads one cell's training step uses: all it is offered, or fewer where its network is too small for
 * a second thread to pay.
 *
 * <p>Every op of a step (each oneDNN primitive and reorder, each libnd4j op above its size threshold) is one OpenMP
 * parallel region, a fork and a join. At the project's small shapes a step runs hundreds of regions of a few tens of
 * microseconds each, and on two threads the joins, and the second thread's spinning between them, cost more than
 * the split work saves: issue 30 measured, quietly, AlexNet 32 px at 3,017 images/s on one thread against 1,841 on
 * two, Inception 32 px 455 against 362, AlexNet 64 px (26.7 million multiply-adds per image in its convolutions)
 * 470 against 474. On a loaded machine two spinning threads do far worse (a thread pre-empted inside a region stalls
 * the other at its join).
 *
 * <p>So a cell gets one thread per {@value #MIN_KMAC_PER_CONVOLUTION} thousand multiply-adds per image of its
 * average convolution layer (the work of a typical parallel region), at least one and at most what it is offered.
 * The threshold rests on runs of one and two threads with OpenBLAS on one thread (issue 30, 2026-12-05, images/s,
 * one thread / two, thousand multiply-adds per convolution in brackets): after 20 s of warm-up, Inception 32 px
 * 1,356 / 1,231 (13: one thread) and AlexNet 32 px 6,862 / 7,511 (125); after 400 warm-up steps, VGG-16 32 px
 * 1,223 / 1,617 (391); after 10, Inception 64 px w0.5 210 / 255 (609) and AlexNet 64 px w0.5 665 / 845 (5,335).
 * AlexNet 32 px gained from its second thread on a quiet machine and lost 3 to 10 % on a noisy one (side by side,
 * 2026-12-05 07:35-08:05 UTC, 5,980 / 5,390 and 5,081 / 4,903; VGG-16 32 px 1,030 / 1,313 and 895 / 955), so the
 * threshold is 150, above AlexNet 32 px's 125 and below VGG-16 32 px's 391. The total work does not
 * separate them: Inception 32 px has more of it than AlexNet 32 px, in 57 small layers instead of 5. The choice
 * depends on the network and the offer only, never on timings, so a cell computes the same numbers on every run.
 * Each choice is logged once per network shape. {@code -D}{@value #PROPERTY}{@code =offered} uses every offered
 * thread, for comparisons.
 */
public final class CellThreads {

    /** System property: {@code auto} (default, the rule above) or {@code offered} (all offered threads). */
    public static final String PROPERTY = "kpff.threads";
    /**
     * Thousand multiply-adds per image of the average convolution layer each thread must have to be given: the work
     * of one parallel region, not of the whole network, decides whether a second thread pays.
     */
    public static final double MIN_KMAC_PER_CONVOLUTION = 150;

    private static final Logger LOG = LoggerFactory.getLogger(CellThreads.class);
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Integer> OFFERED = new ThreadLocal<>();
    private static int jvmDefault;

    private CellThreads() {
    }

    /**
     * The threads for a network whose convolution layers average {@code kmacPerConvolution} thousand multiply-adds
     * per image.
     *
     * @param offered the threads the cell may use (at least 1)
     * @param policy  {@code auto} or {@code offered}
     * @throws IllegalArgumentException if the policy is neither
     */
    public static int choose(double kmacPerConvolution, int offered, String policy) {
        int max = Math.max(1, offered);
        return switch (policy.toLowerCase(Locale.ROOT)) {
            case "offered" -> max;
            case "auto" -> (int) Math.max(1, Math.min(max, Math.floor(kmacPerConvolution / MIN_KMAC_PER_CONVOLUTION)));
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " = '" + policy + "' is not a thread "
                    + "policy: use auto (one thread per " + MIN_KMAC_PER_CONVOLUTION + " thousand multiply-adds per "
                    + "image of the average convolution layer, up to the offered threads) or offered");
        };
    }

    /** The network's convolution layers. */
    static int convolutionLayers(ComputationGraph net) {
        int n = 0;
        for (org.deeplearning4j.nn.conf.graph.GraphVertex v : net.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex l && l.getLayerConf().getLayer() instanceof ConvolutionLayer) {
                n++;
            }
        }
        return n;
    }

    /**
     * Million multiply-adds per image of the network's convolutions in the forward pass (each output element of a
     * k×k convolution over c input channels costs k·k·c; the backward pass costs about twice that).
     *
     * @param inputSize the square input's side in pixels
     * @param channels  the input's channels
     */
    public static double convolutionMmacPerImage(ComputationGraph net, int inputSize, int channels) {
        ComputationGraphConfiguration conf = net.getConfiguration();
        Map<String, InputType> types = conf.getLayerActivationTypes(
                InputType.convolutional(inputSize, inputSize, channels));
        double macs = 0;
        for (Map.Entry<String, org.deeplearning4j.nn.conf.graph.GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex v && v.getLayerConf().getLayer() instanceof ConvolutionLayer c
                    && types.get(e.getKey()) instanceof InputType.InputTypeConvolutional out) {
                macs += (double) out.getHeight() * out.getWidth() * out.getChannels() * c.getNIn()
                        * c.getKernelSize()[0] * c.getKernelSize()[1];
            }
        }
        return macs / 1e6;
    }

    /**
     * The calling thread may use {@code threads} CPU threads (e.g. Spark's task CPUs): sets ND4J and OpenMP to them
     * until {@link #apply} chooses for a network.
     */
    public static void offer(int threads) {
        OFFERED.set(Math.max(1, threads));
        set(Math.max(1, threads));
    }

    /**
     * The threads offered to the calling thread: its last {@link #offer}, else ND4J's count (its master threads, the
     * count its ops split into; ND4J cannot lower {@code maxThreads}) when first asked.
     */
    static int offered() {
        Integer o = OFFERED.get();
        if (o != null) {
            return o;
        }
        synchronized (CellThreads.class) {
            if (jvmDefault == 0) {
                jvmDefault = Math.max(1, Nd4j.getEnvironment().maxMasterThreads());
            }
            return jvmDefault;
        }
    }

    /**
     * Sets the calling thread's (and ND4J's) CPU threads for training {@code net}: the threads offered to this
     * thread ({@link #offer}; without an offer, ND4J's thread count when first asked) or fewer, by {@link #choose}.
     * Logs the choice once per network shape and offer.
     *
     * @param what      the network in words, for the log (e.g. "alexnet 32 px w0.125")
     * @param inputSize the square input's side in pixels
     * @return the threads chosen
     */
    public static int apply(ComputationGraph net, String what, int inputSize) {
        int offered = offered();
        double mmac = convolutionMmacPerImage(net, inputSize, 3);
        int layers = Math.max(1, convolutionLayers(net));
        double kmacPerConvolution = mmac * 1e3 / layers;
        int threads = choose(kmacPerConvolution, offered, System.getProperty(PROPERTY, "auto"));
        set(threads);
        if (ANNOUNCED.add(what + "/" + offered)) {
            String line = String.format(Locale.ROOT, "KPFF threads: %s trains on %d of %d offered CPU threads "
                    + "(%.1f million convolution multiply-adds per image in %d layers, %.0f thousand a layer; one "
                    + "thread per %.0f thousand, -D%s=offered for all)", what, threads, offered, mmac, layers,
                    kmacPerConvolution, MIN_KMAC_PER_CONVOLUTION, PROPERTY);
            LOG.info(line);
        }
        return threads;
    }

    /**
     * ND4J's threads per op (its master threads; {@code setMaxThreads} cannot go below the pool ND4J started with),
     * this thread's OpenMP thread count (oneDNN's primitives follow OpenMP's), and one OpenBLAS thread.
     *
     * <p>OpenBLAS (the matrix products of the fusion head and the classifier: at most a few hundred rows and
     * columns here) keeps its own pool of {@code OMP_NUM_THREADS} threads, which neither ND4J's nor OpenMP's setting
     * reaches; between calls its idle workers spin on {@code sched_yield}. With two threads offered and the cell
     * on one, that pool cost Inception 32 px 13 % of its step (issue 30: 48 ms against 42 ms with one thread
     * offered, a worker thread spending 64 % of a core in the kernel). Those products are too small to split, so
     * OpenBLAS always gets one thread (a process-wide setting, the same for every cell).
     */
    public static void set(int threads) {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.getEnvironment().setMaxThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.factory().blas().setMaxThreads(1);
    }
}
