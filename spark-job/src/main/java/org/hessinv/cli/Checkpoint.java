package org.hessinv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hessinv.io.Json;
import org.hessinv.io.Npy;
import org.hessinv.io.RunFolder;
import org.hessinv.train.HistoryRow;
import org.hessinv.train.OptimizerMemory;
import org.hessinv.train.TrainState;

/**
 * A checkpoint of a training run: {@code params.npy} (x), {@code gradient.npy}, {@code state.json} (the
 * scalars of {@link TrainState}), the optimizer's memory ({@code memory.json} with its kind and scalars, and its vectors:
 * {@code lbfgs-steps.npy} / {@code lbfgs-gradient-changes.npy} with the pairs concatenated newest first, {@code adam-m.npy} /
 * {@code adam-v.npy}, {@code hf-direction.npy}) and {@code history.csv} up to that step: everything the next step needs.
 */
final class Checkpoint {
    /** The scalars of a state (doubles written in their shortest round-trip form). */
    record Scalars(int step, double loss, double damping, double nu, double radius, int accepted) {}

    private Checkpoint() {}

    static void write(RunFolder run, TrainState s, List<HistoryRow> history) throws IOException {
        run.writeCheckpoint(c -> {
            Npy.write(c.file("params.npy"), s.x());
            Npy.write(c.file("gradient.npy"), s.gradient());
            Json.write(c.file("state.json"), new Scalars(s.step(), s.loss(), s.damping(), s.nu(), s.radius(), s.accepted()));
            writeMemory(c.dir(), s.memory());
            writeHistory(c.file("history.csv"), history);
        });
    }

    /** memory.json and the memory's vectors into {@code dir}. */
    static void writeMemory(Path dir, OptimizerMemory memory) throws IOException {
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("kind", memory.kind());
        if (memory instanceof OptimizerMemory.Lbfgs m) {
            head.put("capacity", m.capacity());
            head.put("pairs", m.size());
            head.put("failures", m.failures());
            Npy.write(dir.resolve("lbfgs-steps.npy"), concat(m.steps()));
            Npy.write(dir.resolve("lbfgs-gradient-changes.npy"), concat(m.gradientChanges()));
        } else if (memory instanceof OptimizerMemory.Adam m) {
            head.put("t", m.t());
            Npy.write(dir.resolve("adam-m.npy"), m.m());
            Npy.write(dir.resolve("adam-v.npy"), m.v());
        } else if (memory instanceof OptimizerMemory.HessianFree m) {
            Npy.write(dir.resolve("hf-direction.npy"), m.previousDirection());
        }
        Json.write(dir.resolve("memory.json"), head);
    }

    /** The memory written by {@link #writeMemory} for n parameters (none when a checkpoint predates memory.json). */
    static OptimizerMemory readMemory(Path dir, int n) {
        if (!Files.isRegularFile(dir.resolve("memory.json"))) return OptimizerMemory.None.INSTANCE;
        Map<?, ?> head = Json.read(dir.resolve("memory.json"), Map.class);
        String kind = (String) head.get("kind");
        return switch (kind) {
            case "none" -> OptimizerMemory.None.INSTANCE;
            case "lbfgs" -> {
                int pairs = ((Number) head.get("pairs")).intValue();
                yield new OptimizerMemory.Lbfgs(((Number) head.get("capacity")).intValue(),
                        split(Npy.read(dir.resolve("lbfgs-steps.npy")), pairs, n), split(Npy.read(dir.resolve("lbfgs-gradient-changes.npy")), pairs, n),
                        ((Number) head.get("failures")).intValue());
            }
            case "adam" -> new OptimizerMemory.Adam(((Number) head.get("t")).intValue(), Npy.read(dir.resolve("adam-m.npy")),
                    Npy.read(dir.resolve("adam-v.npy")));
            case "hf" -> new OptimizerMemory.HessianFree(Npy.read(dir.resolve("hf-direction.npy")));
            default -> throw new org.hessinv.model.InvalidInputException("checkpoint memory.json has unknown kind \"" + kind + "\"");
        };
    }

    private static double[] concat(List<double[]> vs) {
        int n = vs.isEmpty() ? 0 : vs.get(0).length;
        double[] out = new double[vs.size() * n];
        for (int i = 0; i < vs.size(); i++) System.arraycopy(vs.get(i), 0, out, i * n, n);
        return out;
    }

    private static List<double[]> split(double[] all, int count, int n) {
        if (all.length != (long) count * n) {
            throw new org.hessinv.model.InvalidInputException("checkpoint L-BFGS memory has " + all.length + " numbers, expected " + count + " x " + n);
        }
        List<double[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(java.util.Arrays.copyOfRange(all, i * n, (i + 1) * n));
        return out;
    }

    record Loaded(TrainState state, List<HistoryRow> history) {}

    static Loaded read(RunFolder run) throws IOException {
        Path c = run.checkpoint();
        Scalars s = Json.read(c.resolve("state.json"), Scalars.class);
        double[] x = Npy.read(c.resolve("params.npy"));
        TrainState state = new TrainState(s.step(), x, s.loss(), Npy.read(c.resolve("gradient.npy")),
                s.damping(), s.nu(), s.radius(), s.accepted(), readMemory(c, x.length));
        return new Loaded(state, readHistory(c.resolve("history.csv")));
    }

    static void writeHistory(Path file, List<HistoryRow> rows) throws IOException {
        StringBuilder b = new StringBuilder(HistoryRow.HEADER).append('\n');
        for (HistoryRow r : rows) b.append(r.csv()).append('\n');
        Files.writeString(file, b);
    }

    static List<HistoryRow> readHistory(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<HistoryRow> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) if (!line.isBlank()) rows.add(HistoryRow.parse(line));
        return rows;
    }
}
