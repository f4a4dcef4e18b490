package org.kpff.job.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * An S3-compatible server inside the test JVM: S3Proxy over jclouds' in-memory {@code transient} blob store, on a
 * free port of 127.0.0.1, with one bucket. S3Proxy's self-contained jar ({@code target/s3proxy/s3proxy.jar}, copied
 * there by Maven) runs in a class loader of its own, whose parent is the platform loader: its Gson 2.11, Guice and
 * Jetty 11 never meet DL4J's Gson 2.8 or Spark's libraries. Hadoop caches one FileSystem per bucket and JVM, so each
 * test class names its own bucket (a cached client would still point at an earlier class's stopped server). The server counts the blob-store operations the S3
 * requests turn into, by name, so a test can say what a step costs on the server's side.
 */
public final class S3Server implements AutoCloseable {

    /** The access key the server accepts. */
    public static final String ACCESS_KEY = "kpff-test-access";
    /** The secret key the server accepts (tests assert it never lands in an output or a log). */
    public static final String SECRET_KEY = "kpff-test-secret-Wq3xZ9";
    /** Where Maven copies S3Proxy's jar (relative to the spark-job module, surefire's working directory). */
    static final Path JAR = Path.of("target", "s3proxy", "s3proxy.jar");

    private final URLClassLoader loader;
    private final Object proxy;
    private final AutoCloseable context;
    private final String bucket;
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

    private S3Server(String bucket) throws Exception {
        this.bucket = bucket;
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: Maven copies it in the "
                    + "generate-test-resources phase (run the tests through mvn).");
        }
        Path logback = Files.createTempFile("s3proxy-logback", ".xml");
        Files.writeString(logback, "<configuration><root level=\"OFF\"/></configuration>");
        logback.toFile().deleteOnExit();
        System.setProperty("logback.configurationFile", logback.toString()); // only S3Proxy's own loader has logback
        loader = new URLClassLoader(new URL[] {JAR.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Class<?> builderClass = loader.loadClass("org.jclouds.ContextBuilder");
            Object builder = builderClass.getMethod("newBuilder", String.class).invoke(null, "transient");
            builder = builderClass.getMethod("credentials", String.class, String.class).invoke(builder, "u", "u");
            Class<?> contextClass = loader.loadClass("org.jclouds.blobstore.BlobStoreContext");
            context = (AutoCloseable) builderClass.getMethod("build", Class.class).invoke(builder, contextClass);
            Class<?> storeClass = loader.loadClass("org.jclouds.blobstore.BlobStore");
            Object store = contextClass.getMethod("getBlobStore").invoke(context);
            Class<?> location = loader.loadClass("org.jclouds.domain.Location");
            storeClass.getMethod("createContainerInLocation", location, String.class).invoke(store, null, bucket);
            Object counting = Proxy.newProxyInstance(loader, new Class<?>[] {storeClass}, (p, method, args) -> {
                calls.computeIfAbsent(method.getName(), k -> new AtomicLong()).incrementAndGet();
                try {
                    return method.invoke(store, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
            Class<?> proxyClass = loader.loadClass("org.gaul.s3proxy.S3Proxy");
            Object b = proxyClass.getMethod("builder").invoke(null);
            Class<?> bc = b.getClass();
            bc.getMethod("blobStore", storeClass).invoke(b, counting);
            bc.getMethod("endpoint", URI.class).invoke(b, URI.create("http://127.0.0.1:0"));
            Class<?> auth = loader.loadClass("org.gaul.s3proxy.AuthenticationType");
            Object v2orV4 = auth.getField("AWS_V2_OR_V4").get(null);
            bc.getMethod("awsAuthentication", auth, String.class, String.class).invoke(b, v2orV4, ACCESS_KEY,
                    SECRET_KEY);
            proxy = bc.getMethod("build").invoke(b);
            proxyClass.getMethod("start").invoke(proxy);
            Method state = proxyClass.getMethod("getState");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(state.invoke(proxy))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start: " + state.invoke(proxy));
                }
                Thread.sleep(10);
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /** Starts a server with one empty bucket. */
    public static S3Server start(String bucket) throws Exception {
        return new S3Server(bucket);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        try {
            return "http://127.0.0.1:" + proxy.getClass().getMethod("getPort").invoke(proxy);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code s3a://<bucket>}. */
    public String root() {
        return "s3a://" + bucket;
    }

    /**
     * The S3A client settings for this server as Hadoop keys ({@code fs.s3a.…}); with {@code withKeys} also the
     * access and secret key.
     */
    public Map<String, String> hadoopConf(boolean withKeys) {
        Map<String, String> m = new TreeMap<>();
        m.put("fs.s3a.endpoint", endpoint());
        m.put("fs.s3a.path.style.access", "true");
        m.put("fs.s3a.connection.ssl.enabled", "false");
        m.put("fs.s3a.endpoint.region", "us-east-1");
        m.put("fs.s3a.retry.limit", "2");
        m.put("fs.s3a.attempts.maximum", "2");
        if (withKeys) {
            m.put("fs.s3a.access.key", ACCESS_KEY);
            m.put("fs.s3a.secret.key", SECRET_KEY);
        }
        return m;
    }

    /** Sets {@link #hadoopConf} (with the keys) on a Hadoop configuration. */
    public Configuration configure(Configuration conf) {
        hadoopConf(true).forEach(conf::set);
        return conf;
    }

    /** A Spark session builder whose Hadoop configuration reaches this server ({@code spark.hadoop.fs.s3a.…}). */
    public SparkSession.Builder configure(SparkSession.Builder builder) {
        hadoopConf(true).forEach((k, v) -> builder.config("spark.hadoop." + k, v));
        return builder;
    }

    /** Blob-store operations since the server started (or the last {@link #resetCounts}), by name. */
    public Map<String, Long> counts() {
        Map<String, Long> m = new TreeMap<>();
        calls.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Starts counting afresh. */
    public void resetCounts() {
        calls.clear();
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.getClass().getMethod("stop").invoke(proxy);
            context.close();
        } finally {
            loader.close();
        }
    }
}
