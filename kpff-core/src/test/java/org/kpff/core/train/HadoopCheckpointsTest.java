package org.kpff.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.io.nativeio.NativeIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.CellSpec;
import org.kpff.core.model.ModelFactory;
import org.kpff.core.testing.TestData;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.serde.binary.BinarySerde;

/** The checkpoint format: a saved network comes back with the same parameters, Adam state and step counters. */
class HadoopCheckpointsTest {

    private static final CellSpec SPEC = new CellSpec("alexnet", FusionMethod.KPFF, 3, 32, 0.125, 16,
            FusionInit.IDENTITY, true, 0.0, 1e-3, 5e-4, 8, 1, 1, 5L);

    private static final RandomState STATE = new RandomState(1, 2);

    private static DataSet batch(long seed) {
        return TestData.randomBatch(seed, 8, 3, 32);
    }

    @Test
    void aSavedNetworkTrainsOnExactlyAsTheOriginal(@TempDir Path dir) throws Exception {
        ComputationGraph net = ModelFactory.create(SPEC);
        net.fit(batch(1));
        net.fit(batch(2));
        HadoopCheckpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        List<EpochEvaluation> history = List.of(new EpochEvaluation(1, 1.0, 1.1, 0.5, 2.0));
        RandomState random = new RandomState(-7_423_911_230_005L, 123_456_789_012L);
        store.save(1, net, history, random);
        assertTrue(Files.exists(dir.resolve("epoch-1").resolve("params.bin")));
        assertFalse(Files.exists(dir.resolve("epoch-1").resolve("model.zip")), "not DL4J's deflated zip");

        Checkpoints.Restored back = store.load().orElseThrow();
        ComputationGraph restored = back.model();
        assertEquals(1, back.epoch());
        assertEquals(history, back.history());
        assertEquals(random, back.random(), "the generator's state, exactly");
        assertEquals(net.params(), restored.params(), "parameters, bit for bit");
        INDArray state = net.getUpdater().getStateViewArray();
        assertTrue(state.amaxNumber().doubleValue() > 0, "Adam's moments are non-zero after two steps");
        assertEquals(state, restored.getUpdater().getStateViewArray(), "Adam state, bit for bit");
        assertEquals(2, restored.getConfiguration().getIterationCount(), "Adam's step count (bias correction)");
        assertEquals(net.getConfiguration().toJson(), restored.getConfiguration().toJson());

        // One more step on the same batch: the two networks stay equal (oneDNN is deterministic for one thread
        // count; allow float32 rounding anyway).
        net.fit(batch(3));
        restored.fit(batch(3));
        double diff = net.params().sub(restored.params()).amaxNumber().doubleValue();
        assertTrue(diff <= 1e-6, "after one more step the restored network differs by " + diff);
        net.close();
        restored.close();
    }

    @Test
    void aCheckpointOfTheEarlierModelZipFormatStillResumes(@TempDir Path dir) throws Exception {
        ComputationGraph net = ModelFactory.create(SPEC);
        net.fit(batch(1));
        Path folder = Files.createDirectories(dir.resolve("epoch-3"));
        try (OutputStream out = Files.newOutputStream(folder.resolve("model.zip"))) {
            ModelSerializer.writeModel(net, out, true);
        }
        Files.writeString(folder.resolve("history.json"), "[]");
        Files.writeString(dir.resolve("LATEST"), "3");
        Checkpoints.Restored back = new HadoopCheckpoints(dir.toUri().toString(), new Configuration()).load()
                .orElseThrow();
        assertEquals(3, back.epoch());
        assertNull(back.random(), "that format kept no generator state");
        assertEquals(net.params(), back.model().params());
        assertEquals(net.getUpdater().getStateViewArray(), back.model().getUpdater().getStateViewArray());
        net.close();
        back.model().close();
    }

