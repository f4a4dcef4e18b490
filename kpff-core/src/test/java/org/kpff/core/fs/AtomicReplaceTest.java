package org.kpff.core.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Replacing a file or a folder by its finished temporary, on file:// and on an in-process HDFS. */
class AtomicReplaceTest {

    @TempDir
    static Path tmp;

    static MiniDFSCluster cluster;
    static Configuration conf;

    @BeforeAll
    static void startHdfs() throws Exception {
        conf = new Configuration();
        File base = new File("target/minidfs-" + AtomicReplaceTest.class.getSimpleName()).getAbsoluteFile();
        FileUtil.fullyDelete(base);
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getPath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    /** A folder on each file system. */
    static Stream<String> roots() throws IOException {
        return Stream.of(tmp.resolve("local").toUri().toString(), cluster.getFileSystem().getUri() + "/replace");
    }

    private static void write(FileSystem fs, org.apache.hadoop.fs.Path p, String text) throws IOException {
        try (OutputStream out = fs.create(p, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String read(FileSystem fs, org.apache.hadoop.fs.Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @MethodSource("roots")
    void aFileIsReplacedAndTheTemporaryIsGone(String root) throws Exception {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, "f/run.json");
        org.apache.hadoop.fs.Path temp = new org.apache.hadoop.fs.Path(root, "f/_run.json.tmp");
        FileSystem fs = target.getFileSystem(conf);
        write(fs, temp, "first");
        AtomicReplace.replace(temp, target, conf);
        assertEquals("first", read(fs, target), "a missing target is created");
        write(fs, temp, "second");
        AtomicReplace.replace(temp, target, conf);
        assertEquals("second", read(fs, target));
        assertFalse(fs.exists(temp));
    }

    @ParameterizedTest
    @MethodSource("roots")
    void aFolderIsReplacedWholeUnderAParentMadeForIt(String root) throws Exception {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, "d/deep/epoch-1");
        org.apache.hadoop.fs.Path temp = new org.apache.hadoop.fs.Path(root, "_tmp-epoch-1");
        FileSystem fs = target.getFileSystem(conf);
        write(fs, new org.apache.hadoop.fs.Path(target, "old.txt"), "old");
        write(fs, new org.apache.hadoop.fs.Path(temp, "model.zip"), "new");
        AtomicReplace.replace(temp, target, conf);
        assertEquals("new", read(fs, new org.apache.hadoop.fs.Path(target, "model.zip")));
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(target, "old.txt")), "nothing of the old folder is left");
        assertFalse(fs.exists(temp));
        assertTrue(fs.getFileStatus(target).isDirectory());
    }

    @ParameterizedTest
    @MethodSource("roots")
    void aMissingTemporaryFailsNamingBothPaths(String root) throws Exception {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(root, "m/x");
        org.apache.hadoop.fs.Path temp = new org.apache.hadoop.fs.Path(root, "m/_x.tmp");
        IOException e = assertThrows(IOException.class, () -> AtomicReplace.replace(temp, target, conf));
        assertTrue(e.getMessage().startsWith("Could not replace " + target + " with " + temp), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void onLocalFilesAChecksumMovesWithItsFileAndAStaleOneGoes() throws Exception {
        // file:// goes through java.nio; Hadoop's checksummed reader must still read every replaced file.
        Path dir = Files.createDirectories(tmp.resolve("crc"));
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir.resolve("cells.parquet").toUri());
        org.apache.hadoop.fs.Path temp = new org.apache.hadoop.fs.Path(dir.resolve("_cells.parquet.tmp").toUri());
        FileSystem fs = target.getFileSystem(conf);
        write(fs, temp, "through hadoop");
        AtomicReplace.replace(temp, target, conf);
        assertTrue(Files.exists(dir.resolve(".cells.parquet.crc")), "the temporary's checksum moved with it");
        assertFalse(Files.exists(dir.resolve("._cells.parquet.tmp.crc")));
        assertEquals("through hadoop", read(fs, target));

        Files.writeString(dir.resolve("_cells.parquet.tmp"), "through java.nio, longer than before");
        AtomicReplace.replace(temp, target, conf);
        assertFalse(Files.exists(dir.resolve(".cells.parquet.crc")), "the old checksum would fail the new bytes");
        assertEquals("through java.nio, longer than before", read(fs, target));
    }
}
