package org.kpff.core.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.kpff.core.fs.AtomicReplace;
import org.kpff.core.fs.LocalFiles;
import org.kpff.core.fs.StoreSemantics;
import org.kpff.core.engine.ComputeEngine;
import org.kpff.core.engine.FlatViewUpdater;
import org.kpff.core.engine.OneDnnHelpers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.serde.binary.BinarySerde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one cell in a folder of any Hadoop FileSystem: {@code epoch-<e>/network.json} (the DL4J
 * configuration, with its iteration and epoch counts), {@code epoch-<e>/params.bin} and {@code epoch-<e>/updater.bin}
 * (the flat parameter and updater-state arrays in ND4J's binary array format, {@link BinarySerde}; no updater file
 * for an updater without state), {@code epoch-<e>/history.json} (the evaluations so far with their W, a JSON array
 * of {@link EpochEvaluation}; NaN as {@code "NaN"}; a checkpoint of the older {@code history.tsv} format is ignored) and
 * {@code epoch-<e>/random.json} (the training thread's generator, {@link RandomState}: {@code {"root": ..., "node":
 * ...}}; absent in checkpoints of builds before it, which then resume without it, warned), written under a temporary
 * name and moved into place, then {@code LATEST} (the epoch number) replaced ({@link AtomicReplace}). Older
 * checkpoints are removed after a newer one is in place. On {@code file://} the files are written and moved through
 * {@code java.nio} ({@link LocalFiles}): Hadoop's local file system would start 23 processes per checkpoint. On a
 * store without atomic rename ({@link StoreSemantics}: S3A, GCS) the files are written straight into
 * {@code epoch-<e>/} and {@code LATEST}, written last in one PUT, is what makes the checkpoint count: a folder newer
 * than {@code LATEST}, or any folder when {@code LATEST} is missing, is never restored there.
 *
 * <p>Not DL4J's {@code ModelSerializer} zip: that writes every float through a {@code DataOutputStream} into a
 * deflating zip, a measurable share of a cell that checkpoints every epoch (the README, Training speed, gives the
 * profile's figure); the binary arrays are written in bulk, uncompressed. {@link #load()} still reads a checkpoint
 * of the earlier {@code model.zip} format, so a run started before can resume. {@link #readModel} reads a saved
 * network for inspection.
 */
public final class HadoopCheckpoints implements Checkpoints {

    private static final Logger LOG = LoggerFactory.getLogger(HadoopCheckpoints.class);
    private static final String LATEST = "LATEST";
    private static final String HISTORY = "history.json";
    private static final String NETWORK = "network.json";
    private static final String PARAMS = "params.bin";
    private static final String UPDATER = "updater.bin";
    private static final String RANDOM = "random.json";
    /** The format before {@link #NETWORK}: DL4J's ModelSerializer zip (still read). */
    private static final String MODEL_ZIP = "model.zip";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<EpochEvaluation>> HISTORY_TYPE = new TypeReference<>() {
    };

    private final Path dir;
    private final Configuration conf;

    /**
     * @param dir  the cell's checkpoint folder (created on first save)
     * @param conf Hadoop configuration for the folder's FileSystem
     */
    public HadoopCheckpoints(String dir, Configuration conf) {
        this.dir = new Path(dir);
        this.conf = conf;
    }

    /**
     * The newest checkpoint that reads completely: the epoch {@code LATEST} names, then the other {@code epoch-<e>}
     * folders, newest first. A folder only ever appears complete (written under a temporary name, then moved), but
     * a run stopped inside a save on an older build could leave {@code LATEST} and its checksum out of step, and a
     * disk can damage a file: what cannot be read is skipped with a warning naming it, and with nothing readable
     * the cell trains from scratch (warned too) instead of failing on every attempt.
     */
    @Override
    public Optional<Restored> load() throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        if (!fs.exists(dir)) {
            return Optional.empty();
        }
        List<Integer> epochs = new ArrayList<>();
        Path latest = new Path(dir, LATEST);
        if (fs.exists(latest)) {
            try (InputStream in = fs.open(latest)) {
                epochs.add(Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()));
            } catch (IOException | NumberFormatException e) {
                LOG.warn("Checkpoint pointer {} cannot be read ({}): trying the checkpoint folders, newest first",
                        latest, e.toString());
            }
        }
        List<Integer> folders = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (st.isDirectory() && name.matches("epoch-\\d{1,9}")) {
                folders.add(Integer.parseInt(name.substring("epoch-".length())));
            }
        }
        folders.sort(Comparator.reverseOrder());
        if (!StoreSemantics.atomicRename(fs, conf)) {
            // Written in place: a folder is complete only once LATEST named it (or a later epoch), never before.
            int pointer = epochs.isEmpty() ? Integer.MIN_VALUE : epochs.get(0);
            List<Integer> untrusted = folders.stream().filter(e -> e > pointer).toList();
            if (!untrusted.isEmpty()) {
                LOG.warn("Checkpoint folders {} in {} are newer than its pointer {} ({}): a save was cut off on a "
                        + "store without atomic rename, so they are not trusted", untrusted, dir, LATEST,
                        epochs.isEmpty() ? "missing" : "epoch " + pointer);
            }
            folders.removeIf(e -> e > pointer);
        }
        for (int e : folders) {
            if (!epochs.contains(e)) {
                epochs.add(e);
            }
        }
        for (int i = 0; i < epochs.size(); i++) {
            Path folder = new Path(dir, "epoch-" + epochs.get(i));
            String next = i + 1 < epochs.size() ? "trying epoch-" + epochs.get(i + 1)
                    : "no older checkpoint, the cell trains from scratch";
            try {
                Optional<Restored> restored = read(fs, folder, epochs.get(i));
                if (restored.isPresent()) {
                    return restored;
                }
                LOG.warn("Checkpoint {} has no {} (an older format): ignoring it; {}", folder, HISTORY, next);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Checkpoint {} cannot be read ({}): {}", folder, e.toString(), next);
            }
        }
        return Optional.empty();
    }

    /** What the newest checkpoint of a cell holds, for saying what an older build's checkpoint can still do. */
    public enum Format {
        /** No checkpoint. */
        NONE,
        /** This build's: network, updater, history and generator state; resumes exactly. */
        CURRENT,
        /** Without the generator state (builds before commit 10db2a9): resumes with fresh dropout masks. */
        NO_GENERATOR_STATE,
        /** Without {@code history.json} (the first builds' {@code history.tsv}): not resumable; the network reads. */
        NO_HISTORY
    }

    /**
     * A saved network and the epoch it was saved after.
     *
     * @param epoch the epoch
     * @param model the network, to be closed by the caller
     */
    public record SavedModel(int epoch, ComputationGraph model) {
    }

    /** The format of the newest checkpoint folder ({@code epoch-<e>} with the highest e). */
    public Format latestFormat() throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        Optional<Integer> epoch = newestFolder(fs);
        if (epoch.isEmpty()) {
            return Format.NONE;
        }
        Path folder = new Path(dir, "epoch-" + epoch.get());
        if (!fs.exists(new Path(folder, HISTORY))) {
            return Format.NO_HISTORY;
        }
        return fs.exists(new Path(folder, RANDOM)) ? Format.CURRENT : Format.NO_GENERATOR_STATE;
    }

    /**
     * The newest checkpoint's network alone, in any format this or an earlier build wrote (also one without
     * {@code history.json}, which {@link #load()} cannot resume): for inspecting a trained model.
     */
    public Optional<SavedModel> latestModel() throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        Optional<Integer> epoch = newestFolder(fs);
        if (epoch.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SavedModel(epoch.get(), readModel(fs, new Path(dir, "epoch-" + epoch.get()))));
    }

    private Optional<Integer> newestFolder(FileSystem fs) throws IOException {
        if (!fs.exists(dir)) {
            return Optional.empty();
        }
        Optional<Integer> newest = Optional.empty();
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (st.isDirectory() && name.matches("epoch-\\d{1,9}")) {
                int e = Integer.parseInt(name.substring("epoch-".length()));
                if (newest.isEmpty() || e > newest.get()) {
                    newest = Optional.of(e);
                }
            }
        }
        return newest;
    }

    /** One checkpoint folder; empty for one without {@code history.json} (an older format, not resumable). */
    private static Optional<Restored> read(FileSystem fs, Path folder, int epoch) throws IOException {
        Path historyFile = new Path(folder, HISTORY);
        if (!fs.exists(historyFile)) {
            return Optional.empty();
        }
        ComputationGraph model = readModel(fs, folder);
        List<EpochEvaluation> history;
        try (InputStream in = fs.open(historyFile)) {
            history = JSON.readValue(in, HISTORY_TYPE);
        }
        RandomState random = null;
        Path randomFile = new Path(folder, RANDOM);
        if (fs.exists(randomFile)) {
            try (InputStream in = fs.open(randomFile)) {
                random = JSON.readValue(in, RandomState.class);
            }
        }
        LOG.info("Restored checkpoint of epoch {} from {}", epoch, folder);
        return Optional.of(new Restored(epoch, model, history, random));
    }

    /**
     * Reads the network (parameters and updater state) of one checkpoint folder {@code epoch-<e>}, in this format or
     * the earlier {@code model.zip}; its layers take the compute engine's helpers ({@link ComputeEngine#initialize}).
     */
    public static ComputationGraph readModel(FileSystem fs, Path folder) throws IOException {
        ComputeEngine.initialize(); // before the layers are instantiated: they pick their native helper then
        Path zip = new Path(folder, MODEL_ZIP);
        if (!fs.exists(new Path(folder, NETWORK)) && fs.exists(zip)) {
            try (InputStream in = fs.open(zip)) {
                ComputationGraph net = ModelSerializer.restoreComputationGraph(in, true);
                OneDnnHelpers.install(net);
                FlatViewUpdater.install(net); // keeps the restored updater state
                return net;
            }
        }
        String json;
        try (InputStream in = fs.open(new Path(folder, NETWORK))) {
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ComputationGraph net = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
        net.init(readArray(fs, new Path(folder, PARAMS)), true);
        OneDnnHelpers.install(net);
        FlatViewUpdater.install(net);
        Path updater = new Path(folder, UPDATER);
        if (fs.exists(updater)) {
            INDArray state = readArray(fs, updater);
            INDArray view = net.getUpdater().getStateViewArray();
            if (view == null || view.length() != state.length()) {
                throw new IOException("Checkpoint " + folder + ": " + UPDATER + " holds " + state.length()
                        + " values but the network's updater has " + (view == null ? 0 : view.length()));
            }
            view.assign(state.reshape(view.shape()));
        }
        return net;
    }

    private static INDArray readArray(FileSystem fs, Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = fs.open(file)) {
            bytes = in.readAllBytes();
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
        buf.put(bytes).flip();
        checkComplete(buf, file);
        return BinarySerde.toArray(buf);
    }

    /**
     * Writes an array in {@link BinarySerde}'s layout. Not {@code BinarySerde.writeArrayToOutputStream}: that logs a
     * failed write (an interrupted or full disk, a cancelled task) and returns as if it had written, so a checkpoint
     * could be made of a truncated file; here the failure reaches the caller and the checkpoint is not made.
     */
    private static void writeArray(INDArray array, OutputStream out) throws IOException {
        ByteBuffer buf = BinarySerde.toByteBuffer(array);
        byte[] chunk = new byte[Math.min(buf.remaining(), 1 << 16)];
        while (buf.hasRemaining()) {
            int n = Math.min(chunk.length, buf.remaining());
            buf.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /**
     * Checks that an array in {@link BinarySerde}'s layout (rank and data type as ints, the shape information as
     * longs, then the elements) holds as many bytes as its header says. BinarySerde copies the elements natively
     * without that check, so a truncated file would be read past its end and could crash the JVM.
     */
    static void checkComplete(ByteBuffer buf, Path file) throws IOException {
        long size = buf.remaining();
        if (size < 8) {
            throw new IOException(file + " is damaged: " + size + " bytes, fewer than an array header");
        }
        int rank = buf.getInt(0);
        int type = buf.getInt(4);
        if (rank < 0 || rank > 32 || type < 0 || type >= DataType.values().length) {
            throw new IOException(file + " is damaged: rank " + rank + ", data type " + type);
        }
        long header = 8 + 8L * Shape.shapeInfoLength(rank);
        if (size < header) {
            throw new IOException(file + " is truncated: " + size + " bytes, its header alone needs " + header);
        }
        DataType dataType = DataType.values()[type];
        if (dataType == DataType.COMPRESSED) {
            return; // not written by this class; BinarySerde reads its own length field
        }
        long elements = 1;
        for (int i = 1; i <= rank; i++) {
            long dim = buf.getLong(8 + 8 * i);
            if (dim < 0) {
                throw new IOException(file + " is damaged: dimension " + i + " is " + dim);
            }
            elements = Math.multiplyExact(elements, dim);
        }
        long needed = header + elements * dataType.width();
        if (size < needed) {
            throw new IOException(file + " is truncated: " + size + " bytes, its header says " + needed);
        }
    }

    @Override
    public void save(int epoch, ComputationGraph model, List<EpochEvaluation> history, RandomState random)
            throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        CheckpointFolder folder = CheckpointFolder.of(fs, dir, conf);
        // Without atomic rename the files go straight to their final folder; LATEST, written last, vouches for it.
        boolean inPlace = !StoreSemantics.atomicRename(fs, conf);
        String tmp = inPlace ? "epoch-" + epoch : "_tmp-epoch-" + epoch;
        folder.recreate(tmp);
        try (OutputStream out = folder.create(tmp + "/" + NETWORK)) {
            out.write(model.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
        }
        try (OutputStream out = folder.create(tmp + "/" + PARAMS)) {
            writeArray(model.params(), out);
        }
        INDArray state = model.getUpdater() == null ? null : model.getUpdater().getStateViewArray();
        if (state != null && state.length() > 0) {
            try (OutputStream out = folder.create(tmp + "/" + UPDATER)) {
                writeArray(state, out);
            }
        }
        try (OutputStream out = folder.create(tmp + "/" + HISTORY)) {
            JSON.writeValue(out, history);
        }
        try (OutputStream out = folder.create(tmp + "/" + RANDOM)) {
            JSON.writeValue(out, Objects.requireNonNull(random, "random"));
        }
        if (inPlace) {
            StoreSemantics.writeFile(new Path(dir, LATEST), Integer.toString(epoch).getBytes(StandardCharsets.UTF_8),
                    conf);
        } else {
            folder.replace(tmp, "epoch-" + epoch);
            String latestTmp = "_" + LATEST + ".tmp";
            try (OutputStream out = folder.create(latestTmp)) {
                out.write(Integer.toString(epoch).getBytes(StandardCharsets.UTF_8));
            }
            folder.replace(latestTmp, LATEST);
        }
        for (String name : folder.list()) {
            if (name.startsWith("epoch-") && !name.equals("epoch-" + epoch)) {
                folder.delete(name);
            }
        }
    }
}
