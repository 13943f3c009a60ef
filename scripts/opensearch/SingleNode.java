package dev.logship.opensearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node in this JVM, for logship's tests and demo.
 *
 * The distribution's launcher loads plugins from a plugins/ folder; here they are jars on the
 * classpath, so this subclass hands their classes to Node directly (the protected constructor
 * exists for exactly that). Usage:
 *
 *   java -cp 'lib/*' dev.logship.opensearch.SingleNode HOME HTTP_PORT TRANSPORT_PORT [key=value...]
 *
 * HOME holds data/ and logs/. Extra key=value pairs become node settings (tests use them to
 * shrink the write queue, for example). Stops cleanly on SIGTERM.
 */
public final class SingleNode extends Node {
    private static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class, CommonAnalysisPlugin.class, MapperExtrasPlugin.class,
        ReindexPlugin.class, PainlessPlugin.class);

    private SingleNode(Settings settings) {
        super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "logship-node"),
              PLUGINS, true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: SingleNode HOME HTTP_PORT TRANSPORT_PORT [key=value...]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Settings.Builder settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "logship-test")
            .put("node.name", "logship-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", args[1])
            .put("transport.port", args[2])
            .put("discovery.type", "single-node")
            // Test machines run with little free disk; the watermarks would block writes.
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("SingleNode: expected key=value, got " + args[i]);
                System.exit(2);
            }
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }

        SingleNode node = new SingleNode(settings.build());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                e.printStackTrace();
            }
            stopped.countDown();
        }, "logship-node-shutdown"));
        node.start();
        System.out.println("SingleNode: started, http on 127.0.0.1:" + args[1]);
        System.out.flush();
        stopped.await();
    }
}
