package org.kpff.core.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * What the loaded libnd4j can do: its backend (CPU or CUDA), whether it was built with oneDNN or cuDNN (from its
 * build information), and the widest vector instruction set the CPU offers (oneDNN picks its kernels for that set
 * at run time). Read once, on first use, which loads ND4J's native backend.
 *
 * @param backend   ND4J's backend name as the executioner reports it ("CPU" or "CUDA")
 * @param buildInfo libnd4j's build information string
 * @param hasOnednn libnd4j was built with oneDNN (HAVE_ONEDNN)
 * @param hasCudnn  libnd4j was built with cuDNN (HAVE_CUDNN)
 * @param cpuIsa    the CPU's widest vector extension: avx512, avx2, avx or sse (x86), or the architecture name
 */
public record NativeLibrary(String backend, String buildInfo, boolean hasOnednn, boolean hasCudnn, String cpuIsa) {

    private static volatile NativeLibrary current;

    /** The loaded library's facts (loads ND4J's backend on first call). */
    public static NativeLibrary current() {
        NativeLibrary lib = current;
        if (lib == null) {
            synchronized (NativeLibrary.class) {
                lib = current;
                if (lib == null) {
                    lib = probe();
                    current = lib;
                }
            }
        }
        return lib;
    }

    /** True on ND4J's CUDA backend. */
    public boolean cuda() {
        return "CUDA".equalsIgnoreCase(backend);
    }

    private static NativeLibrary probe() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = String.valueOf(env.getProperty("backend", "unknown"));
        String info;
        try {
            info = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        } catch (RuntimeException | LinkageError e) {
            info = "";
        }
        if (info == null) {
            info = "";
        }
        return new NativeLibrary(backend, info.trim(), info.contains("HAVE_ONEDNN") || info.contains("HAVE_MKLDNN"),
                info.contains("HAVE_CUDNN"), detectCpuIsa());
    }

    /** The widest x86 vector extension in /proc/cpuinfo's flags, or the JVM's architecture name elsewhere. */
    static String detectCpuIsa() {
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return arch;
        }
        try {
            for (String line : Files.readAllLines(cpuinfo)) {
                if (line.startsWith("flags")) {
                    return isaFromFlags(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            return arch;
        }
        return arch;
    }

    /** The widest vector extension named in a /proc/cpuinfo {@code flags} line. */
    static String isaFromFlags(String flagsLine) {
        String flags = " " + flagsLine.substring(flagsLine.indexOf(':') + 1).trim() + " ";
        if (flags.contains(" avx512f ")) {
            return "avx512";
        }
        if (flags.contains(" avx2 ")) {
            return "avx2";
        }
        if (flags.contains(" avx ")) {
            return "avx";
        }
        return "sse";
    }

    /**
     * The data type among a layer's helper arguments: DL4J's {@code HelperUtils} passes the layer's arguments
     * ({@code [DataType]}) wrapped in one array to a CUDA helper's constructor.
     */
    public static DataType dataTypeArgument(Object[] layerArguments) {
        if (layerArguments != null) {
            for (Object a : layerArguments) {
                if (a instanceof DataType t) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("Layer helper arguments hold no DataType: "
                + (layerArguments == null ? "null" : java.util.Arrays.toString(layerArguments)));
    }
}
