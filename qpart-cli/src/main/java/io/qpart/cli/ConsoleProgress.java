package io.qpart.cli;

import io.qpart.onnx.calibrate.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr when a terminal is attached; nothing otherwise. */
final class ConsoleProgress implements Progress, AutoCloseable {
    private final String task;
    private ProgressBar bar;

    private ConsoleProgress(String task) {
        this.task = task;
    }

    /** A bar for {@code task} if stdin/stdout are a terminal, else {@link Progress#NONE}-like silence. */
    static ConsoleProgress open(String task, boolean quiet) {
        return new ConsoleProgress(quiet || System.console() == null ? null : task);
    }

    @Override
    public synchronized void start(long steps) {
        if (task == null) {
            return;
        }
        if (bar != null) {
            bar.close();
        }
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }

    @Override
    public void step() {
        ProgressBar b;
        synchronized (this) {
            b = bar;
        }
        if (b != null) {
            b.step();
        }
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
