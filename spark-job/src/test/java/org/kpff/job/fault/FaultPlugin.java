package org.kpff.job.fault;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * A Spark plugin of the tests that installs {@link ScriptedFaults} from the Spark confs {@code spark.kpff.test.*} in
 * the driver JVM and in every executor JVM: how faults reach a driver or executors that run in processes of their
 * own ({@code -Dspark.plugins=org.kpff.job.fault.FaultPlugin}, or the session builder's {@code spark.plugins}).
 * Stopping the Spark context uninstalls them again.
 */
public final class FaultPlugin implements SparkPlugin {

    /** After which epoch's evaluation cell attempts fail (0 = never). */
    public static final String FAIL_AFTER_EPOCH = "spark.kpff.test.failAfterEpoch";
    /** How many attempts of each cell fail that way (default 1). */
    public static final String FAIL_ATTEMPTS = "spark.kpff.test.failAttempts";
    /** Folder URI in which each cell's first attempt pauses after its first checkpoint. */
    public static final String PAUSE_DIR = "spark.kpff.test.pauseDir";

    /** The faults the confs of {@code conf} describe. */
    static ScriptedFaults fromConf(SparkConf conf) {
        String pause = conf.get(PAUSE_DIR, "");
        return new ScriptedFaults(conf.getInt(FAIL_AFTER_EPOCH, 0), conf.getInt(FAIL_ATTEMPTS, 1),
                pause.isEmpty() ? null : pause, 0);
    }

    @Override
    public DriverPlugin driverPlugin() {
        return new DriverPlugin() {
            private FaultInjection.Installed installed;

            @Override
            public Map<String, String> init(SparkContext sc, PluginContext ctx) {
                installed = FaultInjection.install(fromConf(ctx.conf()));
                return Map.of();
            }

            @Override
            public void shutdown() {
                if (installed != null) {
                    installed.close();
                }
            }
        };
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            private FaultInjection.Installed installed;

            @Override
            public void init(PluginContext ctx, Map<String, String> extraConf) {
                installed = FaultInjection.install(fromConf(ctx.conf()));
            }

            @Override
            public void shutdown() {
                if (installed != null) {
                    installed.close();
                }
            }
        };
    }
}
