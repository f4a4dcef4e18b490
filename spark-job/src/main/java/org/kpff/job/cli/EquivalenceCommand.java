package org.kpff.job.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.kpff.job.driver.EquivalenceCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code equivalence}: checks KPFF ≡ reparameterised Concat on a run's KPFF cells and writes equivalence.md. */
@Command(name = "equivalence", mixinStandardHelpOptions = true,
        description = "Folds each KPFF cell's final W into its classifier (a Concat network with classifier "
                + "V (W kron I_r)), checks identical predictions on the held-out fold and reports the largest "
                + "probability difference; writes equivalence.md into the run folder. Exit 1 if any prediction "
                + "differs or no cell could be checked.")
public final class EquivalenceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "URI", description = "Run output folder.")
    String out;

    @Option(names = "--data", paramLabel = "URI",
            description = "Dataset, if it moved since the run (default: the one in run.json; it must be the same).")
    String data;

    @Override
    public Integer call() throws Exception {
        EquivalenceCheck.Report report = EquivalenceCheck.run(out, data, new Configuration());
        spec.commandLine().getOut().print(report.markdown());
        return report.allIdentical() ? 0 : 1;
    }
}
