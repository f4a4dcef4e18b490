package org.kpff.job.plan;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Deterministic seed derivation: SplitMix64 over a run seed and the SHA-256 of a stable text. */
public final class Seeds {

    private Seeds() {
    }

    /** The SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijection on 64-bit values that mixes every bit. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The first 8 bytes of SHA-256 of the UTF-8 text, as a big-endian long: a hash stable across JVMs. */
    public static long stableHash(String text) {
        return ByteBuffer.wrap(sha256(text)).getLong();
    }

    /**
     * A seed derived from a parent seed and a label: {@code mix64(mix64(parent) ^ stableHash(label))}. Executors use
     * it for sub-streams of one cell, e.g. {@code derive(cell.seed(), "shuffle")}.
     */
    public static long derive(long parent, String label) {
        return mix64(mix64(parent) ^ stableHash(label));
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
