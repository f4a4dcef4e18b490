package org.kpff.core.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.kpff.core.engine.ComputeEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one cell in a folder of any Hadoop FileSystem: {@code epoch-<e>/model.zip} (network and updater)
 * and {@code epoch-<e>/history.tsv} (epoch, train loss, val loss, val accuracy, seconds and, since W is recorded,
 * W comma-separated or {@code -}; older five-column files still load), written under a temporary name and renamed into place, then {@code LATEST}
 * (the epoch number) replaced by rename. Older checkpoints are removed after a newer one is in place.
 */
public final class HadoopCheckpoints implements Checkpoints {

    private static final Logger LOG = LoggerFactory.getLogger(HadoopCheckpoints.class);
    private static final String LATEST = "LATEST";
    /** The history.tsv value of an evaluation without a fusion matrix. */
    private static final String NO_W = "-";

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
        ComputationGraph model;
        ComputeEngine.initialize(); // before the layers are instantiated: they pick their native helper then
        try (InputStream in = fs.open(new Path(folder, "model.zip"))) {
            model = ModelSerializer.restoreComputationGraph(in, true);
        }
        List<Evaluation> history = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(new Path(folder, "history.tsv")),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                history.add(new Evaluation(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), f.length > 5 ? parseW(f[5]) : null));
            }
        }
        LOG.info("Restored checkpoint of epoch {} from {}", epoch, folder);
        return Optional.of(new Restored(epoch, model, history));
    }

    /** W as comma-separated values, or {@value #NO_W} without one. */
    private static String formatW(List<Double> w) {
        if (w == null) {
            return NO_W;
        }
        StringBuilder sb = new StringBuilder();
        for (double v : w) {
            sb.append(sb.length() == 0 ? "" : ",").append(v);
        }
        return sb.toString();
    }

    private static List<Double> parseW(String text) {
        if (text.equals(NO_W)) {
            return null;
        }
        List<Double> w = new ArrayList<>();
        for (String v : text.split(",")) {
            w.add(Double.parseDouble(v));
        }
        return w;
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
        StringBuilder sb = new StringBuilder();
        for (Evaluation e : history) {
            sb.append(e.epoch()).append('\t').append(e.trainLoss()).append('\t').append(e.valLoss()).append('\t')
                    .append(e.valAccuracy()).append('\t').append(e.seconds()).append('\t').append(formatW(e.fusionW()))
                    .append('\n');
        }
        try (OutputStream out = fs.create(new Path(tmp, "history.tsv"), true)) {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        Path folder = new Path(dir, "epoch-" + epoch);
        fs.delete(folder, true);
        if (!fs.rename(tmp, folder)) {
            throw new IOException("Could not rename checkpoint " + tmp + " to " + folder);
        }
        Path latestTmp = new Path(dir, "_" + LATEST + ".tmp");
        try (FSDataOutputStream out = fs.create(latestTmp, true)) {
            out.write(Integer.toString(epoch).getBytes(StandardCharsets.UTF_8));
        }
        Path latest = new Path(dir, LATEST);
        fs.delete(latest, false);
        if (!fs.rename(latestTmp, latest)) {
            throw new IOException("Could not rename " + latestTmp + " to " + latest);
        }
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (name.startsWith("epoch-") && !name.equals("epoch-" + epoch)) {
                fs.delete(st.getPath(), true);
            }
        }
    }
}
