package io.qpart.serve.server;

import org.junit.jupiter.api.BeforeAll;

/** Every fault of {@link ServerFaultsTest} again, with a virtual thread per connection instead of event loops. */
class ServerFaultsThreadsTest extends ServerFaultsTest {
    @BeforeAll
    static void start() throws Exception {
        startWith(ServerConfig.loopback().withEventLoops(0));
    }
}
