package io.qpart.serve.server;

import io.qpart.serve.Fixtures;
import org.junit.jupiter.api.BeforeAll;

/** Every end-to-end check of {@link EndToEndTest} again, with a virtual thread per connection and tail threads instead of event loops. */
class EndToEndThreadsTest extends EndToEndTest {
    @BeforeAll
    static void start() throws Exception {
        server = Fixtures.mlpAndCnnServer(ServerConfig.loopback().withEventLoops(0));
    }
}
