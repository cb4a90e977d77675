package io.qpart.onnx.calibrate;

/** Receives progress of a long measurement: the number of steps, then one call per step done. */
public interface Progress {
    /** Reports nothing. */
    Progress NONE = new Progress() {
        @Override
        public void start(long steps) {
        }

        @Override
        public void step() {
        }
    };

    /** Called once, before the first step. */
    void start(long steps);

    /** Called once per finished step, from any thread. */
    void step();
}
