package org.hessinv.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hessinv.io.Json;
import org.hessinv.io.Npy;
import org.hessinv.io.RunFolder;
import org.hessinv.train.HistoryRow;
import org.hessinv.train.TrainState;

/**
 * A checkpoint of a training run: {@code params.npy} (x), {@code gradient.npy}, {@code state.json} (the
 * scalars of {@link TrainState}) and {@code history.csv} up to that step: everything the next step needs.
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
            writeHistory(c.file("history.csv"), history);
        });
    }

    record Loaded(TrainState state, List<HistoryRow> history) {}

    static Loaded read(RunFolder run) throws IOException {
        Path c = run.checkpoint();
        Scalars s = Json.read(c.resolve("state.json"), Scalars.class);
        TrainState state = new TrainState(s.step(), Npy.read(c.resolve("params.npy")), s.loss(), Npy.read(c.resolve("gradient.npy")),
                s.damping(), s.nu(), s.radius(), s.accepted());
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
