package org.kpff.job.results;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;

/**
 * Puts {@link SchemaVersion#PARQUET_KEY} into the key-value metadata of the Parquet files Spark wrote into a folder,
 * and reads it back. Spark 3.5 (Parquet 1.13) has no way to add footer metadata to a write, so Spark writes into a
 * scratch folder and each file (the job's are one small file per table and cell) is copied row group by row group,
 * without decoding, straight to its final name with the key in its footer. No rename is involved: on an object store
 * the stamped file is one PUT, which appears whole or not at all.
 */
public final class ParquetVersionStamp {

    private ParquetVersionStamp() {
    }

    /**
     * Copies every {@code .parquet} file directly in {@code fromUri} into {@code toUri} (created) under the same name,
     * stamped with {@link SchemaVersion#CURRENT}; other files (Spark's {@code _SUCCESS}, checksums) are not copied.
     */
    public static void copyStamped(String fromUri, String toUri, Configuration conf) throws IOException {
        Path from = new Path(fromUri);
        Path to = new Path(toUri);
        FileSystem fs = from.getFileSystem(conf);
        for (FileStatus st : fs.listStatus(from)) {
            Path file = st.getPath();
            if (st.isFile() && file.getName().endsWith(".parquet") && !file.getName().startsWith("_")
                    && !file.getName().startsWith(".")) {
                copyFile(file, new Path(to, file.getName()), conf);
            }
        }
    }

    private static void copyFile(Path file, Path target, Configuration conf) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            FileMetaData meta = reader.getFooter().getFileMetaData();
            Map<String, String> kv = new HashMap<>(meta.getKeyValueMetaData());
            kv.put(SchemaVersion.PARQUET_KEY, Integer.toString(SchemaVersion.CURRENT));
            ParquetFileWriter writer = new ParquetFileWriter(HadoopOutputFile.fromPath(target, conf), meta.getSchema(),
                    ParquetFileWriter.Mode.CREATE, ParquetWriter.DEFAULT_BLOCK_SIZE, 0);
            writer.start();
            reader.appendTo(writer);
            writer.end(kv);
        }
    }

    /** The version in a Parquet file's footer; empty for a file written before versions were recorded. */
    public static OptionalInt read(Path file, Configuration conf) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            String v = reader.getFooter().getFileMetaData().getKeyValueMetaData().get(SchemaVersion.PARQUET_KEY);
            return v == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v.trim()));
        }
    }
}
