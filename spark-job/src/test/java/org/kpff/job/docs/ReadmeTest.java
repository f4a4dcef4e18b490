package org.kpff.job.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kpff.job.config.ConfigDocs;
import org.kpff.job.results.ResultSchemas;

/**
 * Keeps the README's generated blocks (config keys, output schema) equal to the declarations. Run with
 * {@code KPFF_UPDATE_README=1} to rewrite them after changing a key or a column.
 */
class ReadmeTest {

    static final Path README = Path.of("..", "README.md");

    @Test
    void generatedBlocksMatchTheDeclarations() throws Exception {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        Map<String, String> blocks = Map.of("config-keys", ConfigDocs.markdown(), "output-schema", ResultSchemas.markdown());
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
        assertTrue(text.contains("mvn -B verify"));
        String ci = Files.readString(Path.of("..", ".ci", "run"), StandardCharsets.UTF_8);
        assertTrue(ci.contains("mvn -B verify"), ".ci/run runs the README's test command");
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
