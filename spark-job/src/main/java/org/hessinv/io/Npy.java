package org.hessinv.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hessinv.model.InvalidInputException;

/** NumPy {@code .npy} files holding one float64 vector ({@code '<f8'}, C order, shape (n,)). */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Header blocks are padded to a multiple of this (the format's alignment). */
    private static final int ALIGN = 64;

    private Npy() {}

    public static double[] read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("cannot read " + file + ": no such file; check the path");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
        }
        return parse(bytes, file.toString());
    }

    static double[] parse(byte[] bytes, String name) {
        String bad = name + " is not a valid .npy file: ";
        if (bytes.length < 10) throw new InvalidInputException(bad + "too short; write it with numpy.save(path, array.astype('float64'))");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new InvalidInputException(bad + "missing the \\x93NUMPY magic; write it with numpy.save");
        }
        int major = bytes[6];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(buf.getShort(8));
            start = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new InvalidInputException(bad + "truncated header");
            headerLen = buf.getInt(8);
            start = 12;
        } else {
            throw new InvalidInputException(bad + "unsupported format version " + major);
        }
        if (headerLen < 0 || start + headerLen > bytes.length) throw new InvalidInputException(bad + "truncated header");
        String header = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new InvalidInputException(bad + "header lacks descr, fortran_order or shape");
        if (!d.group(1).equals("<f8") && !d.group(1).equals("float64")) {
            throw new InvalidInputException(name + " holds dtype " + d.group(1) + "; save a float64 vector (array.astype('<f8'))");
        }
        long n = 1;
        int dims = 0;
        for (String part : s.group(1).split(",")) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            long v;
            try {
                v = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(bad + "bad shape (" + s.group(1) + ")");
            }
            if (v < 0) throw new InvalidInputException(bad + "negative dimension in shape (" + s.group(1) + ")");
            if (v != 1) dims++;
            if (v != 0 && n > (bytes.length / 8 + 1) / v) {
                throw new InvalidInputException(bad + "its shape (" + s.group(1) + ") needs more data than the file's "
                        + bytes.length + " bytes hold; write it again with numpy.save");
            }
            n *= v;
        }
        if (dims > 1) throw new InvalidInputException(name + " has shape (" + s.group(1) + "); save a 1-D vector (array.ravel())");
        int data = start + headerLen;
        if ((long) data + 8L * n != bytes.length) {
            throw new InvalidInputException(bad + "holds " + (bytes.length - data) + " data bytes, but its shape needs " + 8L * n);
        }
        double[] out = new double[(int) n];
        for (int i = 0; i < n; i++) out[i] = buf.getDouble(data + 8 * i);
        return out;
    }

    public static byte[] encode(double[] v) {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + v.length + ",), }";
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
        StringBuilder h = new StringBuilder(dict);
        while (10 + h.length() + 1 < padded) h.append(' ');
        h.append('\n');
        byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocate(10 + header.length + 8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length).put(header);
        for (double x : v) buf.putDouble(x);
        return buf.array();
    }

    public static void write(Path file, double[] v) throws IOException {
        Files.write(file, encode(v));
    }

    /** A C-order float64 matrix (rows x cols, rows[i] its row i) as a 2-D .npy file: {@code np.load(f).shape == (rows, cols)}. */
    public static void writeMatrix(Path file, double[][] rows, int cols) throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows.length + ", " + cols + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
        StringBuilder h = new StringBuilder(dict);
        while (10 + h.length() + 1 < padded) h.append(' ');
        h.append('\n');
        byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            ByteBuffer head = ByteBuffer.allocate(10 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length).put(header);
            out.write(head.array());
            ByteBuffer row = ByteBuffer.allocate(8 * cols).order(ByteOrder.LITTLE_ENDIAN);
            for (double[] r : rows) {
                if (r.length != cols) throw new IllegalArgumentException("row of " + r.length + " entries, expected " + cols);
                row.clear();
                for (double x : r) row.putDouble(x);
                out.write(row.array());
            }
        }
    }
}
