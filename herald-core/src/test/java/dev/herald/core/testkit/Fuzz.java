package dev.herald.core.testkit;

import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The fuzz suite's runner and small generators, on a seeded {@link Random}: {@link #forAll} runs a
 * property {@code fuzz.tries} times (300 by default, {@code -Pfuzz} 100,000), each case with its own
 * seed derived from the base seed ({@code fuzz.seed}, random unless given, printed once). A failure
 * names the property, the case and the base seed: {@code -Dfuzz.seed=...} replays the same cases.
 */
public final class Fuzz {

    /** One case of a property, given a {@link Random} seeded for it alone. */
    @FunctionalInterface
    public interface Case {
        void run(Random random) throws Exception;
    }

    public static final int TRIES = tries();
    public static final long SEED = seed();

    private static final String ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String ALPHANUMERIC = ALPHA + "0123456789";

    private Fuzz() {}

    private static int tries() {
        String tries = System.getProperty("fuzz.tries", "");
        return tries.isBlank() ? 300 : Integer.parseInt(tries.trim());
    }

    private static long seed() {
        String given = System.getProperty("fuzz.seed", "");
        long seed = given.isBlank() ? new SplittableRandom().nextLong() : Long.parseLong(given.trim());
        System.out.println("fuzz: base seed " + seed + " (-Dfuzz.seed=" + seed + " replays), " + TRIES + " tries");
        return seed;
    }

    /** Runs {@code property} {@link #TRIES} times. */
    public static void forAll(String name, Case property) {
        forAll(name, TRIES, property);
    }

    /** Runs {@code property} {@code tries} times, case {@code i} on the {@code i}-th seed of {@code name}. */
    public static void forAll(String name, int tries, Case property) {
        SplittableRandom seeds = new SplittableRandom(SEED ^ name.hashCode());
        for (int i = 0; i < tries; i++) {
            long seed = seeds.nextLong();
            try {
                property.run(new Random(seed));
            } catch (Throwable failure) {
                throw new AssertionError(
                        name + " failed on case " + i + " of " + tries + " (case seed " + seed
                                + "); replay with -Dfuzz.seed=" + SEED + ": " + failure,
                        failure);
            }
        }
    }

    /** One of {@code items}, each as likely. */
    @SafeVarargs
    public static <T> T oneOf(Random random, T... items) {
        return items[random.nextInt(items.length)];
    }

    public static <T> T oneOf(Random random, List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    /** A value from one of {@code generators}, each as likely. */
    @SafeVarargs
    public static <T> T oneOfGen(Random random, Function<Random, T>... generators) {
        return generators[random.nextInt(generators.length)].apply(random);
    }

    /** {@code true} with probability {@code p}. */
    public static boolean chance(Random random, double p) {
        return random.nextDouble() < p;
    }

    /** An int in {@code [min, max]}, the bounds themselves more often than the rest. */
    public static int between(Random random, int min, int max) {
        return switch (random.nextInt(10)) {
            case 0 -> min;
            case 1 -> max;
            default -> min + random.nextInt(max - min + 1);
        };
    }

    /** Any long, the edge values (0, ±1, the extremes) more often than the rest. */
    public static long anyLong(Random random) {
        return random.nextInt(8) == 0
                ? oneOf(random, 0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1)
                : random.nextInt(3) == 0 ? random.nextInt(2000) - 1000L : random.nextLong();
    }

    /** A long {@code >= 0}, 0 and the largest more often. */
    public static long nonNegativeLong(Random random) {
        return random.nextInt(8) == 0
                ? oneOf(random, 0L, 1L, Long.MAX_VALUE)
                : random.nextInt(3) == 0 ? random.nextInt(1000) : random.nextLong() & Long.MAX_VALUE;
    }

    /** A string of {@code min..max} chars drawn from {@code chars}, short ones more often. */
    public static String string(Random random, String chars, int min, int max) {
        int length = length(random, min, max);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(chars.charAt(random.nextInt(chars.length())));
        }
        return out.toString();
    }

    public static String alpha(Random random, int min, int max) {
        return string(random, ALPHA, min, max);
    }

    public static String alphanumeric(Random random, int min, int max) {
        return string(random, ALPHANUMERIC, min, max);
    }

    /** A string of chars in {@code [from, to]}. */
    public static String charRange(Random random, char from, char to, int min, int max) {
        int length = length(random, min, max);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) (from + random.nextInt(to - from + 1)));
        }
        return out.toString();
    }

    /** A string of any chars, lone surrogates included; ASCII, controls and edges often. */
    public static String anyString(Random random, int max) {
        int length = length(random, 0, max);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = switch (random.nextInt(4)) {
                case 0 -> (char) random.nextInt(0x80);
                case 1 -> oneOf(random, '\u0000', '\uFFFF', '\uD800', '\uDFFF', '\uDBFF', '\uDC00', '"', '\\');
                default -> (char) random.nextInt(0x10000);
            };
            out.append(c);
        }
        return out.toString();
    }

    /** {@code 0..max} random bytes. */
    public static byte[] bytes(Random random, int max) {
        byte[] bytes = new byte[length(random, 0, max)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A length in {@code [min, max]}: the bounds often, short ones more often than long ones. */
    public static int length(Random random, int min, int max) {
        return switch (random.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            case 2, 3, 4 -> min + random.nextInt(Math.min(max - min, 4) + 1);
            default -> min + random.nextInt(max - min + 1);
        };
    }
}
