#!/usr/bin/env bash
# Does the system libcivetweb serve HTTPS? Builds a 20-line civetweb server with a
# self-signed certificate, fetches / once with curl, and prints what happened.
# On Debian 12 (libcivetweb1 1.15+dfsg-4, OpenSSL 3) the worker thread calls a
# NULL function pointer on the first TLS connection and the process gets SIGSEGV.
# Why: the library loads OpenSSL at run time (dlopen of "libssl.so", the -dev
# package's symlink) and looks up SSL_get_peer_certificate, which OpenSSL 3 no
# longer exports (it became a macro for SSL_get1_peer_certificate); the lookup's
# NULL is called after every TLS accept, with no option to skip it. This is why
# agentmon serves HTTP with libmicrohttpd instead (docs/cli.md). Needs civetweb's
# -dev package, which agentmon no longer installs.
set -euo pipefail
tmp=$(mktemp -d /tmp/civetweb-tls-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
    -days 1 -subj /CN=localhost 2>/dev/null
cat "$tmp/key.pem" "$tmp/cert.pem" >"$tmp/both.pem"
port=${PORT:-19443}
cat >"$tmp/tls.c" <<C
#include <civetweb.h>
#include <stdio.h>
#include <unistd.h>
static int ok(struct mg_connection* c, void* d) {
    (void)d;
    mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n");
    return 200;
}
int main(void) {
    printf("mg_check_feature(TLS)=%u\n", mg_check_feature(MG_FEATURES_TLS));
    mg_init_library(MG_FEATURES_TLS);
    const char* options[] = {"listening_ports", "127.0.0.1:${port}s",
                             "ssl_certificate", "$tmp/both.pem", NULL};
    struct mg_context* ctx = mg_start(NULL, NULL, options);
    if (!ctx) { printf("mg_start failed\n"); return 1; }
    mg_set_request_handler(ctx, "/", ok, NULL);
    fflush(stdout);
    sleep(3);
    mg_stop(ctx);
    return 0;
}
C
gcc "$tmp/tls.c" -o "$tmp/tls" -lcivetweb
"$tmp/tls" &
server=$!
sleep 1
curl -sk --max-time 5 "https://127.0.0.1:${port}/" && echo "curl: HTTPS works" || echo "curl: failed ($?)"
status=0
wait "$server" || status=$?
echo "server exit status: $status (139 = SIGSEGV)"
