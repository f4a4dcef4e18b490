package org.kpff.core.train;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the heap a finished cell no longer needs back to the operating system, without a stop-the-world full
 * collection. A cell leaves its garbage in the old generation, which young collections never reclaim, and G1 grows
 * the heap under the load of training and only shrinks it after a full collection or at the Remark pause of a
 * concurrent cycle. So when the JVM runs G1 with {@code -XX:+ExplicitGCInvokesConcurrent} (the submit scripts set
 * it), {@link #afterCell()} calls {@code System.gc()}, which then starts a concurrent cycle: a young pause, marking
 * beside the running threads, and Remark, which uncommits free heap down to {@code -XX:MaxHeapFreeRatio}; the
 * following mixed collections reclaim the old garbage. {@code System.gc()} returns when the cycle has marked (the
 * caller waits, other cells keep training). Without that flag, or on another collector, where {@code System.gc()}
 * would be a full collection of the whole JVM, it does nothing.
 */
public final class HeapReturn {

    private static final Logger LOG = LoggerFactory.getLogger(HeapReturn.class);

    private static final boolean ENABLED = concurrentExplicitGcOnG1();

    private HeapReturn() {
    }

    /** Whether {@link #afterCell()} starts a concurrent cycle in this JVM (G1 and ExplicitGCInvokesConcurrent). */
    public static boolean enabled() {
        return ENABLED;
    }

    /**
     * Starts a concurrent G1 cycle (and waits for its marking) when {@link #enabled()}; otherwise does nothing.
     *
     * @return whether a cycle was requested
     */
    public static boolean afterCell() {
        if (!ENABLED) {
            return false;
        }
        System.gc();
        return true;
    }

    static boolean concurrentExplicitGcOnG1() {
        boolean g1 = false;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            g1 |= gc.getName().startsWith("G1 ");
        }
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        boolean concurrent = false;
        if (hotspot != null) {
            try {
                concurrent = Boolean.parseBoolean(hotspot.getVMOption("ExplicitGCInvokesConcurrent").getValue());
            } catch (IllegalArgumentException notHotSpot) {
                concurrent = false;
            }
        }
        if (concurrent && !g1) {
            LOG.warn("-XX:+ExplicitGCInvokesConcurrent is set but the collector is not G1: a finished cell does not "
                    + "call System.gc() (it would be a stop-the-world full collection), so the heap is not shrunk");
        }
        return concurrent && g1;
    }
}
