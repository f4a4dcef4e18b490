package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Spark's redaction rule applied to the command line and texts the driver writes. */
class RedactionTest {

    static final String SECRET = "Sekr3t/Value+x";
    final Redaction spark = new Redaction(Pattern.compile(Redaction.DEFAULT_REGEX));

    @Test
    void credentialValuesAreMaskedKeysKept() {
        List<String> argv = List.of("run", "--out", "s3a://bucket/runs/x", "--conf",
                "spark.hadoop.fs.s3a.secret.key=" + SECRET, "--conf=spark.hadoop.fs.s3a.access.key=AKIA123",
                "-Dspark.hadoop.fs.s3a.session.token=" + SECRET, "--set", "data.uri=hdfs://me:" + SECRET + "@nn/d",
                "--data", "ftp://user:" + SECRET + "@host/d", "--set", "train.epochs=3", "spark.app.name=kpff");
        assertEquals(List.of("run", "--out", "s3a://bucket/runs/x", "--conf",
                "spark.hadoop.fs.s3a.secret.key=*********(redacted)", "--conf=spark.hadoop.fs.s3a.access.key="
                        + "*********(redacted)", "-Dspark.hadoop.fs.s3a.session.token=*********(redacted)", "--set",
                "data.uri=hdfs://me:*********(redacted)@nn/d", "--data", "ftp://user:*********(redacted)@host/d",
                "--set", "train.epochs=3", "spark.app.name=kpff"), spark.argv(argv));
    }

    @Test
    void aValueThatLooksLikeACredentialIsMaskedToo() {
        assertEquals("spark.foo=*********(redacted)", spark.keyValue("spark.foo=my-password-1"));
        assertEquals("spark.foo=bar", spark.keyValue("spark.foo=bar"));
        assertEquals("data { uri = \"s3a://k:*********(redacted)@b/x\" }",
                Redaction.text("data { uri = \"s3a://k:" + SECRET + "@b/x\" }"));
        assertEquals("hdfs://nn:8020/x", Redaction.text("hdfs://nn:8020/x"), "a port is no password");
    }

    @Test
    void theSessionsOwnRegexApplies() {
        Redaction custom = new Redaction(Pattern.compile("(?i)colour"));
        assertEquals(List.of("--conf", "spark.colour=*********(redacted)", "--conf", "spark.secret=plain"),
                custom.argv(List.of("--conf", "spark.colour=red", "--conf", "spark.secret=plain")));
    }
}
