/**
 * The Swarm "edge" for engines without IPVS (no routing mesh, no virtual IPs — like this project's CI VM):
 * services run with endpoint_mode dnsrr, and each service that publishes ports gets a small companion
 * `<service>-edge` that holds the host-mode port and forwards to `tasks.<service>`. Swarm's DNS lists only
 * running (healthy) tasks, so during a start-first update the edge sends traffic to the new task once it is
 * healthy; a connection refused by a task that is stopping is retried on the next address, so no request
 * fails. Only requests that could not have reached a backend are retried (safe for POST too).
 * The script runs on any Python 3 image (the stack's own Python base) and is mounted as a Swarm config.
 */
export const EDGE_SCRIPT = String.raw`
import http.client, os, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# EDGE_ROUTES: "listen=host:port,..."  e.g. "8000=tasks.api:8000"
ROUTES = [r.split("=", 1) for r in os.environ["EDGE_ROUTES"].split(",") if r]
RETRY_FOR = float(os.environ.get("EDGE_RETRY_SECONDS", "10"))
CONNECT_TIMEOUT = float(os.environ.get("EDGE_CONNECT_TIMEOUT", "0.5"))
HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}


def addresses(host):
    try:
        return sorted({a[4][0] for a in socket.getaddrinfo(host, None, socket.AF_INET, socket.SOCK_STREAM)})
    except socket.gaierror:
        return []


def handler_for(upstream):
    host, port = upstream.rsplit(":", 1)
    port = int(port)
    counter = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            deadline = time.time() + RETRY_FOR
            last = "no backend"
            while time.time() < deadline:
                addrs = addresses(host)
                if not addrs:
                    last = "no running task"
                    time.sleep(0.2)
                    continue
                counter[0] += 1
                addr = addrs[counter[0] % len(addrs)]
                # A task that just died can leave its address in DNS for a moment: connect with a short
                # timeout (an absent address answers nothing), then give the request itself time.
                conn = http.client.HTTPConnection(addr, port, timeout=CONNECT_TIMEOUT)
                try:
                    conn.connect()
                    conn.sock.settimeout(30)
                except OSError as e:  # refused / unreachable / silent: nothing was sent, safe to retry anywhere
                    last = f"{addr}: {e}"
                    conn.close()
                    time.sleep(0.05)
                    continue
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                except OSError as e:
                    conn.close()
                    if self.command in ("GET", "HEAD", "OPTIONS"):
                        last = f"{addr}: {e}"
                        continue
                    return self.fail(502, f"{addr}: {e}")
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()
                return
            self.fail(503, last)

        def fail(self, status, why):
            body = f"edge: {why}\n".encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = forward

    return Handler


servers = []
for listen, upstream in ROUTES:
    srv = ThreadingHTTPServer(("", int(listen)), handler_for(upstream))
    srv.daemon_threads = True
    servers.append(srv)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(f"edge: :{listen} -> {upstream}", flush=True)
threading.Event().wait()
`;
