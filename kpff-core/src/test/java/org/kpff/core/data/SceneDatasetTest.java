package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kpff.core.data.TestImages.CONF;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.security.AccessControlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Listing: order, labels, ignored files, and a clear message for every malformed dataset. */
class SceneDatasetTest {

    private static final byte[] PNG = TestImages.encode(TestImages.solid(4, 4, 1, 2, 3), "png");
    private static final byte[] TEXT = "not an image".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    @Test
    void listsClassesSortedAndImagesByClassThenName() throws IOException {
        Path root = tmp.resolve("ds");
        // Written out of order, with every extension and case, hidden entries and non-images.
        TestImages.write(root.resolve("water/z.TIFF"), PNG);
        TestImages.write(root.resolve("water/a.jpeg"), PNG);
        TestImages.write(root.resolve("field/m.png"), PNG);
        TestImages.write(root.resolve("field/B.PNG"), PNG);
        TestImages.write(root.resolve("field/k.jpg"), PNG);
        TestImages.write(root.resolve("field/notes.txt"), TEXT);
        TestImages.write(root.resolve("field/.DS_Store"), TEXT);
        TestImages.write(root.resolve("field/nested/x.png"), PNG);
        TestImages.write(root.resolve("road/r1.tif"), PNG);
        TestImages.write(root.resolve("README.md"), TEXT);
        TestImages.write(root.resolve("_tmp/ignored.png"), PNG);
        TestImages.write(root.resolve(".hidden/ignored.png"), PNG);

        DatasetListing listing = SceneDataset.list(root.toUri().toString(), CONF);

        assertEquals(List.of("field", "road", "water"), listing.classes());
        assertEquals(List.of("field/B.PNG", "field/k.jpg", "field/m.png", "road/r1.tif", "water/a.jpeg",
                "water/z.TIFF"), IntStream.range(0, listing.size()).mapToObj(listing::relativePath).toList());
        assertArrayEquals(new int[] {0, 0, 0, 1, 2, 2}, listing.labels());
        assertArrayEquals(new int[] {3, 1, 2}, listing.classCounts());
        // notes.txt, nested/ and README.md; hidden entries are not counted.
        assertEquals(3, listing.ignoredFiles());
        assertEquals("file:" + root.toAbsolutePath(), listing.rootUri());
        assertEquals(listing.rootUri() + "/field/B.PNG", listing.path(0));
        assertEquals("B.PNG", listing.image(0).fileName());
    }

    @Test
    void listingIsStableSerializableAndFingerprinted() throws Exception {
        Path root = TestImages.dataset(tmp.resolve("ds"), 3, 4, 8, 8);
        DatasetListing first = SceneDataset.list(root.toString(), CONF);
        DatasetListing again = SceneDataset.list(root.toUri().toString(), CONF);
        assertEquals(first, again);
        assertEquals(first.fingerprint(), again.fingerprint());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(first);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            DatasetListing copy = (DatasetListing) in.readObject();
            assertEquals(first, copy);
            assertEquals(first.fingerprint(), copy.fingerprint());
        }

