// Writes the Java samples with Log4j2 itself (layouts in log4j2.xml). Run from
// tests/testdata/applogs:
//   java -cp "$HOME/.m2/repository/org/apache/logging/log4j/log4j-api/2.24.3/*:$HOME/.m2/repository/org/apache/logging/log4j/log4j-core/2.24.3/*" \
//     -Dlog4j2.configurationFile=makers/log4j2/log4j2.xml makers/log4j2/WriteLogs.java
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

public class WriteLogs {
  static final Logger log = LogManager.getLogger("com.example.billing.InvoiceController");

  static void charge(int invoice) {
    try {
      connect(invoice);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("payment provider returned 503", e);
    }
  }

  static void connect(int invoice) throws java.io.IOException {
    throw new java.net.SocketTimeoutException("Read timed out");
  }

  public static void main(String[] args) throws Exception {
    Thread.currentThread().setName("http-nio-8080-exec-1");
    log.info("invoice 1000 settled");
    log.debug("cache warm: 812 keys");
    log.warn("retrying invoice 1001 (attempt 2)");
    try {
      charge(1002);
    } catch (IllegalStateException e) {
      log.error("invoice settlement failed", e);
    }
    log.info("invoice 1003 settled");
    log.error("no route to the ledger");
  }
}
