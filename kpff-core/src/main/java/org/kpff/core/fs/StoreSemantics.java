package org.kpff.core.fs;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a Hadoop FileSystem guarantees for a rename, the one rule that decides how the job commits on it.
 *
 * <p>The rule: a rename is atomic (and a rename onto an existing name fails instead of overwriting) on the file
 * systems that are real file systems with one namespace: {@code file}, {@code hdfs}, {@code viewfs} (over HDFS),
 * {@code webhdfs}/{@code swebhdfs} and Ozone's {@code o3fs}/{@code ofs}. On every other scheme (S3A's {@code s3a},
 * GCS's {@code gs}, ABFS's {@code abfs}/{@code abfss}, anything unknown) it is treated as neither atomic nor exclusive:
 * S3A renames object by object (a copy and a delete each), and so does GCS. The Hadoop property
 * {@code kpff.fs.<scheme>.atomic-rename} ({@code true}/{@code false}, e.g.
 * {@code spark.hadoop.kpff.fs.abfss.atomic-rename=true} for ABFS with hierarchical namespace, whose renames are atomic) overrides the rule for a scheme. Hadoop
 * 3.3's path capabilities name no "atomic rename" capability, hence a list of schemes.
 *
 * <p>Where renames are atomic, results are written under a temporary name and renamed into place; where they are
 * not, each file is written straight to its final name (one PUT: an object appears whole or not at all) and a small
 * marker written last says that a set of files is complete.
 */
public final class StoreSemantics {

    /** Schemes whose rename is atomic and fails onto an existing name. */
    public static final Set<String> ATOMIC_RENAME_SCHEMES = Set.of("file", "hdfs", "viewfs", "webhdfs", "swebhdfs",
            "o3fs", "ofs");

    private StoreSemantics() {
    }

    /** The Hadoop property that overrides the rule for one scheme. */
    public static String overrideKey(String scheme) {
        return "kpff.fs." + scheme + ".atomic-rename";
    }

    /** Whether {@code fs}'s rename is atomic and exclusive, by the rule above. */
    public static boolean atomicRename(FileSystem fs, Configuration conf) {
        String scheme = fs.getScheme() == null ? "" : fs.getScheme().toLowerCase(Locale.ROOT);
        String override = conf.getTrimmed(overrideKey(scheme));
        if (override != null && !override.isEmpty()) {
            if (!override.equalsIgnoreCase("true") && !override.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(overrideKey(scheme) + " = '" + override + "': expected true or "
                        + "false.");
            }
            return Boolean.parseBoolean(override);
        }
        return ATOMIC_RENAME_SCHEMES.contains(scheme);
    }

    /** Whether the FileSystem of {@code uri}'s rename is atomic and exclusive. */
    public static boolean atomicRename(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        return atomicRename(p.getFileSystem(conf), conf);
    }

    /**
     * Writes a small file so that a reader sees the old content or the new, never a part: a temporary file renamed
     * over the target where rename is atomic ({@link AtomicReplace}), one overwriting create elsewhere (the object
     * store makes the object visible whole when the stream closes).
     */
    public static void writeFile(Path target, byte[] bytes, Configuration conf) throws IOException {
        FileSystem fs = target.getFileSystem(conf);
        if (!atomicRename(fs, conf)) {
            try (OutputStream out = fs.create(target, true)) {
                out.write(bytes);
            }
            return;
        }
        Path tmp = new Path(target.getParent(), "_" + target.getName() + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(bytes);
        }
        AtomicReplace.replace(tmp, target, conf);
    }
}
