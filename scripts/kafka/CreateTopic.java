// Creates a topic with the Kafka Java client's admin API (the broker jars carry no
// kafka-tools): java -cp '.cache/kafka/lib/*' scripts/kafka/CreateTopic.java BOOTSTRAP TOPIC PARTITIONS REPLICAS
// Exits 0 when the topic exists afterwards (created now or before), 1 with the reason otherwise.
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

public class CreateTopic {
  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: CreateTopic BOOTSTRAP TOPIC PARTITIONS REPLICAS");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      NewTopic topic = new NewTopic(args[1], Integer.parseInt(args[2]), Short.parseShort(args[3]));
      admin.createTopics(List.of(topic)).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        System.err.println("cannot create " + args[1] + ": " + e.getCause().getMessage());
        System.exit(1);
      }
    }
  }
}