        TestImages.write(root.resolve("c1/i99.png"), PNG);
        DatasetListing grown = SceneDataset.list(root.toString(), CONF);
        assertEquals(13, grown.size());
        assertNotEquals(first.fingerprint(), grown.fingerprint());
    }

    /** Makes a malformed dataset under the temp folder and returns the URI to list. */
    interface Setup {
        String make(Path tmp) throws IOException;
    }

    static Stream<Arguments> badDatasets() {
        return Stream.of(
                Arguments.of("missing root", (Setup) t -> t.resolve("nope").toUri().toString(),
                        List.of("/nope' does not exist", "one sub-folder per class")),
                Arguments.of("root is a file", (Setup) t -> TestImages.write(t.resolve("f.png"), PNG).toString(),
                        List.of("/f.png' is a file, not a folder")),
                Arguments.of("empty class folder", (Setup) t -> {
                    TestImages.write(t.resolve("ds/a/1.png"), PNG);
                    Files.createDirectories(t.resolve("ds/b"));
                    TestImages.write(t.resolve("ds/c/notes.txt"), TEXT);
                    return t.resolve("ds").toString();
                }, List.of("Class folder 'file:" + "%TMP%/ds/b' has no images", "'file:%TMP%/ds/c' has no images",
                        ".tif, .tiff, .png, .jpg or .jpeg")),
                Arguments.of("single class", (Setup) t -> {
                    TestImages.write(t.resolve("ds/only/1.png"), PNG);
                    return t.resolve("ds").toString();
                }, List.of("ds' has a single class folder ('only')", "at least 2 classes")),
                Arguments.of("no class folders", (Setup) t -> {
                    TestImages.write(t.resolve("ds/1.png"), PNG);
                    return t.resolve("ds").toString();
                }, List.of("ds' has no class folders")),
                Arguments.of("official zip layout", (Setup) t -> {
                    TestImages.write(t.resolve("UCM/Images/a/1.png"), PNG);
                    TestImages.write(t.resolve("UCM/Images/b/1.png"), PNG);
                    return t.resolve("UCM").toString();
                }, List.of("UCM/Images' has no images", "use 'file:%TMP%/UCM/Images' as the dataset root")),
                Arguments.of("unknown scheme", (Setup) t -> "foo://x/data",
                        List.of("'foo://x/data' has scheme 'foo'", "no Hadoop FileSystem is available")),
                Arguments.of("blank URI", (Setup) t -> "  ", List.of("Dataset URI is empty")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDatasets")
    void malformedDatasetsFailWithAClearMessage(String name, Setup setup, List<String> expected) throws IOException {
        String uri = setup.make(tmp);
        DatasetException e = assertThrows(DatasetException.class, () -> SceneDataset.list(uri, CONF));
        for (String fragment : expected) {
            String want = fragment.replace("%TMP%", tmp.toAbsolutePath().toString());
            assertTrue(e.getMessage().contains(want), () -> "message lacks '" + want + "': " + e.getMessage());
        }
    }

    /** Local files under the scheme {@code deny:}: no status of {@code locked}, no listing of {@code sealed}. */
    public static class DenyingFileSystem extends RawLocalFileSystem {
        @Override
        public URI getUri() {
            return URI.create("deny:///");
        }

        @Override
        public String getScheme() {
            return "deny";
        }

        private static void check(org.apache.hadoop.fs.Path p, String denied) throws AccessControlException {
            if (p.getName().equals(denied)) {
                throw new AccessControlException("Permission denied: user=alice, access=READ_EXECUTE, inode=" + p);
            }
        }

        @Override
        public FileStatus getFileStatus(org.apache.hadoop.fs.Path p) throws IOException {
            check(p, "locked");
            return super.getFileStatus(p);
        }

        @Override
        public FileStatus[] listStatus(org.apache.hadoop.fs.Path p) throws IOException {
            check(p, "sealed");
            return super.listStatus(p);
        }
    }

    @Test
    void unreadableRootsAndClassFoldersAreNamed() {
        Configuration conf = new Configuration(CONF);
        conf.set("fs.deny.impl", DenyingFileSystem.class.getName());
        conf.setBoolean("fs.deny.impl.disable.cache", true);
        TestImages.write(tmp.resolve("locked/a/1.png"), PNG);
        TestImages.write(tmp.resolve("ds/a/1.png"), PNG);
        TestImages.write(tmp.resolve("ds/sealed/1.png"), PNG);

        DatasetException root = assertThrows(DatasetException.class,
                () -> SceneDataset.list("deny://" + tmp.resolve("locked").toAbsolutePath(), conf));
        assertTrue(root.getMessage().startsWith("Cannot read dataset root 'deny:" + tmp.toAbsolutePath()
                + "/locked': Permission denied: user=alice"), root.getMessage());
        DatasetException cls = assertThrows(DatasetException.class,
                () -> SceneDataset.list("deny://" + tmp.resolve("ds").toAbsolutePath(), conf));
        assertTrue(cls.getMessage().startsWith("Cannot list class folder 'deny:" + tmp.toAbsolutePath()
                + "/ds/sealed': Permission denied"), cls.getMessage());
    }

    @Test
    void imageExtensionsAreCaseInsensitive() {
        assertTrue(SceneDataset.isImageFile("a.TIF"));
        assertTrue(SceneDataset.isImageFile("a.b.jpeg"));
        assertEquals(false, SceneDataset.isImageFile("tif"));
        assertEquals(false, SceneDataset.isImageFile("a.gif"));
        assertEquals(false, SceneDataset.isImageFile("a.png.txt"));
    }
}
