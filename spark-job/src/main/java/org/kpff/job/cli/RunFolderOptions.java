package org.kpff.job.cli;

import org.apache.hadoop.conf.Configuration;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.job.config.JobConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The options of the commands that train into a run folder ({@code run}, {@code search}): data, out, resume. */
final class RunFolderOptions {

    private static final Logger LOG = LoggerFactory.getLogger(RunFolderOptions.class);

    @Option(names = "--data", paramLabel = "URI",
            description = "Dataset root: a folder of class folders (file://, hdfs://, ...). Default: the config's "
                    + "data.uri; with neither, the synthetic dataset of --synthetic-data.")
    String data;

    @Option(names = "--synthetic-data", paramLabel = "DIR",
            description = "Where a synthetic scene dataset is generated (on first use) and trained on when neither "
                    + "--data nor the config's data.uri names a dataset (submit/local.sh passes data/synthetic, "
                    + "KPFF_DATA_DIR).")
    String syntheticData;

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Run output folder.")
    String out;

    @Option(names = "--resume", description = "Continue the run in --out: cells already committed are not trained "
            + "again (a search replays them and must reach the same decisions; with a larger search.trials it is "
            + "extended).")
    boolean resume;

    /** The synthetic dataset local.sh generates: 6 classes × 40 images of 64×64, seed 7. */
    static final int SYNTHETIC_CLASSES = 6;
    static final int SYNTHETIC_PER_CLASS = 40;
    static final int SYNTHETIC_SIZE = 64;
    static final long SYNTHETIC_SEED = 7;

    /**
     * The dataset root: {@code --data}, else the config's {@code data.uri}, else the synthetic dataset of {@code
     * --synthetic-data} (generated here when missing); logs one line saying which and why. Call it after the config
     * is validated: generating the synthetic dataset takes seconds.
     */
    String dataUri(JobConfig config) {
        if (data != null) {
            LOG.info("Dataset: {} (--data)", data);
            return data;
        }
        if (!config.data().uri().isBlank() || syntheticData == null) {
            String uri = config.requireDataUri();
            LOG.info("Dataset: {} (the config's data.uri; --data overrides it)", uri);
            return uri;
        }
        java.nio.file.Path dir = java.nio.file.Path.of(syntheticData);
        if (!java.nio.file.Files.isDirectory(dir)) {
            LOG.info("Generating a synthetic scene dataset ({} classes × {} images, {}×{} px) in {} ...",
                    SYNTHETIC_CLASSES, SYNTHETIC_PER_CLASS, SYNTHETIC_SIZE, SYNTHETIC_SIZE, dir);
            SyntheticScenes.generate(dir.toString(), SYNTHETIC_CLASSES, SYNTHETIC_PER_CLASS, SYNTHETIC_SIZE,
                    SYNTHETIC_SEED, new Configuration());
        }
        LOG.info("Dataset: {}, generated synthetic scenes (neither --data nor the config's data.uri names a "
                + "dataset)", dir);
        return dir.toString();
    }
}
