package org.kpff.job.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.kpff.core.data.DatasetInspector;
import org.kpff.core.data.DatasetReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code inspect}: classes and counts, image sizes and unreadable files of a dataset; non-zero when unusable. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Lists a dataset's classes and counts, image sizes and unreadable files (decodes every image).")
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

    @Option(names = "--folds", defaultValue = "5", description = "Folds the dataset must support (default ${DEFAULT-VALUE}).")
    int folds;

    @Override
    public Integer call() {
        DatasetReport report = DatasetInspector.inspect(data, new Configuration(), folds);
        out().print(report.toText());
        if (!report.usable()) {
            err().println("error: the dataset at " + data + " is not usable (see the problems above).");
            return 1;
        }
        return 0;
    }
}
