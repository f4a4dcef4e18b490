package org.kpff.job.fault;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault injector of this JVM: {@link FaultInjector#NONE} unless a test installs one (in the driver JVM, or in
 * executor JVMs through a Spark plugin of the tests).
 */
public final class FaultInjection {

    private static final Logger LOG = LoggerFactory.getLogger(FaultInjection.class);

    private static volatile FaultInjector current = FaultInjector.NONE;

    private FaultInjection() {
    }

    /** The injector in force in this JVM. */
    public static FaultInjector current() {
        return current;
    }

    /**
     * Installs {@code injector} in this JVM until the returned handle is closed (which restores {@link
     * FaultInjector#NONE}).
     */
    public static Installed install(FaultInjector injector) {
        current = Objects.requireNonNull(injector, "injector");
        LOG.warn("Fault injection on in this JVM: {}", injector);
        return () -> current = FaultInjector.NONE;
    }

    /** An installed injector; closing it uninstalls it. */
    @FunctionalInterface
    public interface Installed extends AutoCloseable {
        @Override
        void close();
    }
}
