package org.kpff.job.driver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The git commit the job's classes were built from, for run.json: {@code KPFF_GIT_COMMIT} when set, else what the
 * build recorded in {@value #RESOURCE} ({@code <sha>}, or {@code <sha>+dirty} when tracked files had uncommitted
 * changes), else {@code unknown}. Not the HEAD of the directory the job is launched from: that may have moved on
 * since the jar was built (a long run resumed after new commits would otherwise claim code it does not run).
 */
final class GitCommit {

    /** The build's record, written by spark-job's pom (antrun, {@code record-git-commit}). */
    static final String RESOURCE = "kpff-build.properties";

    private GitCommit() {
    }

    static String describe() {
        String env = System.getenv("KPFF_GIT_COMMIT");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        return fromBuild(GitCommit.class.getClassLoader().getResourceAsStream(RESOURCE));
    }

    /** The commit in a build record (null: no record), as {@link #describe} reports it. */
    static String fromBuild(InputStream record) {
        if (record == null) {
            return "unknown";
        }
        Properties p = new Properties();
        try (InputStream in = record) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
        String commit = p.getProperty("commit", "").trim();
        if (!commit.matches("[0-9a-f]{40}")) {
            return "unknown";
        }
        return Boolean.parseBoolean(p.getProperty("dirty", "false").trim()) ? commit + "+dirty" : commit;
    }
}
