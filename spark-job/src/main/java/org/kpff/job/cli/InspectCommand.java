package org.kpff.job.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.kpff.core.data.DatasetInspector;
import org.kpff.core.data.DatasetReport;
import org.kpff.job.config.JobConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * {@code inspect}: classes and counts, image sizes and unreadable files of a dataset; non-zero when unusable, i.e.
 * when {@code run} with the same config (its data.folds and data.strict) would refuse it.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Lists a dataset's classes and counts, image sizes and unreadable files (decodes every image); "
                + "'Usable' says whether run with the same config (data.folds, data.strict) accepts it.")
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private java.io.PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Option(names = "--data", required = true, paramLabel = "URI",
            description = "Dataset root: a folder of class folders (file://, hdfs://, any Hadoop FileSystem).")
    String data;

    @Option(names = "--folds", paramLabel = "K",
            description = "Folds the dataset must support. Default: the config's data.folds (5 in the embedded one).")
    Integer folds;

    @Mixin
    ConfigOptions configOptions;

    @Override
    public Integer call() {
        // The config run would use decides what "usable" means: its folds and its strictness.
        JobConfig config = configOptions.load();
        int k = folds != null ? folds : config.data().folds();
        DatasetReport report = DatasetInspector.inspect(data, new Configuration(), k);
        if (config.data().strict() && !report.unreadable().isEmpty()) {
            List<String> problems = new ArrayList<>(report.problems());
            problems.add(report.unreadable().size() + " image file(s) cannot be decoded and data.strict = true: run "
                    + "refuses the dataset (remove or fix them, or set data.strict=false to skip them).");
            report = new DatasetReport(report.rootUri(), report.classCounts(), report.sizes(), report.unreadable(),
                    report.ignoredFiles(), report.warnings(), problems);
        }
        out().print(report.toText());
        if (!report.usable()) {
            err().println("error: the dataset at " + data + " is not usable (see the problems above).");
            return 1;
        }
        return 0;
    }
}
