#!/usr/bin/env bash
# Builds a benchmark capture of long, real flows: real clients and servers
# talking on the loopback interface of a private network namespace, like a
# busy office network, then copied 4 times with bench/gen -kind distinct.
#
#   sudo bench/make-real.sh [OUT]      (default bench/work/real-flows.pcap)
#   bench/run.sh bench/work/real-flows.pcap
#
# The base capture (about 80 s of traffic; kept beside OUT as *-base.pcap)
# mixes, from 60 client hosts 127.0.0.10-69 (3 of them IPv6 users on ::1)
# to servers on 127.0.0.1 / ::1:
#   DNS   dnsmasq answering dig: A, AAAA, MX, TXT, CNAME, SRV, PTR, NXDOMAIN,
#         about 4,800 queries over UDP and 200 over TCP;
#   HTTP  an inline python server on port 80 (HTTP/1.1): pages with their
#         assets and API polling on keep-alive connections, one-request
#         connections, JSON, gzip, HEAD, 404s, form and JSON POSTs (curl:
#         one process per user with --rate, so requests spread over time);
#   HTTPS the same server on 443 with a self-signed certificate made here:
#         TLS 1.2 and 1.3, several cipher suites and curves, SNI names,
#         session resumption;
#   bulk  downloads of 5-12 MB files and uploads of 5-6 MB (PUT with
#         100-continue, POST, chunked) over HTTP and HTTPS, most with
#         --limit-rate so they last seconds, several at once;
#   SSH and SMTP (plain and STARTTLS) when openssh-server and swaks +
#         python3-aiosmtpd are installed, else skipped with a message.
# No packet leaves the machine. lo has MTU 1500 and no TSO/GSO/GRO in the
# namespace, so TCP segments are Ethernet-sized (TCP/UDP checksums are not
# valid, as on any loopback capture). File contents, DNS names and request
# sequences come from fixed seeds; timing varies from run to run.
# Then `go run ./bench/gen -kind distinct -n 4` writes OUT: 4 copies one
# after the other, each shifted in time and with its IP addresses rewritten,
# so each copy's flows are new flows: about 1.46 M packets, 545 MB, 37,000
# TCP connections and 18,400 UDP flows. Takes about 2 minutes.
#
# Needs root and these Debian packages (the script installs nothing):
#   apt-get install -y --no-install-recommends tcpdump curl python3 openssl \
#     dnsmasq-base bind9-dnsutils wireshark-common iproute2 ethtool
# optional: openssh-server openssh-client (SSH); swaks python3-aiosmtpd
# libnet-ssleay-perl (SMTP). And Go (on PATH or in /usr/local/go/bin) for
# bench/gen. Running it again rebuilds OUT and the base capture.
set -euo pipefail
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin:/usr/local/go/bin"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/bench/work/real-flows.pcap}")
BASE=${OUT%.pcap}-base.pcap
COPIES=4
USERS=60      # client hosts 127.0.0.10 ...
ROUNDS=86     # curl request groups per user
DNSB=8        # dig batches (10 queries each) per user
PY=/usr/bin/python3   # Debian's python (aiosmtpd), not a pyenv one

