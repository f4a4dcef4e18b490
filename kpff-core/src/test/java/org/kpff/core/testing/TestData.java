package org.kpff.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * Finds the real UC Merced test images through {@code KPFF_TEST_DATA}: unset skips the test with a message that the
 * build prints on the console (see {@link #skip}); a relative value is resolved against the repository root
 * (surefire runs each module from its own folder, so {@code KPFF_TEST_DATA=../shared/data mvn verify} from the root
 * means the same in every module); set but missing fails the test instead of skipping it silently.
 */
public final class TestData {

    /**
     * System property naming the file that collects skip reasons; surefire sets it to {@code
     * target/skipped-tests.txt} and failsafe to {@code target/skipped-integration-tests.txt}, and the build echoes
     * those of every module on the console once, at its end (the test output itself goes to files).
     */
    public static final String SKIP_NOTES_PROPERTY = "kpff.skip.notes";

    /** What a user does to run the real-image tests; the README's "Real images for the tests" says the same. */
    public static final String HOW_TO_RUN = "set KPFF_TEST_DATA to a folder holding ucmerced-mini/ (UC Merced TIFFs, "
            + "<class>/<image>.tif) and ucmerced-64/ (the same as 64x64 PNG) to run them; README: Real images for the "
            + "tests";

    private static final Set<String> NOTED = new HashSet<>();

    private TestData() {
    }

    /** The repository root: surefire's {@code kpff.repo.root}, else the nearest folder holding {@code .ci/run}. */
    public static Path repoRoot() {
        String prop = System.getProperty("kpff.repo.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".ci").resolve("run"))) {
                return p;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    /**
     * The folder {@code $KPFF_TEST_DATA/<sub>}; skips the calling test when the variable is unset and fails it when
     * the folder does not exist.
     */
    public static Path require(String sub) {
        String dir = System.getenv("KPFF_TEST_DATA");
        if (dir == null || dir.isBlank()) {
            skip(callerName(), "KPFF_TEST_DATA is not set, so the tests on real UC Merced images are skipped; "
                    + HOW_TO_RUN);
        }
        Path root = Path.of(dir);
        if (!root.isAbsolute()) {
            root = repoRoot().resolve(root);
        }
        Path folder = root.resolve(sub).normalize();
        assertTrue(Files.isDirectory(folder), "KPFF_TEST_DATA=" + dir + " is set but " + folder + " does not exist; "
                + "unset it to skip the real-image tests, or " + HOW_TO_RUN);
        return folder;
    }

    /**
     * Skips the calling test with {@code reason} and records "{@code test}: {@code reason}" once per JVM in the file
     * named by {@value #SKIP_NOTES_PROPERTY} (when set), for the build to print on the console.
     */
    public static void skip(String test, String reason) {
        note(test + ": " + reason);
        Assumptions.abort(reason);
    }

    private static synchronized void note(String line) {
        String file = System.getProperty(SKIP_NOTES_PROPERTY);
        if (file == null || file.isBlank() || !NOTED.add(line)) {
            return;
        }
        try {
            Path p = Path.of(file);
            Files.createDirectories(p.toAbsolutePath().getParent());
            // The first note of a JVM replaces what a build that died before printing the file left there.
            Files.writeString(p, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    NOTED.size() == 1 ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot record the skip reason in " + file, e);
        }
    }

    /** The simple name of the test class that called into this class. */
    private static String callerName() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(s -> s
                .map(StackWalker.StackFrame::getDeclaringClass).filter(c -> c != TestData.class).findFirst()
                .map(Class::getSimpleName).orElse("a test"));
    }

    /**
     * A seeded batch of {@code n} random float32 images [n, 3, size, size] with one-hot labels cycling over
     * {@code classes}: the minibatch the training-path tests feed a network.
     */
    public static DataSet randomBatch(long seed, int n, int classes, int size) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 3, size, size);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % classes, 1f);
        }
        return new DataSet(x, y);
    }

    /**
     * How many times libnd4j runs {@code op} in one call of {@code step}, counted by ND4J's op profiler; {@code step}
     * runs once before, unprofiled, so that workspaces are sized.
     */
    public static long opsPerCall(String op, Runnable step) {
        step.run();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        try {
            OpProfiler.getInstance().reset();
            step.run();
            return OpProfiler.getInstance().getOpCounter().getCount(op);
        } finally {
            Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
            OpProfiler.getInstance().reset();
        }
    }
}
