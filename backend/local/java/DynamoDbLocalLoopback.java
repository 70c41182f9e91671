// Starts DynamoDB Local listening on 127.0.0.1 only.
//
// DynamoDB Local has no option for the address it listens on: it builds a Jetty `new
// Server(port)`, which binds every interface, so anyone on the network could reach the local
// database. This launcher builds the same server from the same command-line arguments
// (ServerRunner.createServerFromCommandLineArgs, what the jar's own main calls), sets the host of
// its connector to 127.0.0.1 before it starts, then starts it.
//
// Java runs this file directly from source (JEP 330, Java 11+): nothing is compiled at install
// time and nothing binary is kept in the repository.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class DynamoDbLocalLoopback {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    for (Connector connector : jetty.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
    proxy.join();
  }
}
