// TlsClient.java -- the Java (JSSE) HTTPS client of make-pcaps.sh: one GET, logged as an application would.
//
//   java -cp DIR TlsClient HOST PORT NAME TRUSTSTORE.p12 [KEYSTORE.p12]
//
// Connects to HOST:PORT, then runs TLS over that socket for NAME: NAME is the SNI and the name the
// certificate must match (endpoint identification "HTTPS", as HttpsURLConnection and most HTTP
// clients do).  TRUSTSTORE and KEYSTORE are PKCS#12 files with the password "changeit"; without a
// KEYSTORE the client has no key manager and answers a CertificateRequest with an empty
// Certificate, as does a client whose keystore holds no certificate from an acceptable CA.
// Protocols and cipher suites are the JDK's defaults (TLS 1.3 first).  The program prints the
// negotiated protocol and suite and the HTTP status line, or the exception and its causes the way
// a stack trace starts ("javax.net.ssl.SSLHandshakeException: ..." / "Caused by: ..."), and exits 1
// on failure.
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public final class TlsClient {
    static final char[] PASSWORD = "changeit".toCharArray();

    static KeyStore load(String path) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(path)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    static SSLContext context(String truststore, String keystore) throws IOException, GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(truststore));
        KeyManager[] km = null;
        if (keystore != null) {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keystore), PASSWORD);
            km = kmf.getKeyManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(km, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** What a Java application's log shows first: the exception, then each cause. */
    static void report(Throwable e) {
        System.out.println(e);
        for (Throwable c = e.getCause(); c != null; c = c.getCause())
            System.out.println("Caused by: " + c);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: TlsClient HOST PORT NAME TRUSTSTORE.p12 [KEYSTORE.p12]");
            System.exit(2);
        }
        String host = args[0], name = args[2];
        int port = Integer.parseInt(args[1]);
        SSLContext ctx = context(args[3], args.length > 4 ? args[4] : null);
        try (Socket raw = new Socket(host, port);
             SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, name, port, true)) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            SSLSession sess = s.getSession();
            System.out.println("handshake: " + sess.getProtocol() + " " + sess.getCipherSuite());
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + name + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            System.out.println("response: " + (status == null ? "(connection closed, no response)" : status));
            while (in.readLine() != null)
                ;
        } catch (IOException e) {
            report(e);
            System.exit(1);
        }
    }
}
