package io.qpart.onnx.calibrate;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for jobs on a caller's executor without losing their errors. */
final class Jobs {
    private Jobs() {
    }

    /**
     * The result of {@code f}. If it failed, every job in {@code all} is cancelled and the job's
     * own exception is rethrown (unchecked ones as they are).
     */
    static <T> T await(Future<T> f, String what, List<? extends Future<?>> all) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(all);
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            cancel(all);
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(what + " failed: " + cause, cause);
        }
    }

    static void cancel(List<? extends Future<?>> all) {
        for (Future<?> other : all) {
            if (other != null) {
                other.cancel(true);
            }
        }
    }
}
