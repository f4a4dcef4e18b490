package org.kpff.job.driver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The git commit the job was built from, for run.json: {@code KPFF_GIT_COMMIT}, else {@code git}, else unknown. */
final class GitCommit {

    private GitCommit() {
    }

    static String describe() {
        String env = System.getenv("KPFF_GIT_COMMIT");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                String out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("[0-9a-f]{40}")) {
                    return out;
                }
            }
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }
}
