package org.kpff.job.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.kpff.core.data.DatasetListing;
import org.kpff.core.data.SyntheticScenes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code datagen}: writes a synthetic scene dataset (PNG, class folders) that a small CNN can learn. */
@Command(name = "datagen", mixinStandardHelpOptions = true,
        description = "Writes a synthetic scene dataset in the UC Merced layout (<out>/<class>/<image>.png).")
public final class DatagenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private java.io.PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Where to write the dataset.")
    String out;

    @Option(names = "--classes", defaultValue = "6", description = "Number of classes (default ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--per-class", defaultValue = "40", description = "Images per class (default ${DEFAULT-VALUE}).")
    int perClass;

    @Option(names = "--size", defaultValue = "64", description = "Image side in pixels (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seed", defaultValue = "7", description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        DatasetListing listing = SyntheticScenes.generate(out, classes, perClass, size, seed, new Configuration());
        out().println("Wrote " + listing.size() + " images in " + listing.classCount() + " classes to " + out);
        return 0;
    }
}
