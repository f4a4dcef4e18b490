package org.kpff.core.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.kpff.core.fs.AtomicReplace;
import org.kpff.core.engine.ComputeEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one cell in a folder of any Hadoop FileSystem: {@code epoch-<e>/model.zip} (network and updater)
 * and {@code epoch-<e>/history.json} (the evaluations so far with their W, a JSON array of {@link Evaluation};
 * NaN as {@code "NaN"}; a checkpoint of the older {@code history.tsv} format is ignored), written under a temporary
 * name and moved into place, then {@code LATEST} (the epoch number) replaced ({@link AtomicReplace}). Older checkpoints are removed after a newer one is in place.
 */
public final class HadoopCheckpoints implements Checkpoints {

    private static final Logger LOG = LoggerFactory.getLogger(HadoopCheckpoints.class);
    private static final String LATEST = "LATEST";
    private static final String HISTORY = "history.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Evaluation>> HISTORY_TYPE = new TypeReference<>() {
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

    @Override
    public Optional<Restored> load() throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        Path latest = new Path(dir, LATEST);
        if (!fs.exists(latest)) {
            return Optional.empty();
        }
        int epoch;
        try (InputStream in = fs.open(latest)) {
            epoch = Integer.parseInt(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
        Path folder = new Path(dir, "epoch-" + epoch);
        Path historyFile = new Path(folder, HISTORY);
        if (!fs.exists(historyFile)) {
            // A checkpoint written before the history was JSON (history.tsv): not resumable, so the cell trains
            // from scratch, as it would without a checkpoint.
            LOG.warn("Checkpoint {} has no {} (an older format): ignoring it, the cell trains from scratch", folder,
                    HISTORY);
            return Optional.empty();
        }
        ComputationGraph model;
        ComputeEngine.initialize(); // before the layers are instantiated: they pick their native helper then
        try (InputStream in = fs.open(new Path(folder, "model.zip"))) {
            model = ComputeEngine.prepare(ModelSerializer.restoreComputationGraph(in, true));
        }
        List<Evaluation> history;
        try (InputStream in = fs.open(historyFile)) {
            history = JSON.readValue(in, HISTORY_TYPE);
        }
        LOG.info("Restored checkpoint of epoch {} from {}", epoch, folder);
        return Optional.of(new Restored(epoch, model, history));
    }

    @Override
    public void save(int epoch, ComputationGraph model, List<Evaluation> history) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        fs.mkdirs(dir);
        Path tmp = new Path(dir, "_tmp-epoch-" + epoch);
        fs.delete(tmp, true);
        fs.mkdirs(tmp);
        try (OutputStream out = fs.create(new Path(tmp, "model.zip"), true)) {
            ModelSerializer.writeModel(model, out, true);
        }
        try (OutputStream out = fs.create(new Path(tmp, HISTORY), true)) {
            JSON.writeValue(out, history);
        }
        Path folder = new Path(dir, "epoch-" + epoch);
        AtomicReplace.replace(tmp, folder, conf);
        Path latestTmp = new Path(dir, "_" + LATEST + ".tmp");
        try (FSDataOutputStream out = fs.create(latestTmp, true)) {
            out.write(Integer.toString(epoch).getBytes(StandardCharsets.UTF_8));
        }
        AtomicReplace.replace(latestTmp, new Path(dir, LATEST), conf);
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (name.startsWith("epoch-") && !name.equals("epoch-" + epoch)) {
                fs.delete(st.getPath(), true);
            }
        }
    }
}
