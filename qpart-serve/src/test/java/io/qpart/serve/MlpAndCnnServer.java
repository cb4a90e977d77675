package io.qpart.serve;

import io.qpart.serve.server.QpartServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@link Fixtures#mlpAndCnnServer()} for the tests of one class: started before the first,
 * closed after the last. Register it as
 * {@code @RegisterExtension static final MlpAndCnnServer SERVER = new MlpAndCnnServer();}.
 */
public final class MlpAndCnnServer implements BeforeAllCallback, AfterAllCallback {
    private QpartServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = Fixtures.mlpAndCnnServer();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The running server. */
    public QpartServer get() {
        if (server == null) {
            throw new IllegalStateException("the server runs only while the tests of the class that registers it run");
        }
        return server;
    }
}
