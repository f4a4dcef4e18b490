package org.kpff.job.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until a test moves it: leases, heartbeats and ETAs tested without sleeping. */
public final class FakeClock extends Clock {

    private volatile Instant now;

    /** A clock at {@code start}. */
    public FakeClock(Instant start) {
        this.now = start;
    }

    /** Sets the clock to {@code t}. */
    public void set(Instant t) {
        now = t;
    }

    /** Moves the clock forward. */
    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("FakeClock is UTC only");
    }
}
