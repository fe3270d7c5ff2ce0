package org.hessinv.linalg;

/**
 * The bytes arrays occupy in a G1 heap of {@code regionBytes} regions (0: their exact sizes). An array of at
 * least half a region is "humongous": it takes whole regions, its 16-byte header included (a double[2^18] of
 * 2 MB takes two 2 MB regions), and G1 never moves it; smaller arrays are packed. Memory estimates count every
 * array they plan through this, so a plan of many arrays just over half a region is not under-counted by ~2x.
 */
public record HeapFootprint(long regionBytes) {
    /** Exact sizes: 8 n bytes for n doubles. */
    public static final HeapFootprint EXACT = new HeapFootprint(0);

    /** Bytes of a Java array's header (mark, class, length; 64-bit JVM, compressed class pointers). */
    private static final long ARRAY_HEADER = 16;

    /**
     * The footprint in a heap of maxHeapBytes: G1's region size there (JDK 17 ergonomics: heap / 2048 rounded up
     * to a power of two, within 1..32 MB).
     */
    public static HeapFootprint ofHeap(long maxHeapBytes) {
        long target = Math.max(1L << 20, maxHeapBytes / 2048);
        long region = Long.highestOneBit(target);
        if (region < target) region <<= 1;
        return new HeapFootprint(Math.min(32L << 20, region));
    }

    /** bytes(double[n]): 8 n under half a region, else ceil((8 n + 16) / R) R. */
    public long doubles(long n) { return array(Double.BYTES * n); }

    /** bytes(int[n]). */
    public long ints(long n) { return array(Integer.BYTES * n); }

    private long array(long bytes) {
        if (regionBytes <= 0) return bytes;
        long object = bytes + ARRAY_HEADER;
        if (2 * object < regionBytes) return bytes;
        return (object + regionBytes - 1) / regionBytes * regionBytes;
    }
}
