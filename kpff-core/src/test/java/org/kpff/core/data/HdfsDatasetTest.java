package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same dataset read from an in-process HDFS and from local files gives the same listing and tensors. */
class HdfsDatasetTest {

    private static final int S = 24;

    @TempDir
    static Path tmp;

    static MiniDFSCluster cluster;
    static Configuration conf;
    static String hdfsRoot;

    @BeforeAll
    static void startHdfs() throws Exception {
        conf = new Configuration();
        File base = new File("target/minidfs-" + HdfsDatasetTest.class.getSimpleName()).getAbsoluteFile();
        FileUtil.fullyDelete(base);
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getPath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        hdfsRoot = cluster.getFileSystem().getUri().toString();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    /** A file:// URI: the cluster made hdfs:// the default FileSystem of {@code conf}, so bare paths mean HDFS. */
    private static String local(Path path) {
        return path.toUri().toString();
    }

    @Test
    void listingAndDecodingFromHdfsEqualsLocal() throws Exception {
        DatasetListing local = SyntheticScenes.generate(local(tmp.resolve("syn")), 3, 5, 32, 11, conf);
        TestImages.write(tmp.resolve("syn/class01/README.txt"), new byte[] {'x'});
        local = SceneDataset.list(local.rootUri(), conf);
        FileSystem localFs = FileSystem.getLocal(conf);
        FileSystem hdfs = cluster.getFileSystem();
        assertTrue(FileUtil.copy(localFs, new org.apache.hadoop.fs.Path(local.rootUri()), hdfs,
                new org.apache.hadoop.fs.Path("/data/syn"), false, conf));

        DatasetListing remote = SceneDataset.list(hdfsRoot + "/data/syn", conf);
        assertTrue(remote.rootUri().startsWith("hdfs://"), remote.rootUri());
        assertTrue(remote.path(0).startsWith(remote.rootUri() + "/class00/"), remote.path(0));
        assertEquals(local.classes(), remote.classes());
        assertArrayEquals(local.labels(), remote.labels());
        assertEquals(1, remote.ignoredFiles());
        DatasetListing localListing = local;
        assertEquals(IntStream.range(0, local.size()).mapToObj(localListing::relativePath).toList(),
                IntStream.range(0, remote.size()).mapToObj(remote::relativePath).toList());
        assertEquals(StratifiedKFold.split(local, 5, 3), StratifiedKFold.split(remote, 5, 3));

        DecodedImages fromLocal = DecodedImages.decode(local, S, 2, conf);
        DecodedImages fromHdfs = ImageCache.get(remote, S, true, conf);
        assertEquals(15, fromHdfs.decodedCount());
        for (int i = 0; i < local.size(); i++) {
            assertArrayEquals(fromLocal.pixels(i), fromHdfs.pixels(i), "image " + i);
        }
        ImageBatchIterator a = ImageBatchIterator.builder(fromLocal, new int[] {0, 7, 14}).build();
        ImageBatchIterator b = ImageBatchIterator.builder(fromHdfs, new int[] {0, 7, 14}).build();
        assertEquals(a.next().getFeatures(), b.next().getFeatures());
        ImageCache.clear();
    }

    @Test
    void generatingOnHdfsWritesTheSameImagesAsLocally() {
        DatasetListing remote = SyntheticScenes.generate(hdfsRoot + "/gen", 2, 3, 16, 5, conf);
        DatasetListing local = SyntheticScenes.generate(local(tmp.resolve("gen")), 2, 3, 16, 5, conf);
        assertEquals(6, remote.size());
        DecodedImages r = DecodedImages.decode(remote, 16, 1, conf);
        DecodedImages l = DecodedImages.decode(local, 16, 1, conf);
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(l.pixels(i), r.pixels(i), "image " + i);
        }
        DatasetReport report = DatasetInspector.inspect(remote.rootUri(), conf);
        assertTrue(report.usable(), report::toText);
        assertEquals(6, report.imageCount());
    }

    @Test
    void aMissingHdfsRootIsNamed() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> SceneDataset.list(hdfsRoot + "/nothing/here", conf));
        assertEquals("Dataset root '" + hdfsRoot + "/nothing/here' does not exist; expected a folder with one "
                + "sub-folder per class, each holding the class's images (<root>/<class>/<image>.tif|.tiff|.png|"
                + ".jpg|.jpeg)", e.getMessage());
    }
}
