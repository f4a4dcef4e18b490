package org.kpff.job.docs;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test that proves one row of the README's reliability table: what goes wrong and what the job does about
 * it. {@link ReadmeTest} generates the table from these annotations, so the README lists exactly the proven cases.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReliabilityCase {

    /** What goes wrong, e.g. "Executor JVM killed (SIGKILL) mid-cell". */
    String fault();

    /** What the job does, as the test asserts it. */
    String outcome();
}
