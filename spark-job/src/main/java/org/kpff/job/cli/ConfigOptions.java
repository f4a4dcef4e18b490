package org.kpff.job.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kpff.job.config.JobConfig;
import picocli.CommandLine.Option;

/** The options every command that reads a job config shares: {@code --config FILE} and {@code --set key=value}. */
final class ConfigOptions {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Job config (HOCON), e.g. conf/paper.conf or conf/smoke.conf. Default: the embedded smoke config.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a config key, e.g. --set train.epochs=10 (repeatable).")
    List<String> overrides = new ArrayList<>();

    /** Loads and validates the whole config (every error at once) before any Spark work. */
    JobConfig load() {
        return config == null ? JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, overrides)
                : JobConfig.load(config, overrides);
    }

    /** The command line of a run or search as it is recorded in run.json: the command, its options, the config. */
    List<String> argv(String command, RunFolderOptions folder) {
        List<String> a = new ArrayList<>(List.of(command, "--out", folder.out));
        if (folder.data != null) {
            a.addAll(List.of("--data", folder.data));
        }
        if (config != null) {
            a.addAll(List.of("--config", config.toString()));
        }
        overrides.forEach(o -> a.addAll(List.of("--set", o)));
        if (folder.resume) {
            a.add("--resume");
        }
        return a;
    }
}
