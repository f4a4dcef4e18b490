package org.kpff.core.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The commit rule per store: atomic rename on file/HDFS-like schemes only, overridable per scheme. */
class StoreSemanticsTest {

    /** A FileSystem that answers to another scheme (the rule reads only the scheme and the configuration). */
    static FileSystem withScheme(String scheme) {
        return new RawLocalFileSystem() {
            @Override
            public String getScheme() {
                return scheme;
            }
        };
    }

    @ParameterizedTest
    @CsvSource({"file,true", "hdfs,true", "viewfs,true", "webhdfs,true", "ofs,true", "s3a,false", "gs,false",
        "abfss,false", "wasb,false", "something,false"})
    void renameIsAtomicOnFileSystemsOnly(String scheme, boolean atomic) {
        assertEquals(atomic, StoreSemantics.atomicRename(withScheme(scheme), new Configuration(false)));
    }

    @Test
    void aSchemeCanBeOverriddenAndABadOverrideIsNamed() {
        Configuration conf = new Configuration(false);
        conf.set("kpff.fs.abfss.atomic-rename", "true");
        conf.set("kpff.fs.hdfs.atomic-rename", "FALSE");
        assertTrue(StoreSemantics.atomicRename(withScheme("abfss"), conf));
        assertFalse(StoreSemantics.atomicRename(withScheme("hdfs"), conf));
        conf.set("kpff.fs.gs.atomic-rename", "yes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoreSemantics.atomicRename(withScheme("gs"), conf));
        assertEquals("kpff.fs.gs.atomic-rename = 'yes': expected true or false.", e.getMessage());
    }

    @Test
    void writeFileReplacesWholeOnBothKindsOfStore(@TempDir Path dir) throws Exception {
        Configuration conf = new Configuration();
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir.resolve("run.json").toUri());
        StoreSemantics.writeFile(target, new byte[] {1, 2, 3}, conf);
        StoreSemantics.writeFile(target, new byte[] {4, 5}, conf);
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(dir.resolve("run.json")));
        assertFalse(Files.exists(dir.resolve("_run.json.tmp")), "renamed away");
        conf.set("kpff.fs.file.atomic-rename", "false");
        StoreSemantics.writeFile(target, new byte[] {6}, conf);
        assertArrayEquals(new byte[] {6}, Files.readAllBytes(dir.resolve("run.json")));
        try (var s = Files.list(dir)) {
            assertEquals(0, s.filter(p -> p.getFileName().toString().startsWith("_")).count(), "one create, no temp");
        }
    }
}
