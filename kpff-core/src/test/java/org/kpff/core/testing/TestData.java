package org.kpff.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real UC Merced test images through {@code KPFF_TEST_DATA}: unset skips the test with a message; a
 * relative value is resolved against the repository root (surefire runs each module from its own folder, so
 * {@code KPFF_TEST_DATA=../shared/data mvn verify} from the root must mean the same in every module); set but
 * missing fails the test instead of skipping it silently.
 */
public final class TestData {

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
        Assumptions.assumeTrue(dir != null && !dir.isBlank(), "KPFF_TEST_DATA not set: skipping the tests on real UC "
                + "Merced images (set it to the folder holding ucmerced-mini/ and ucmerced-64/, e.g. ../shared/data)");
        Path root = Path.of(dir);
        if (!root.isAbsolute()) {
            root = repoRoot().resolve(root);
        }
        Path folder = root.resolve(sub).normalize();
        assertTrue(Files.isDirectory(folder), "KPFF_TEST_DATA=" + dir + " is set but " + folder + " does not exist");
        return folder;
    }
}
