package io.qpart.onnx.model;

/**
 * A model that QPART-J cannot read or handle. The message is one line naming the construct
 * (what was expected, what was found); it is meant to be shown to the user as is.
 */
public final class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
