package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility alias that lets DL4J 1.0.0-M2.1 find ND4J's CPU environment at the name it was published under
 * before it moved: {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up {@code org.nd4j.nativeblas.Nd4jCpu$Environment}
 * by name, while M2.1 ships it as {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment}. Without this
 * alias the lookup fails and DL4J never uses its oneDNN layer helpers (see {@code org.kpff.core.engine}).
 *
 * <p>Only the two members DL4J reads exist: {@link Environment#getInstance()} and
 * {@link Environment#isUseMKLDNN()} (which M2.1 renamed {@code isUseONEDNN()}). They delegate by reflection, so this class also compiles and loads on the
 * CUDA backend, where the CPU bindings are absent (there it reports {@code false}).
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** The alias of ND4J's native CPU environment, as far as DL4J's oneDNN check reads it. */
    public static final class Environment {

        /** Where ND4J 1.0.0-M2.1 keeps the real class. */
        static final String MOVED_TO = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        /** The single instance, as the real environment's {@code getInstance()}. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /**
         * Whether libnd4j may use oneDNN: the real environment's {@code isUseONEDNN()} (the method was renamed with
         * the move), false where the CPU bindings are absent.
         */
        public boolean isUseMKLDNN() {
            try {
                Class<?> real = Class.forName(MOVED_TO, true, Nd4jCpu.class.getClassLoader());
                Object env = real.getMethod("getInstance").invoke(null);
                Method use = real.getMethod("isUseONEDNN");
                return (Boolean) use.invoke(env);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }
    }
}