# ------------------------------------------------------------ requirements
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need tcpdump tcpdump
need curl curl
[ -x "$PY" ] || missing+=(python3)
need openssl openssl
need dnsmasq dnsmasq-base
need dig bind9-dnsutils
need capinfos wireshark-common
need ip iproute2
need ethtool ethtool
fail=0
if ((${#missing[@]})); then
  echo "make-real: missing required packages; install them with:" >&2
  echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
  fail=1
fi
command -v go >/dev/null || { echo "make-real: Go not found (PATH or /usr/local/go/bin); bench/gen needs it" >&2; fail=1; }
if [ "$(id -u)" != 0 ]; then
  echo "make-real: must run as root (it creates a network namespace and captures on its lo): sudo $0 $*" >&2
  fail=1
fi
[ "$fail" = 0 ] || exit 1
SSH=1 SMTP=1
if ! command -v sshd >/dev/null || ! command -v ssh >/dev/null; then
  SSH=0; echo "make-real: no SSH traffic (apt-get install openssh-server openssh-client)"
fi
if ! command -v swaks >/dev/null || ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
  SMTP=0; echo "make-real: no SMTP traffic (apt-get install swaks python3-aiosmtpd libnet-ssleay-perl)"
fi

START=$SECONDS
WORK=$(mktemp -d /tmp/mkreal.XXXXXX)
NS=mkreal$$
N=(ip netns exec "$NS")
PIDS=()
CAP=

cleanup() {
  set +e
  [ -n "$CAP" ] && kill -INT "$CAP" 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  # whatever still runs in our namespace was started by this script
  for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -rf "$WORK" "$OUT.tmp" "$BASE.tmp"
}
trap cleanup EXIT

# ------------------------------------------------------------ content (fixed seed)
cat >"$WORK/gen.py" <<'PYEOF'
# Writes the web site, bulk files, dnsmasq records, dig batches and one curl
# config per user, all from a fixed seed.
import gzip, os, random, sys

work, users, rounds, batches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(20261127)
MB = 1 << 20
WORDS = ("invoice meeting quarterly report budget project office printer network server "
         "backup update release customer order payment schedule team review calendar "
         "policy security training travel expense contract draft final agenda minutes").split()


def put(path, data):
    path = os.path.join(work, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def text(n):
    out, size = [], 0
    while size < n:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + ".\n"
        out.append(line)
        size += len(line)
    return "".join(out)[:n]


def page(title, n):
    body = "".join("<p>%s</p>\n" % l for l in text(n).splitlines())
    return ('<!DOCTYPE html>\n<html><head><title>%s</title>'
            '<link rel="stylesheet" href="/static/style.css"><script src="/static/app.js"></script>'
            '</head>\n<body><h1>%s</h1>\n%s</body></html>\n' % (title, title, body)).encode()


# web site; text files get a .gz twin for Accept-Encoding: gzip
site = {
    "index.html": page("Intranet", 3000),
    "about.html": page("About", 3000),
    "static/style.css": "".join(".c%d { margin: %dpx; color: #%06x; }\n" % (i, i % 17, rng.getrandbits(24))
                                for i in range(120)).encode(),
    "static/app.js": "".join("function f%d(x) { return x * %d + %d; }\n" % (i, rng.randint(2, 99), i)
                             for i in range(150)).encode(),
    "img/logo.png": rng.randbytes(4000),
}
for i in range(60):
    site["news/%d.html" % i] = page("News %d" % i, rng.randint(400, 3000))
for p, d in site.items():
    put("www/" + p, d)
    if not p.endswith(".png"):
        put("www/" + p + ".gz", gzip.compress(d, 6, mtime=0))


def csv(n):
    rows, size = ["date,order,customer,amount\n"], 0
    while size < n:
        r = "2026-%02d-%02d,%d,cust%04d,%d.%02d\n" % (rng.randint(1, 12), rng.randint(1, 28), rng.getrandbits(32),
                                                     rng.randint(0, 9999), rng.randint(1, 9999), rng.randint(0, 99))
        rows.append(r)
        size += len(r)
    return "".join(rows)[:n].encode()


# bulk files: downloads under www/files, uploads under up
put("www/files/backup.tar", rng.randbytes(12 * MB))
put("www/files/video.mp4", rng.randbytes(6 * MB))
put("www/files/report.csv", csv(5 * MB))
for i in range(1, 4):
    put("www/files/dataset-%d.bin" % i, rng.randbytes(5 * MB))
put("www/files/release.zip", rng.randbytes(5 * MB))
put("up/scan.pdf", rng.randbytes(6 * MB))
put("up/photos.tar", rng.randbytes(5 * MB))
put("up/server.log", text(5 * MB).encode())
put("up/home.tar", rng.randbytes(2 * MB))
put("up/mail-attachment.txt", text(60000).encode())

# DNS: 200 hosts with IPv4 and IPv6, aliases, MX, TXT, SRV
NAMES = ["intranet", "mail", "wiki", "crm", "files", "sso", "git", "print"]
conf = ["local=/corp.test/"]
for h in range(200):
    conf.append("host-record=h%d.corp.test,10.20.%d.%d,fd00:20::%x" % (h, h // 100, h % 100 + 1, h + 1))
for i, n in enumerate(NAMES):
    conf.append("host-record=srv%d.corp.test,10.20.9.%d" % (i, i + 1))
    conf.append("cname=%s.corp.test,srv%d.corp.test" % (n, i))
conf += ["mx-host=corp.test,srv1.corp.test,10", "mx-host=corp.test,srv5.corp.test,20",
         'txt-record=corp.test,"v=spf1 mx -all"', 'txt-record=_dmarc.corp.test,"v=DMARC1; p=none"',
         "srv-host=_ldap._tcp.corp.test,srv5.corp.test,389,0,100",
         "srv-host=_kerberos._udp.corp.test,srv5.corp.test,88,0,100"]
put("dnsmasq.conf", ("\n".join(conf) + "\n").encode())


def query():
    r = rng.random()
    h = rng.randrange(200)
    if r < .42:
        q = "h%d.corp.test A" % h
    elif r < .56:
        q = "h%d.corp.test AAAA" % h
    elif r < .63:
        q = "corp.test MX"
    elif r < .68:
        q = rng.choice(["corp.test TXT", "_dmarc.corp.test TXT"])
    elif r < .80:
        q = "%s.corp.test %s" % (rng.choice(NAMES), rng.choice(["A", "CNAME", "AAAA"]))
    elif r < .86:
        q = "-x 10.20.%d.%d" % (h // 100, h % 100 + 1)
    elif r < .90:
        q = rng.choice(["_ldap._tcp.corp.test SRV", "_kerberos._udp.corp.test SRV"])
    else:
        q = "ws%d.corp.test A" % rng.randrange(5000)  # NXDOMAIN
    return q + "\n"


UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
       "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
       "Microsoft Office/16.0", "python-requests/2.31.0", "curl/7.88.1"]
TLS = [[], ["tlsv1.2", 'tls-max = "1.2"'], ["tlsv1.3"],
       ["tlsv1.2", 'tls-max = "1.2"', 'ciphers = "ECDHE-RSA-AES128-GCM-SHA256"'],
       ["tlsv1.2", 'tls-max = "1.2"', 'ciphers = "ECDHE-RSA-CHACHA20-POLY1305"'],
       ["tlsv1.2", 'tls-max = "1.2"', 'ciphers = "AES256-GCM-SHA384"'],
       ['tls13-ciphers = "TLS_CHACHA20_POLY1305_SHA256"'], ['curves = "P-256"'], ["no-sessionid"]]
PAGES = ["/index.html", "/about.html"] + ["/news/%d.html" % i for i in range(60)]

for u in range(users):
    v6 = u % 20 == 19
    ip = "127.0.0.%d" % (10 + u)
    ua = rng.choice(UAS)
    tls = rng.choice(TLS)
    cfg = []

    def grp(opts, urls):
        g = ["silent", 'user-agent = "%s"' % ua] + ([] if v6 else ['interface = "%s"' % ip]) + opts
        for url in urls:
            g += ['output = "/dev/null"', 'url = "%s"' % url]
        cfg.append("\n".join(g))

    for r in range(rounds):
        https = not v6 and rng.random() < .35
        if https:
            name = rng.choice(NAMES) + ".corp.test"
            base = "https://" + name
            extra = ["insecure", 'resolve = "%s:443:127.0.0.1"' % name] + tls
        else:
            base = "http://[::1]" if v6 else "http://127.0.0.1"
            extra = ["globoff"] if v6 else []
        close = ['header = "Connection: close"']
        api = lambda: base + rng.choice(["/api/items?page=%d" % rng.randint(1, 50), "/api/notifications",
                                         "/api/user/%d" % rng.randint(1, 500), "/api/status"])
        k = rng.random()
        if k < .30:  # a page with its assets and API calls on one keep-alive connection; the last request closes it
            urls = [base + rng.choice(PAGES), base + "/static/style.css", base + "/static/app.js", base + "/img/logo.png"]
            grp(extra + (["compressed"] if rng.random() < .85 else []), urls + [api() for _ in range(rng.randint(1, 8))])
            grp(extra + close, [base + "/api/ping"])
        elif k < .55:  # an app polling its API on one keep-alive connection
            grp(extra + ["compressed"], [api() for _ in range(rng.randint(4, 20))])
            grp(extra + close, [api()])
        elif k < .80:  # one request per connection
            grp(extra + close, [rng.choice([api(), base + rng.choice(PAGES)]) for _ in range(rng.randint(2, 6))])
        elif k < .86:
            grp(extra + close + ["head"], [base + rng.choice(PAGES)])
        elif k < .91:
            grp(extra + close, [base + "/old/page%d.html" % rng.randint(1, 99)])  # 404
        elif k < .95:
            grp(extra + close + ['data = "user=u%d&password=secret%d"' % (u, r)], [base + "/login"])
        else:
            grp(extra + close + ['header = "Content-Type: application/json"',
                                 'data = "{\\"event\\":\\"click\\",\\"user\\":%d,\\"n\\":%d}"' % (u, r)],
                [base + "/api/events"])
    put("cfg/u%d.curl" % u, ("\nnext\n".join(cfg) + "\n").encode())
    for b in range(batches):
        put("dns/u%d-%d.txt" % (u, b), "".join(query() for _ in range(10)).encode())
PYEOF
"$PY" "$WORK/gen.py" "$WORK" "$USERS" "$ROUNDS" "$DNSB"

# ------------------------------------------------------------ servers
cat >"$WORK/srv.py" <<'PYEOF'
# HTTP/1.1 on [::]:80 and HTTPS on [::]:443 (dual stack): files with gzip
# twins, a JSON API, form and upload endpoints that read and discard the body.
import http.server, json, os, socket, ssl, sys, threading

WWW, CERT, KEY = sys.argv[1:4]


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "netcap-bench/1.0"
    sys_version = ""
    timeout = 30

    def __init__(self, *a, **kw):
        self.conn_sent = False
        super().__init__(*a, directory=WWW, **kw)

    def log_message(self, *a):
        pass

    def send_header(self, key, value):
        self.conn_sent |= key.lower() == "connection"
        super().send_header(key, value)

    def end_headers(self):
        if self.close_connection and not self.conn_sent:
            self.send_header("Connection", "close")
        self.conn_sent = False
        super().end_headers()

    def reply(self, code, ctype, body, *headers):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path.startswith("/api/"):
            n = sum(self.path.encode())
            items = [{"id": n + i, "name": "item-%d" % (n + i), "price": (n * 7 + i) % 1000 / 10} for i in range(n % 5)]
            return self.reply(200, "application/json", json.dumps({"path": self.path, "items": items}).encode())
        fs = self.translate_path(path)
        if "gzip" in self.headers.get("Accept-Encoding", "") and os.path.isfile(fs + ".gz"):
            with open(fs + ".gz", "rb") as f:
                body = f.read()
            return self.reply(200, self.guess_type(fs), body, ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"))
        return super().do_GET()

    def discard(self, left):
        n = 0
        while left > 0:
            b = self.rfile.read(min(left, 65536))
            if not b:
                break
            left -= len(b)
            n += len(b)
        return n

    def read_body(self):
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return self.discard(int(self.headers.get("Content-Length", 0)))
        n = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return n
            n += self.discard(size)
            self.rfile.readline()

    def do_POST(self):
        n = self.read_body()
        if self.path.startswith("/login"):
            return self.reply(302, "text/html", b"", ("Location", "/index.html"),
                              ("Set-Cookie", "session=%08x; HttpOnly" % n))
        return self.reply(200, "application/json", json.dumps({"received": n, "path": self.path}).encode())

    do_PUT = do_POST


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    request_queue_size = 512
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

    def handle_error(self, request, client_address):
        pass


class TLSServer(Server):
    def finish_request(self, request, client_address):
        try:
            request = self.ctx.wrap_socket(request, server_side=True)  # handshake in the request's thread
        except OSError:
            return
        try:
            self.RequestHandlerClass(request, client_address, self)
        finally:
            try:
                request.settimeout(2)
                request.unwrap()  # close_notify
            except OSError:
                pass
            request.close()


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
ctx.set_ciphers("DEFAULT")
ctx.set_alpn_protocols(["http/1.1"])
tls = TLSServer(("::", 443), Handler)
tls.ctx = ctx
threading.Thread(target=tls.serve_forever, daemon=True).start()
Server(("::", 80), Handler).serve_forever()
PYEOF

ip netns add "$NS"
"${N[@]}" ip link set lo up mtu 1500
"${N[@]}" ethtool -K lo tso off gso off gro off >/dev/null
# receive buffers up to 1 MB (not 6 MB), so a rate-limited download is
# rate-limited on the wire too instead of filling the client's buffer at once
"${N[@]}" sysctl -qw net.ipv4.tcp_rmem="4096 131072 1048576"

bg() { "$@" >>"$WORK/servers.log" 2>&1 & PIDS+=($!); }
wait_port() { for _ in $(seq 50); do "${N[@]}" bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0; sleep 0.1; done; echo "make-real: port $1:$2 never opened" >&2; return 1; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 3650 \
  -subj '/CN=intranet.corp.test/O=Corp Test' \
  -addext 'subjectAltName=DNS:*.corp.test,DNS:corp.test' 2>/dev/null
bg "${N[@]}" "$PY" "$WORK/srv.py" "$WORK/www" "$WORK/cert.pem" "$WORK/key.pem"
bg "${N[@]}" dnsmasq --no-daemon --user=root --no-resolv --no-hosts --port=53 --bind-interfaces \
  --listen-address=127.0.0.1 --listen-address=::1 --conf-file="$WORK/dnsmasq.conf"
if [ "$SSH" = 1 ]; then
  mkdir -p /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey"
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/userkey"
  cp "$WORK/userkey.pub" "$WORK/authorized_keys"
  printf '%s\n' 'Port 22' 'ListenAddress 127.0.0.1' "HostKey $WORK/hostkey" \
    "AuthorizedKeysFile $WORK/authorized_keys" 'PermitRootLogin prohibit-password' \
    'StrictModes no' 'UsePAM no' 'PidFile none' >"$WORK/sshd_config"
  bg "${N[@]}" /usr/sbin/sshd -D -e -f "$WORK/sshd_config"
fi
if [ "$SMTP" = 1 ]; then
  bg "${N[@]}" "$PY" -m aiosmtpd -n -c aiosmtpd.handlers.Sink -l 127.0.0.1:25 \
    --tlscert "$WORK/cert.pem" --tlskey "$WORK/key.pem" --no-requiretls
fi
wait_port 127.0.0.1 80
wait_port 127.0.0.1 443
[ "$SSH" = 1 ] && wait_port 127.0.0.1 22
[ "$SMTP" = 1 ] && wait_port 127.0.0.1 25
sleep 0.5

# ------------------------------------------------------------ traffic
echo "make-real: capturing the base traffic (about 80 s)"
"${N[@]}" tcpdump -i lo -U -n -s 0 -B 131072 -w "$WORK/base.pcap" >"$WORK/tcpdump.log" 2>&1 & CAP=$!
sleep 1
LOAD=()
job() { "$@" & LOAD+=($!); }

user() {   # user U: one curl process for all HTTP(S) requests, dig batches alongside
  local u=$1 b tcp
  "${N[@]}" curl --rate 16/s -K "$WORK/cfg/u$u.curl" || true &
  for ((b = 0; b < DNSB; b++)); do
    if ((u % 20 == 19)); then
      "${N[@]}" dig @::1 +tries=1 +time=2 -f "$WORK/dns/u$u-$b.txt" >/dev/null || true
    else
      tcp=+notcp
      ((b == DNSB - 1 && u % 3 == 0)) && tcp=+tcp   # some users' last batch over TCP
      "${N[@]}" dig @127.0.0.1 -b "127.0.0.$((10 + u))" "$tcp" +tries=1 +time=2 -f "$WORK/dns/u$u-$b.txt" >/dev/null || true
    fi
    sleep "$((5 + (u + b) % 3)).$((u % 10))"
  done
  wait
}

after() { sleep "$1"; shift; "$@" || true; }   # after SECONDS COMMAND...
C=("${N[@]}" curl -s -o /dev/null)
H=(-k --resolve files.corp.test:443:127.0.0.1)
bulk() {
  # downloads
  after 2 "${C[@]}" --interface 127.0.0.11 --limit-rate 1M http://127.0.0.1/files/backup.tar &
  after 6 "${C[@]}" --interface 127.0.0.12 --limit-rate 1M http://127.0.0.1/files/video.mp4 &
  after 12 "${C[@]}" --interface 127.0.0.13 --limit-rate 2M -A 'Microsoft Office/16.0' http://127.0.0.1/files/report.csv &
  after 20 "${N[@]}" curl -s -Z --parallel-immediate --parallel-max 3 --interface 127.0.0.14 --limit-rate 512K \
    -o /dev/null -o /dev/null -o /dev/null 'http://127.0.0.1/files/dataset-[1-3].bin' 2>/dev/null &
  after 26 "${C[@]}" --interface 127.0.0.15 "${H[@]}" --limit-rate 1M https://files.corp.test/files/release.zip &
  # uploads: PUT (Expect: 100-continue), POST, chunked
  after 4 "${C[@]}" --interface 127.0.0.16 --limit-rate 1M -T "$WORK/up/scan.pdf" http://127.0.0.1/upload/scan.pdf &
  after 30 "${C[@]}" --interface 127.0.0.17 -H 'Content-Type: application/x-tar' \
    --data-binary "@$WORK/up/photos.tar" http://127.0.0.1/upload/photos &
  after 36 "${C[@]}" --interface 127.0.0.18 "${H[@]}" --limit-rate 512K -T - https://files.corp.test/upload/server.log <"$WORK/up/server.log" &
  wait
}

ssh_sessions() {
  local i
  local -a S
  for ((i = 0; i < 12; i++)); do
    S=("${N[@]}" ssh -q -b "127.0.0.$((10 + i * 3))" -i "$WORK/userkey" -o StrictHostKeyChecking=no
      -o UserKnownHostsFile=/dev/null -o BatchMode=yes root@127.0.0.1)
    if ((i == 5)); then
      "${S[@]}" 'cat >/dev/null' <"$WORK/up/home.tar" || true   # a 2 MB backup
    else
      "${S[@]}" "uname -a; uptime; ls -l /etc | head -$((10 + i * 5))" >/dev/null || true
    fi
    sleep 4
  done
}

smtp_mails() {
  local i
  local -a S
  for ((i = 0; i < 40; i++)); do
    S=("${N[@]}" swaks --server 127.0.0.1:25 --local-interface "127.0.0.$((10 + i % USERS))" --silent 2
      --from "user$i@corp.test" --to "team$((i % 7))@corp.test" --ehlo "ws$i.corp.test")
    case $((i % 4)) in
      0) "${S[@]}" --header "Subject: report $i" --body "Hello, see report $i." >/dev/null || true ;;
      1) "${S[@]}" --tls --header "Subject: meeting $i" --body "Agenda for meeting $i." >/dev/null || true ;;
      2) "${S[@]}" --header "Subject: attachment $i" --attach "@$WORK/up/mail-attachment.txt" >/dev/null || true ;;
      3) "${S[@]}" --tls --header "Subject: minutes $i" --attach "@$WORK/up/mail-attachment.txt" >/dev/null || true ;;
    esac
    sleep 0.8
  done
}

for ((u = 0; u < USERS; u++)); do job user "$u"; done
job bulk
[ "$SSH" = 1 ] && job ssh_sessions
[ "$SMTP" = 1 ] && job smtp_mails
wait "${LOAD[@]}"
sleep 1
kill -INT "$CAP"; wait "$CAP" || true; CAP=
grep -h 'dropped by kernel' "$WORK/tcpdump.log" || true
echo "make-real: traffic done after $((SECONDS - START)) s"

# ------------------------------------------------------------ x4 and summary
mkdir -p "$(dirname "$OUT")"
cp "$WORK/base.pcap" "$BASE.tmp" && mv "$BASE.tmp" "$BASE"
(cd "$ROOT" && go run ./bench/gen -kind distinct -in "$BASE" -n "$COPIES" -o "$OUT.tmp")
mv "$OUT.tmp" "$OUT"

echo
capinfos -c -s -d -u "$BASE" "$OUT"
# flows: TCP connections = SYNs without ACK (IPv4 and IPv6), UDP flows =
# distinct address/port pairs
syn=$(tcpdump -n -r "$OUT" '(tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn) or (ip6 and tcp and ip6[53] & 0x12 == 2)' 2>/dev/null | wc -l)
udp=$(tcpdump -n -r "$OUT" udp 2>/dev/null | awk '{a = $3; b = $5; sub(/:$/, "", b); print (a < b ? a " " b : b " " a)}' | sort -u | wc -l)
echo "Flows:               $syn TCP connections, $udp UDP flows"
echo "make-real: wrote $OUT ($COPIES copies of $BASE) in $((SECONDS - START)) s"
