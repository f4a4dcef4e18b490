package org.kpff.job.cli;

import org.kpff.job.config.JobConfig;
import picocli.CommandLine.Option;

/** The options of the commands that train into a run folder ({@code run}, {@code search}): data, out, resume. */
final class RunFolderOptions {

    @Option(names = "--data", paramLabel = "URI",
            description = "Dataset root: a folder of class folders (file://, hdfs://, ...). Default: the config's "
                    + "data.uri; submit/local.sh passes data/synthetic (generated on first use) when --data is not given.")
    String data;

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Run output folder.")
    String out;

    @Option(names = "--resume", description = "Continue the run in --out: cells already committed are not trained "
            + "again (a search replays them and must reach the same decisions).")
    boolean resume;

    /** The dataset root: {@code --data}, else the config's {@code data.uri}. */
    String dataUri(JobConfig config) {
        return data != null ? data : config.requireDataUri();
    }
}
