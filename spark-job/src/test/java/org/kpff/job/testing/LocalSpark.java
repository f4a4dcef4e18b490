package org.kpff.job.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.kpff.core.data.SyntheticScenes;

/**
 * The tests' Spark session as a JUnit 5 extension: one local Spark per test class (UI off, one shuffle partition, the
 * class's extra confs) and, when asked, a synthetic scene dataset generated once for the class; both are gone after
 * the class. Register it as {@code @RegisterExtension static final LocalSpark SPARK = LocalSpark.master(...)}.
 */
public final class LocalSpark implements BeforeAllCallback, AfterAllCallback {

    private final String master;
    private final Map<String, String> conf = new LinkedHashMap<>();
    private int[] scenes;
    private long scenesSeed;
    private SparkSession session;
    private Path folder;

    private LocalSpark(String master) {
        this.master = master;
    }

    /** A session on {@code master}, e.g. {@code local[2,2]} (2 threads, 2 task attempts). */
    public static LocalSpark master(String master) {
        return new LocalSpark(master);
    }

    /** Sets a Spark conf of the session. */
    public LocalSpark config(String key, String value) {
        conf.put(key, value);
        return this;
    }

    /** Generates {@code classes × perClass} synthetic scenes of {@code size} px with {@code seed} for the class. */
    public LocalSpark withScenes(int classes, int perClass, int size, long seed) {
        this.scenes = new int[] {classes, perClass, size};
        this.scenesSeed = seed;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        folder = Files.createTempDirectory("kpff-" + context.getRequiredTestClass().getSimpleName());
        SparkSession.Builder b = SparkSession.builder().master(master)
                .appName(context.getRequiredTestClass().getSimpleName())
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1");
        conf.forEach(b::config);
        session = b.getOrCreate();
        if (scenes != null) {
            SyntheticScenes.generate(data(), scenes[0], scenes[1], scenes[2], scenesSeed, new Configuration());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (session != null) {
            session.stop();
            session = null;
        }
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The class's session. */
    public SparkSession session() {
        if (session == null) {
            throw new IllegalStateException("The Spark session of this class is not started (register LocalSpark "
                    + "as a static @RegisterExtension field)");
        }
        return session;
    }

    /** URI of the class's synthetic scene dataset (see {@link #withScenes}). */
    public String data() {
        if (scenes == null) {
            throw new IllegalStateException("No dataset: build this LocalSpark withScenes(...)");
        }
        return folder.resolve("scenes").toUri().toString();
    }
}
