// TlsServer.java -- the Java (JSSE) HTTPS server of make-pcaps.sh: a backend that requires client certificates.
//
//   java -cp DIR TlsServer PORT KEYSTORE.p12 TRUSTSTORE.p12 COUNT [PROTOCOL]
//
// Listens on 127.0.0.1:PORT with the server identity of KEYSTORE and the client-CA truststore
// TRUSTSTORE (PKCS#12, password "changeit"), sets needClientAuth (what Tomcat's
// clientAuth="true" / Spring's server.ssl.client-auth=need do), and serves COUNT connections one
// after another: handshake, read the request head, answer "HTTP/1.1 200 OK", close.  PROTOCOL
// (e.g. TLSv1.2) limits the enabled protocols; default: the JDK's (TLS 1.3 and 1.2).  Every
// outcome is printed as a server log would show it: the peer's certificate subject on success,
// the exception and its causes on failure.
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public final class TlsServer {
    static final char[] PASSWORD = "changeit".toCharArray();

    static KeyStore load(String path) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(path)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    static void report(Throwable e) {
        System.out.println(e);
        for (Throwable c = e.getCause(); c != null; c = c.getCause())
            System.out.println("Caused by: " + c);
    }

    static void serve(SSLSocket s) throws IOException {
        s.startHandshake();
        SSLSession sess = s.getSession();
        X509Certificate peer = (X509Certificate) sess.getPeerCertificates()[0];
        System.out.println("handshake: " + sess.getProtocol() + " " + sess.getCipherSuite()
                + " client " + peer.getSubjectX500Principal().getName());
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty())
            ;
        OutputStream out = s.getOutputStream();
        out.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: TlsServer PORT KEYSTORE.p12 TRUSTSTORE.p12 COUNT [PROTOCOL]");
            System.exit(2);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(args[1]), PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(args[2]));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        int count = Integer.parseInt(args[3]);
        try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(Integer.parseInt(args[0]), 8, InetAddress.getByName("127.0.0.1"))) {
            ss.setNeedClientAuth(true);
            if (args.length > 4)
                ss.setEnabledProtocols(new String[] {args[4]});
            for (int i = 0; i < count; i++) {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    serve(s);
                } catch (IOException e) {
                    report(e);
                }
            }
        }
    }
}
