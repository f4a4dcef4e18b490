package org.kpff.job.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.kpff.job.results.SchemaVersion;
import org.kpff.core.fs.StoreSemantics;

/**
 * The run's {@code run.json}: resolved config and its fingerprint, dataset and folds identity, versions, git
 * commit, and one entry per attempt (a resumed run appends one). Written atomically (temporary file and rename, or one
 * PUT on an object store: {@link StoreSemantics#writeFile}).
 */
public final class RunInfo {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode root;

    private RunInfo(ObjectNode root) {
        this.root = root;
    }

    /** A new run.json body. */
    public static RunInfo create() {
        ObjectNode n = JSON.createObjectNode();
        n.put("tool", "kpff");
        n.put("format", 1);
        n.putArray("attempts");
        return new RunInfo(n);
    }

    /**
     * Reads {@code run.json} of a run folder, if it exists. A driver killed inside {@link #write} (between removing
     * the old file and renaming the new one into place) leaves only the complete temporary file: it is read instead.
     */
    public static Optional<RunInfo> read(String file, Configuration conf) throws IOException {
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem(conf);
        if (fs.exists(p)) {
            return Optional.of(parse(fs, p));
        }
        Path tmp = temporary(p);
        if (fs.exists(tmp)) {
            try {
                return Optional.of(parse(fs, tmp));
            } catch (IOException | ClassCastException e) {
                // Killed while writing the temporary file itself: there is no run.json to recover.
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static RunInfo parse(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return new RunInfo((ObjectNode) JSON.readTree(r));
        }
    }

    private static Path temporary(Path p) {
        return new Path(p.getParent(), "_" + p.getName() + ".tmp");
    }

    /** The JSON tree (mutable: the driver fills it in). */
    public ObjectNode json() {
        return root;
    }

    /** The attempts array. */
    public ArrayNode attempts() {
        return root.withArray("attempts");
    }

    /** A text field, or empty. */
    public String text(String field) {
        return root.hasNonNull(field) ? root.get(field).asText() : "";
    }

    /**
     * The run's output schema version ({@link SchemaVersion}): the recorded {@code schema_version}, the newest layout
     * any of its attempts wrote; for a run from before versions were recorded, 2 when an attempt recorded the
     * engines its cells ran on (a field added with the version-2 columns), else 1.
     */
    public int schemaVersion() {
        JsonNode v = root.path(SchemaVersion.RUN_JSON_FIELD);
        if (v.canConvertToInt()) {
            return v.asInt();
        }
        for (JsonNode attempt : root.path("attempts")) {
            if (attempt.has("engines")) {
                return 2;
            }
        }
        return 1;
    }

    /** {@link SchemaVersion#checkReadable}: refuses a run of a newer release; returns the run's version. */
    public int checkReadable(String where) {
        return SchemaVersion.checkReadable(schemaVersion(), where, root.path("git_commit").asText("unknown"));
    }

    /** Writes the file atomically. */
    public void write(String file, Configuration conf) throws IOException {
        StoreSemantics.writeFile(new Path(file), JSON.writeValueAsBytes(root), conf);
    }
}
