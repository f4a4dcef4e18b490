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
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.kpff.core.fs.AtomicReplace;

/**
 * Puts {@link SchemaVersion#PARQUET_KEY} into the key-value metadata of the Parquet files Spark wrote into a folder,
 * and reads it back. Spark 3.5 (Parquet 1.13) has no way to add footer metadata to a write, so each file (the job's
 * are one small file per table and cell) is copied row group by row group, without decoding, into a file whose
 * footer has the key, which then replaces it.
 */
public final class ParquetVersionStamp {

    private ParquetVersionStamp() {
    }

    /** Stamps every {@code .parquet} file directly in {@code folderUri} with {@link SchemaVersion#CURRENT}. */
    public static void stamp(String folderUri, Configuration conf) throws IOException {
        Path folder = new Path(folderUri);
        FileSystem fs = folder.getFileSystem(conf);
        for (FileStatus st : fs.listStatus(folder)) {
            Path file = st.getPath();
            if (st.isFile() && file.getName().endsWith(".parquet")) {
                stampFile(file, conf);
            }
        }
    }

    private static void stampFile(Path file, Configuration conf) throws IOException {
        Path tmp = new Path(file.getParent(), "_" + file.getName() + ".stamped");
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            FileMetaData meta = reader.getFooter().getFileMetaData();
            Map<String, String> kv = new HashMap<>(meta.getKeyValueMetaData());
            kv.put(SchemaVersion.PARQUET_KEY, Integer.toString(SchemaVersion.CURRENT));
            ParquetFileWriter writer = new ParquetFileWriter(HadoopOutputFile.fromPath(tmp, conf), meta.getSchema(),
                    ParquetFileWriter.Mode.OVERWRITE, org.apache.parquet.hadoop.ParquetWriter.DEFAULT_BLOCK_SIZE, 0);
            writer.start();
            reader.appendTo(writer);
            writer.end(kv);
        }
        AtomicReplace.replace(tmp, file, conf);
    }

    /** The version in a Parquet file's footer; empty for a file written before versions were recorded. */
    public static OptionalInt read(Path file, Configuration conf) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            String v = reader.getFooter().getFileMetaData().getKeyValueMetaData().get(SchemaVersion.PARQUET_KEY);
            return v == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(v.trim()));
        }
    }
}
