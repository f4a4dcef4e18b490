package org.kpff.job.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.kpff.core.DaemonThreads;
import org.kpff.job.results.RunLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-writer lease of a run folder: only the driver that holds it may write into the folder, so that two
 * runs, or a run and a {@code --resume}, never commit into one folder at once.
 *
 * <p>The lease lives in {@code <out>/.kpff-lease/} ({@link RunLayout#leaseDir()}): one owner file per generation,
 * named by a zero-padded generation number and holding the holder's host, Spark application id, process id, a
 * random token and the time it was taken. The owner file's modification time is the heartbeat, refreshed every
 * {@code timeout / 4}. Taking the lease means publishing generation g + 1 where g is the newest generation, and
 * publishing never overwrites: the file is written
 * completely under a temporary name, then hard-linked into place on a local file system ({@code link(2)} fails when
 * the name exists) or renamed into place on HDFS (a rename onto an existing file fails); so of two drivers that race
 * for the same generation exactly one wins, on either file system. Generation g may be superseded only when it is
 * stale: its heartbeat is older than the timeout, or its holder ran on this host and its process is gone (a driver
 * killed here is taken over at once). A holder checks before every commit that no newer generation exists and its
 * own file is still there; one that lost its lease (say, after a pause longer than the timeout) stops committing.
 *
 * <p>Object stores without an atomic no-overwrite rename (S3A in Hadoop 3.3, GCS:
 * {@link org.kpff.core.fs.StoreSemantics}) cannot
 * give this guarantee: two renames onto one absent name both succeed there. On such an output the lease is refused
 * unless {@value #LEASE_URI_CONF} names a folder on a store that has it (HDFS, or a local or NFS path every driver of
 * the output sees); the output's lease then lives in {@code <lease uri>/<hash of the output URI>/}. All times come
 * from an injected {@link Clock}.
 */
public final class OutputLease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputLease.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Spark conf of a folder, on a store with atomic exclusive rename, that holds the leases of outputs on stores
     * without it (e.g. {@code hdfs:///kpff/leases} or {@code file:///shared/kpff-leases}). */
    public static final String LEASE_URI_CONF = "spark.kpff.lease.uri";
    /** Spark conf of the heartbeat timeout after which a holder's lease may be taken over (a Spark time string). */
    public static final String TIMEOUT_CONF = "spark.kpff.lease.timeout";
    /** Default of {@link #TIMEOUT_CONF}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private final LeaseStore store;
    private final Holder holder;
    private final long generation;
    private final Duration timeout;
    private final boolean createdRoot;
    private final ScheduledExecutorService heartbeat;
    private final Clock clock;
    private volatile String lostReason;
    private volatile boolean closed;

    /**
     * Who holds a lease, as its owner file says.
     *
     * @param host          host name of the driver
     * @param applicationId Spark application id of the driver
     * @param pid           process id of the driver JVM
     * @param token         random token of this taking
     * @param acquired      when the lease was taken
     */
    public record Holder(String host, String applicationId, long pid, String token, Instant acquired) {

        String describe() {
            return "host " + host + ", application " + applicationId + ", pid " + pid + ", since " + acquired;
        }
    }

    /** A second driver was refused because another one holds the folder's lease. */
    public static final class HeldException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }

    private OutputLease(LeaseStore store, Holder holder, long generation, Duration timeout, boolean createdRoot,
            Clock clock) {
        this.store = store;
        this.clock = clock;
        this.holder = holder;
        this.generation = generation;
        this.timeout = timeout;
        this.createdRoot = createdRoot;
        long period = Math.max(50, timeout.toMillis() / 4);
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("kpff-lease-heartbeat"));
        heartbeat.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lease of a run folder, creating the folder when it does not exist.
     *
     * @param outUri        the run folder (any Hadoop FileSystem URI)
     * @param conf          Hadoop configuration of that FileSystem
     * @param applicationId the Spark application id of this driver, recorded for whoever is refused
     * @param timeout       heartbeat age after which another driver may take the lease over
     * @throws HeldException when another live driver holds it, naming that driver
     */
    public static OutputLease acquire(String outUri, Configuration conf, String applicationId, Duration timeout)
            throws IOException {
        return acquire(outUri, null, conf, applicationId, timeout, Clock.systemUTC());
    }

    /**
     * Takes the lease of a run folder, in the folder itself or, with a {@code leaseUri}, in that folder.
     *
     * @param leaseUri where the lease lives for an output whose store lacks an exclusive rename ({@value
     *                 #LEASE_URI_CONF}); null or blank: in the output folder
     * @param clock    the time of heartbeats and of the staleness check
     * @throws IllegalArgumentException when the output's store (or the lease URI's) cannot hold a lease safely
     */
    public static OutputLease acquire(String outUri, String leaseUri, Configuration conf, String applicationId,
            Duration timeout, Clock clock) throws IOException {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(TIMEOUT_CONF + " = " + timeout.toMillis() + " ms: the lease timeout "
                    + "must be positive.");
        }
        Path root = new Path(outUri);
        Path dir = LeaseStore.dirFor(outUri, leaseUri, conf);
        boolean createdRoot = dir.getParent().equals(root) && !dir.getFileSystem(conf).exists(root);
        LeaseStore store = LeaseStore.open(dir, conf);
        Holder me = new Holder(hostName(), applicationId, ProcessHandle.current().pid(),
                UUID.randomUUID().toString(), clock.instant());
        // A publish fails only when another driver published the same generation in between: look again, a few
        // times, so that the answer names whoever won.
        for (int round = 0; round < 5; round++) {
            List<Long> generations = store.generations();
            long newest = generations.isEmpty() ? 0 : generations.get(generations.size() - 1);
            if (newest > 0) {
                Optional<Owner> owner = store.read(newest);
                if (owner.isPresent()) {
                    String stale = staleness(owner.get(), timeout, clock);
                    if (stale == null) {
                        throw new HeldException("Output " + outUri + " is in use by another driver (" + owner.get()
                                .holder().describe() + ", last heartbeat " + age(owner.get(), clock) + " ago): two "
                                + "runs must not commit into one folder. Wait until it ends, or choose another --out. "
                                + "If that driver is dead, its lease is taken over once its heartbeat is older than "
                                + seconds(timeout) + " (" + TIMEOUT_CONF + ").");
                    }
                    LOG.warn("Taking over the lease of {} from a driver that is gone ({}): {}.", outUri,
                            owner.get().holder().describe(), stale);
                }
            }
            if (store.publish(newest + 1, render(me))) {
                store.touch(newest + 1, clock.instant());
                for (long g : generations) {
                    store.delete(g);
                }
                LOG.info("Took the lease of {} (generation {}, heartbeat timeout {}).", outUri, newest + 1,
                        seconds(timeout));
                return new OutputLease(store, me, newest + 1, timeout, createdRoot, clock);
            }
        }
        throw new HeldException("Output " + outUri + " is contended: other drivers kept taking its lease; two runs "
                + "must not commit into one folder.");
    }

    /** This lease's holder (this driver). */
    public Holder holder() {
        return holder;
    }

    /** The generation this driver holds. */
    public long generation() {
        return generation;
    }

    /**
     * Checks that this driver still holds the lease: its owner file exists and no newer generation does.
     *
     * @throws IllegalStateException when another driver took it over, naming that driver
     */
    public void checkHeld() {
        if (closed) {
            throw new IllegalStateException("The lease of " + store.describe() + " was released.");
        }
        String lost = lostReason;
        if (lost == null) {
            lost = verify();
        }
        if (lost != null) {
            lostReason = lost;
            throw new IllegalStateException("This driver lost the lease of its output folder: " + lost + ". It stops "
                    + "committing so that two drivers never write into one run.");
        }
    }

    /** Stops the heartbeat and releases the lease; removes the run folder when taking the lease created it and
     * nothing else was written. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        heartbeat.shutdownNow();
        try {
            if (lostReason == null && verify() == null) {
                store.delete(generation);
            }
            store.removeIfEmpty(createdRoot);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not release the lease {}: {}", store.describe(), e.getMessage());
        }
    }

    /**
     * Test hook: stops the heartbeat without releasing, as a driver killed with SIGKILL (or paused longer than the
     * timeout) leaves its lease.
     */
    void stopHeartbeat() {
        heartbeat.shutdownNow();
    }

    /** One heartbeat: checks the lease is still held and refreshes its modification time (also the test hook). */
    void beat() {
        try {
            String lost = verify();
            if (lost != null) {
                if (lostReason == null) {
                    LOG.error("Lost the lease of the output folder: {}. No further cell is committed.", lost);
                }
                lostReason = lost;
                heartbeat.shutdown();
                return;
            }
            store.touch(generation, clock.instant());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Lease heartbeat on {} failed: {}", store.describe(), e.getMessage());
        }
    }

    /** Null when this driver holds the lease, else why not. */
    private String verify() {
        try {
            List<Long> generations = store.generations();
            long newest = generations.isEmpty() ? 0 : generations.get(generations.size() - 1);
            if (newest > generation) {
                String by = store.read(newest).map(o -> o.holder().describe()).orElse("another driver");
                return "generation " + newest + " was taken by " + by;
            }
            Optional<Owner> mine = store.read(generation);
            if (mine.isEmpty() || !mine.get().holder().token().equals(holder.token())) {
                return "its owner file " + store.describe() + "/" + name(generation) + " is gone";
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the lease " + store.describe(), e);
        }
    }

    /** Null when the owner is live, else why its lease may be taken over. */
    static String staleness(Owner owner, Duration timeout, Clock clock) {
        Duration age = Duration.between(owner.heartbeat(), clock.instant());
        if (age.compareTo(timeout) > 0) {
            return "its last heartbeat is " + seconds(age) + " old, more than the " + seconds(timeout) + " timeout";
        }
        Holder h = owner.holder();
        if (h.host().equals(hostName()) && h.pid() > 0 && h.pid() != ProcessHandle.current().pid()
                && ProcessHandle.of(h.pid()).map(p -> !p.isAlive()).orElse(true)) {
            return "its process " + h.pid() + " on this host has ended";
        }
        return null;
    }

    private static String age(Owner owner, Clock clock) {
        return seconds(Duration.between(owner.heartbeat(), clock.instant()));
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", Math.max(0, d.toMillis()) / 1000.0);
    }

    private static byte[] render(Holder h) {
        ObjectNode n = JSON.createObjectNode();
        n.put("host", h.host());
        n.put("application_id", h.applicationId());
        n.put("pid", h.pid());
        n.put("token", h.token());
        n.put("acquired", h.acquired().toString());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Optional<Holder> parse(byte[] bytes) {
        try {
            JsonNode n = JSON.readTree(bytes);
            return Optional.of(new Holder(n.path("host").asText(""), n.path("application_id").asText(""),
                    n.path("pid").asLong(0), n.path("token").asText(""), Instant.parse(n.path("acquired").asText())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static String name(long generation) {
        return String.format(Locale.ROOT, "%012d", generation);
    }

    static long generationOf(String name) {
        if (name.length() != 12 || !name.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(name);
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    /** An owner file: who took the lease, and its heartbeat (the file's modification time). */
    record Owner(Holder holder, Instant heartbeat) {
    }

    /** Reads the lease timeout from a Spark time string such as {@code 120s} or {@code 2min}. */
    static Duration parseTimeout(String value) {
        try {
            return Duration.ofMillis(org.apache.spark.network.util.JavaUtils.timeStringAsMs(value.trim()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(TIMEOUT_CONF + " = '" + value + "' is not a duration; expected a Spark "
                    + "time string such as 120s or 2min.", e);
        }
    }

    /** Keeps a message's generation name readable in logs. */
    @Override
    public String toString() {
        return "OutputLease[" + store.describe() + "/" + name(generation) + ", " + holder.describe() + "]";
    }

    /** Used by tests: the owner that holds the folder now, if any. */
    static Optional<Owner> currentOwner(String outUri, Configuration conf) throws IOException {
        return currentOwner(outUri, null, conf);
    }

    /** Used by tests: the owner that holds the folder now, with its lease where {@code leaseUri} puts it. */
    static Optional<Owner> currentOwner(String outUri, String leaseUri, Configuration conf) throws IOException {
        LeaseStore store = LeaseStore.open(LeaseStore.dirFor(outUri, leaseUri, conf), conf);
        List<Long> g = store.generations();
        return g.isEmpty() ? Optional.empty() : store.read(g.get(g.size() - 1));
    }
}
