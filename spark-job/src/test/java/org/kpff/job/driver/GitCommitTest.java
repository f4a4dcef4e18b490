package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** run.json's git_commit is the commit the classes were built from, recorded at build time. */
class GitCommitTest {

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static InputStream record(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void readsTheBuildRecord() {
        assertEquals(SHA, GitCommit.fromBuild(record("commit=" + SHA + "\ndirty=false\n")));
        assertEquals(SHA + "+dirty", GitCommit.fromBuild(record("commit=" + SHA + "\ndirty=true\n")));
        assertEquals("unknown", GitCommit.fromBuild(record("commit=unknown\ndirty=false\n")), "built without git");
        assertEquals("unknown", GitCommit.fromBuild(record("commit=${kpff.git.commit}\n")), "unexpanded");
        assertEquals("unknown", GitCommit.fromBuild(null), "no record on the classpath");
    }

    /** This build wrote its record, and (in a git checkout) it names the HEAD it was built from. */
    @Test
    void theBuildRecordedTheCommitItWasBuiltFrom() throws Exception {
        InputStream in = GitCommit.class.getClassLoader().getResourceAsStream(GitCommit.RESOURCE);
        assertNotNull(in, GitCommit.RESOURCE + " is on the classpath");
        String described = GitCommit.fromBuild(in);
        Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 && head.matches("[0-9a-f]{40}")) {
            assertTrue(described.equals(head) || described.equals(head + "+dirty"),
                    "recorded " + described + ", HEAD is " + head);
        } else {
            assertEquals("unknown", described, "no git here: " + head);
        }
    }
}