    /** Processes this thread started while {@code work} ran (JFR's jdk.ProcessStart, read back from a dump). */
    private static List<String> processesStartedBy(Executable work, Path scratch) throws Throwable {
        long thread = Thread.currentThread().getId();
        Path dump = scratch.resolve("processes-" + System.nanoTime() + ".jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ProcessStart").withStackTrace();
            r.start();
            work.execute();
            r.stop();
            r.dump(dump);
        }
        return RecordingFile.readAllEvents(dump).stream()
                .filter(e -> e.getThread() != null && e.getThread().getJavaThreadId() == thread)
                .map((RecordedEvent e) -> e.getString("command")).toList();
    }

    @Test
    void localCheckpointsStartNoProcessAndLeaveNoChecksumFiles(@TempDir Path dir, @TempDir Path scratch)
            throws Throwable {
        ComputationGraph net = ModelFactory.create(SPEC);
        net.fit(batch(1));
        HadoopCheckpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        // class loading and Hadoop's one-off shell probe happen outside the recording
        store.save(1, net, List.of(), STATE);
        List<String> started = processesStartedBy(() -> {
            for (int e = 2; e <= 4; e++) {
                store.save(e, net, List.of(new EpochEvaluation(e, 1.0, 1.0, 0.5, 2.0)), STATE);
            }
            assertEquals(4, store.load().orElseThrow().epoch());
        }, scratch);
        assertEquals(List.of(), started, "processes started by three checkpoints and a restore on file://");
        try (Stream<Path> all = Files.walk(dir)) {
            assertEquals(List.of("LATEST", "epoch-4", "epoch-4/history.json", "epoch-4/network.json",
                    "epoch-4/params.bin", "epoch-4/random.json", "epoch-4/updater.bin"),
                    all.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList(),
                    "one checkpoint, no .crc side files, no temporaries");
        }

        // The recording does see the processes Hadoop's own local file system starts (without its native library):
        // one file created through it.
        assumeFalse(NativeIO.isAvailable(), "Hadoop's native library is loaded: its local file system forks nothing");
        FileSystem local = FileSystem.getLocal(new Configuration());
        List<String> hadoop = processesStartedBy(() -> {
            try (OutputStream out = local.create(new org.apache.hadoop.fs.Path(scratch.toUri().toString(), "x"))) {
                out.write(1);
            }
        }, scratch);
        assertFalse(hadoop.isEmpty(), "Hadoop's local file system started no process for a created file");
        net.close();
    }

    @Test
    void aLatestFileWrittenThroughHadoopIsReplacedWithItsChecksum(@TempDir Path dir) throws Exception {
        // A checkpoint folder written by an earlier build went through Hadoop's checksummed local file system:
        // LATEST has a .LATEST.crc. A later save must not leave it behind, or Hadoop's reader would check the new
        // LATEST against the old checksum and fail.
        ComputationGraph net = ModelFactory.create(SPEC);
        HadoopCheckpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        store.save(1, net, List.of(), STATE);
        FileSystem local = FileSystem.getLocal(new Configuration());
        try (OutputStream out = local.create(new org.apache.hadoop.fs.Path(dir.resolve("LATEST").toUri()), true)) {
            out.write("1".getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(Files.exists(dir.resolve(".LATEST.crc")), "Hadoop wrote its checksum side file");
        store.save(2, net, List.of(), STATE);
        assertFalse(Files.exists(dir.resolve(".LATEST.crc")), "the stale checksum is gone");
        assertEquals(2, store.load().orElseThrow().epoch());
        net.close();
    }

    /** Copies a checkpoint folder (its files only) so that a test can put it back after a later save removed it. */
    private static void copyFolder(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void aPointerOutOfStepWithItsChecksumFallsBackToTheNewestFolder(@TempDir Path dir, @TempDir Path aside)
            throws Exception {
        // The state a run stopped (SIGTERM) inside a save on Hadoop's local file system left on 2026-11-26: LATEST
        // says 34, its .crc is still that of "32", both folders present. Loading it failed every retry
        // (ChecksumException), so the cell could never resume.
        ComputationGraph net = ModelFactory.create(SPEC);
        net.fit(batch(1));
        HadoopCheckpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        store.save(1, net, List.of(), STATE);
        copyFolder(dir.resolve("epoch-1"), aside.resolve("epoch-1"));
        net.fit(batch(2));
        store.save(2, net, List.of(new EpochEvaluation(2, 1.0, 1.0, 0.5, 2.0)), STATE);
        copyFolder(aside.resolve("epoch-1"), dir.resolve("epoch-1"));
        FileSystem local = FileSystem.getLocal(new Configuration());
        try (OutputStream out = local.create(new org.apache.hadoop.fs.Path(dir.resolve("LATEST").toUri()), true)) {
            out.write("1".getBytes(StandardCharsets.UTF_8));
        }
        Files.writeString(dir.resolve("LATEST"), "2"); // the bytes moved, the checksum did not

        Checkpoints.Restored back = store.load().orElseThrow();
        assertEquals(2, back.epoch(), "the newest complete folder");
        assertEquals(net.params(), back.model().params());
        back.model().close();
        net.close();
    }

    @Test
    void aDamagedCheckpointFallsBackToAnOlderOneAndNothingReadableToScratch(@TempDir Path dir, @TempDir Path aside)
            throws Exception {
        ComputationGraph net = ModelFactory.create(SPEC);
        net.fit(batch(1));
        INDArray afterOne = net.params().dup();
        HadoopCheckpoints store = new HadoopCheckpoints(dir.toUri().toString(), new Configuration());
        store.save(1, net, List.of(), STATE);
        copyFolder(dir.resolve("epoch-1"), aside.resolve("epoch-1"));
        net.fit(batch(2));
        store.save(2, net, List.of(), STATE);
        copyFolder(aside.resolve("epoch-1"), dir.resolve("epoch-1"));
        Path params = dir.resolve("epoch-2").resolve("params.bin");
        byte[] bytes = Files.readAllBytes(params);
        Files.write(params, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // a truncated file

        Checkpoints.Restored back = store.load().orElseThrow();
        assertEquals(1, back.epoch(), "LATEST names epoch 2, which cannot be read");
        assertEquals(afterOne, back.model().params());
        back.model().close();

        Path params1 = dir.resolve("epoch-1").resolve("params.bin");
        Files.write(params1, new byte[] {1, 2, 3});
        assertTrue(store.load().isEmpty(), "no readable checkpoint: the cell trains from scratch");
        Files.writeString(dir.resolve("LATEST"), "not a number");
        assertTrue(store.load().isEmpty());
        net.close();
    }

    @Test
    void anArrayFileShorterThanItsHeaderSaysIsRefusedBeforeItIsCopied() throws Exception {
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 5);
        ByteBuffer whole = BinarySerde.toByteBuffer(a);
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path("params.bin");
        HadoopCheckpoints.checkComplete(whole.duplicate().order(ByteOrder.nativeOrder()), file);
        for (int cut : new int[] {whole.capacity() - 4, whole.capacity() / 2, 12, 3}) {
            ByteBuffer part = whole.duplicate().order(ByteOrder.nativeOrder());
            part.limit(cut);
            IOException e = assertThrows(IOException.class,
                    () -> HadoopCheckpoints.checkComplete(part, file));
            assertTrue(e.getMessage().startsWith("params.bin is "), e.getMessage());
        }
    }
}
