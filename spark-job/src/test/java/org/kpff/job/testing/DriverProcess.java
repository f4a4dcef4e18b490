package org.kpff.job.testing;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kpff.job.cli.Main;

/** The job's CLI in a JVM of its own, for tests that kill or signal a driver: the test classpath and Spark's flags. */
public final class DriverProcess {

    private DriverProcess() {
    }

    /**
     * Starts {@code Main run <grid>} with this JVM's Spark {@code --add-opens} flags, 1 GiB of heap, no Spark UI, the
     * given system properties and extra environment, its stdout and stderr into {@code log}.
     */
    public static Process run(Path log, List<String> properties, Map<String, String> env, String... grid)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions")
                    || arg.startsWith("-Djdk.reflect")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-Dspark.ui.enabled=false"));
        cmd.addAll(properties);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "run"));
        cmd.addAll(List.of(grid));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
