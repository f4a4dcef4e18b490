package org.kpff.job.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.kpff.job.config.ConfigDocs;
import org.kpff.job.results.ResultSchemas;

/**
 * Keeps the README's generated blocks (config keys, output schema, the reliability table) equal to their sources:
 * the declarations and the tests annotated with {@link ReliabilityCase}. Run with {@code KPFF_UPDATE_README=1} to
 * rewrite them after changing a key, a column or a reliability test.
 */
class ReadmeTest {

    static final Path README = Path.of("..", "README.md");

    @Test
    void generatedBlocksMatchTheDeclarations() throws Exception {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        Map<String, String> blocks = Map.of("config-keys", ConfigDocs.markdown(), "output-schema", ResultSchemas.markdown(),
                "reliability", reliabilityTable());
        String updated = text;
        for (Map.Entry<String, String> b : blocks.entrySet()) {
            updated = replaceBlock(updated, b.getKey(), b.getValue());
        }
        if ("1".equals(System.getenv("KPFF_UPDATE_README"))) {
            Files.writeString(README, updated, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(updated, text, "README's generated blocks are stale: rerun this test with KPFF_UPDATE_README=1");
    }

    @Test
    void theReadmeShowsTheTwoSetupCommands() throws Exception {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        assertTrue(text.contains("submit/local.sh run --config conf/smoke.conf --out runs/smoke"));
        assertTrue(text.contains("\nmvn -B verify\n"), "the README's test command needs nothing beside a fresh clone");
        String ci = Files.readString(Path.of("..", ".ci", "run"), StandardCharsets.UTF_8);
        assertTrue(ci.contains("\nmvn -B verify\n"), ".ci/run runs the README's test command");
        assertTrue(ci.contains("git clone") && ci.contains("env -u KPFF_TEST_DATA") && ci.contains("mvn -B verify "),
                ".ci/run also runs it on a fresh clone without the test data");
    }

    @Test
    void everyReliabilityTestIsInTheTable() throws Exception {
        // The matrix the issues ask for: lost executor and driver, commit atomicity, retries, 15 bad inputs, and two
        // drivers on one folder, Ctrl-C and SIGTERM, and the same on s3a:// (a header of 2 lines, 32 rows).
        String table = reliabilityTable();
        assertEquals(2 + 32, table.lines().count(), table);
        for (String test : List.of("ExecutorLossTest.", "DriverLossTest.", "RetryAndCommitTest.",
                "BadInputMatrixTest.", "OutputLeaseTest.", "S3JobTest.", "S3DriverLossTest.", "S3CheckpointsTest.")) {
            assertTrue(table.contains(test), test + " in " + table);
        }
    }

    /**
     * The README's reliability table: one row per test method annotated with {@link ReliabilityCase} among this
     * module's test classes, sorted by class and method name.
     */
    static String reliabilityTable() throws Exception {
        Path classes = Path.of(ReadmeTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names;
        try (Stream<Path> s = Files.walk(classes)) {
            names = s.map(p -> classes.relativize(p).toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace(java.io.File.separatorChar, '.'))
                    .sorted().toList();
        }
        List<String[]> rows = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, ReadmeTest.class.getClassLoader());
            for (Method m : type.getDeclaredMethods()) {
                ReliabilityCase c = m.getAnnotation(ReliabilityCase.class);
                if (c != null) {
                    rows.add(new String[] {type.getSimpleName(), m.getName(), c.fault(), c.outcome()});
                }
            }
        }
        rows.sort(Comparator.comparing((String[] r) -> r[0]).thenComparing(r -> r[1]));
        StringBuilder md = new StringBuilder("| what goes wrong | what the job does | proven by |\n|---|---|---|\n");
        for (String[] r : rows) {
            md.append("| ").append(r[2]).append(" | ").append(r[3]).append(" | `").append(r[0]).append('.')
                    .append(r[1]).append("` |\n");
        }
        return md.toString();
    }

    static String replaceBlock(String text, String name, String body) {
        String begin = "<!-- " + name + ":begin -->\n";
        String end = "<!-- " + name + ":end -->";
        int a = text.indexOf(begin);
        int b = text.indexOf(end);
        if (a < 0 || b < a) {
            throw new IllegalStateException("README lacks the markers " + begin.strip() + " … " + end);
        }
        return text.substring(0, a + begin.length()) + body.strip() + "\n" + text.substring(b);
    }
}
