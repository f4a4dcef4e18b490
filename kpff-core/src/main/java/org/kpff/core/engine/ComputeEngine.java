package org.kpff.core.engine;

import java.lang.reflect.Field;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches DL4J's native layer helpers on for the JVM and names the compute path networks use.
 *
 * <p>DL4J 1.0.0-M2.1 creates no layer helper unless {@value #HELPERS_DISABLE} is {@code false} (its default is
 * {@code true}), so every convolution, batch norm and pooling layer would run DL4J's Java-orchestrated im2col path,
 * on CPU and CUDA alike. With helpers on, each such layer calls libnd4j's own custom ops ({@code conv2d},
 * {@code batchnorm}, {@code maxpool2d} and their backprop ops): on the {@code -onednn} build of nd4j-native they run
 * oneDNN; on the {@code -cudnn} build of nd4j-cuda they run cuDNN, reached through the helper classes this project
 * ships under the names DL4J looks up ({@code org.deeplearning4j.cuda.*}). DL4J's oneDNN check looks for a class
 * that moved in M2.1; {@link org.nd4j.nativeblas.Nd4jCpu} is the alias that repairs it.
 *
 * <p>{@link #initialize()} must run before the first network is built (layers pick their helper when they are
 * instantiated). It engages the fast path only where it is faster: on a libnd4j without oneDNN (CPU) or cuDNN
 * (CUDA) the custom ops are slower than the im2col path, so helpers stay off and one warning says why. Setting
 * {@code -Dkpff.engine=plain} (or {@code KPFF_ENGINE=plain}) forces the plain path, for comparisons.
 *
 * <p>Engine names: {@code cpu-onednn-<isa>} (isa: avx512, avx2, avx, sse: the widest the CPU offers, which
 * oneDNN's run-time dispatch uses), {@code cuda-cudnn}, {@code cpu-plain}, {@code cuda-plain}. {@link #of} names
 * what one network really used, from its layers.
 */
public final class ComputeEngine {

    /** DL4J's switch for all layer helpers (default true in 1.0.0-M2.1: helpers off). */
    public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";
    /** System property that selects the engine: {@code auto} (default) or {@code plain}. */
    public static final String MODE_PROPERTY = "kpff.engine";
    /** Environment variable read when {@link #MODE_PROPERTY} is unset. */
    public static final String MODE_ENV = "KPFF_ENGINE";
    /** JavaCPP's per-allocation physical-memory check; 0 turns it off. */
    public static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

    private static final Logger LOG = LoggerFactory.getLogger(ComputeEngine.class);
    private static Engine engine;

    private ComputeEngine() {
    }

    /**
     * The engine a JVM trains with.
     *
     * @param id     engine name, e.g. {@code cpu-onednn-avx512}, {@code cuda-cudnn}, {@code cpu-plain}
     * @param fast   true when layer helpers are on (oneDNN or cuDNN)
     * @param detail one sentence: what runs and, for a plain engine, why
     */
    public record Engine(String id, boolean fast, String detail) {
    }

    /**
     * Chooses the engine for this JVM once: switches DL4J's layer helpers on where libnd4j has oneDNN or cuDNN,
     * otherwise leaves them off with one warning. Logs the choice once. Idempotent.
     *
     * @throws IllegalArgumentException if {@value #MODE_PROPERTY} / {@value #MODE_ENV} has a value other than
     *                                  auto or plain
     */
    public static synchronized Engine initialize() {
        if (engine != null) {
            return engine;
        }
        String mode = requestedMode();
        // Before ND4J allocates anything: JavaCPP re-reads /proc for physical memory on every allocation otherwise.
        // The launch scripts pass it too, for JVMs where ND4J loads before this runs.
        if (System.getProperty(MAX_PHYSICAL_BYTES) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES, "0");
        }
        NativeLibrary lib = NativeLibrary.current();
        // ND4J may call System.gc() every few seconds from its op executioner unless told not to; the networks train
        // in workspaces, so such full collections would only stop every cell on the JVM.
        Nd4j.getMemoryManager().togglePeriodicGc(false);
        Engine chosen = choose(mode, System.getProperty(HELPERS_DISABLE), lib, BaseMKLDNNHelper::mklDnnEnabled);
        if (chosen.fast()) {
            System.setProperty(HELPERS_DISABLE, "false");
            LOG.info("KPFF compute engine: {} ({})", chosen.id(), chosen.detail());
        } else {
            System.setProperty(HELPERS_DISABLE, "true");
            LOG.warn("KPFF compute engine: {}: falling back to DL4J's plain im2col path, several times slower: {}",
                    chosen.id(), chosen.detail());
        }
        engine = chosen;
        return chosen;
    }

    /**
     * The engine for a requested mode on a native library: the decision {@link #initialize()} takes, without
     * touching JVM state.
     *
     * @param mode          auto or plain
     * @param userHelpers   the user's value of {@value #HELPERS_DISABLE}, or null when unset
     * @param lib           the loaded native library
     * @param oneDnnChecked DL4J's own oneDNN check (run only on a CPU library with oneDNN, with helpers enabled)
     */
    static Engine choose(String mode, String userHelpers, NativeLibrary lib, BooleanSupplier oneDnnChecked) {
        if (mode.equals("plain")) {
            return plain(lib, "requested with -D" + MODE_PROPERTY + "=plain / " + MODE_ENV + "=plain");
        }
        if ("true".equalsIgnoreCase(userHelpers)) {
            return plain(lib, "DL4J layer helpers were disabled with -D" + HELPERS_DISABLE + "=true");
        }
        if (lib.cuda()) {
            return lib.hasCudnn()
                    ? fast("cuda-cudnn", "DL4J layer helpers on: convolution, batch norm and pooling run "
                            + "cuDNN")
                    : plain(lib, "this nd4j-cuda build has no cuDNN (build the cuda profile, which uses the "
                            + "linux-x86_64-cudnn natives)");
        }
        if (!lib.hasOnednn()) {
            return plain(lib, "this nd4j-native build has no oneDNN (the default cpu profile uses the "
                    + "linux-x86_64-onednn natives; without oneDNN the helpers would be slower than DL4J's own path)");
        }
        boolean ok = oneDnnChecked.getAsBoolean();
        return ok
                ? fast("cpu-onednn-" + lib.cpuIsa(), "DL4J layer helpers on: convolution, batch norm and pooling run "
                        + "oneDNN (" + lib.cpuIsa() + ")")
                : plain(lib, "DL4J's oneDNN check failed although libnd4j has oneDNN (is ND4J's environment "
                        + "class reachable as org.nd4j.nativeblas.Nd4jCpu$Environment?)");
    }

    /** The engine chosen by {@link #initialize()}, choosing it first if needed. */
    public static Engine current() {
        return initialize();
    }

    /** A field of a DL4J layer runtime, declared in its class or a superclass, made accessible. */
    private static Field layerField(Layer layer, String name) {
        for (Class<?> c = layer.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // keep looking in the superclass
            }
        }
        throw new IllegalStateException("Layer " + layer.getClass().getName() + " has no field " + name);
    }

    /**
     * The engine a built network really uses, from its convolution, batch-norm and pooling layers: this JVM's
     * engine when every such layer has its helper and none has fallen back, {@code cpu-plain}/{@code cuda-plain}
     * when none has or the network is not float32 (the helpers decline other types), and the engine with
     * {@code +plain(k/n)} appended when k of n layers run the plain path.
     */
    public static String of(ComputationGraph net) {
        Engine jvm = current();
        int layers = 0;
        int plain = 0;
        for (Layer l : net.getLayers()) {
            if (l instanceof ConvolutionLayer || l instanceof BatchNormalization || l instanceof SubsamplingLayer) {
                layers++;
                if (l.getHelper() == null || helperFailures(l) > 0) {
                    plain++;
                }
            }
        }
        String plainId = plainId();
        if (net.getConfiguration().getDataType() != DataType.FLOAT) {
            // The helpers decline every type but float32 (their preOutput returns null) and DL4J runs its own path.
            return plainId;
        }
        if (layers == 0) {
            return jvm.fast() ? jvm.id() : plainId;
        }
        if (plain == layers) {
            return plainId;
        }
        if (plain == 0) {
            return jvm.id();
        }
        return jvm.id() + "+plain(" + plain + "/" + layers + ")";
    }

    /** The plain engine's name on this JVM's backend: {@code cpu-plain} or {@code cuda-plain}. */
    public static String plainId() {
        return (NativeLibrary.current().cuda() ? "cuda" : "cpu") + "-plain";
    }

    private static Engine fast(String id, String detail) {
        return new Engine(id, true, detail);
    }

    private static Engine plain(NativeLibrary lib, String why) {
        return new Engine((lib.cuda() ? "cuda" : "cpu") + "-plain", false, why);
    }

    private static String requestedMode() {
        String raw = System.getProperty(MODE_PROPERTY);
        String source = "-D" + MODE_PROPERTY;
        if (raw == null) {
            raw = System.getenv(MODE_ENV);
            source = MODE_ENV;
        }
        if (raw == null || raw.isBlank()) {
            return "auto";
        }
        String mode = raw.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("plain")) {
            throw new IllegalArgumentException(source + " = '" + raw + "' is not a compute engine: use auto "
                    + "(oneDNN on CPU, cuDNN on CUDA, where the native library has them) or plain");
        }
        return mode;
    }

    /** How often DL4J fell back from a layer's helper to its own path (DL4J counts it in helperCountFail). */
    static int helperFailures(Layer layer) {
        try {
            return layerField(layer, "helperCountFail").getInt(layer);
        } catch (IllegalAccessException | IllegalStateException e) {
            return 0;
        }
    }
}
