#!/usr/bin/env python3
"""--web.config.file (the exporter-toolkit format) for real: curl over TLS with basic
auth (good, bad and no password, plain HTTP on the TLS port), IPv6, gzip, client
certificates, --check-config's verdicts, and a real Prometheus scraping agentmon
over TLS with basic auth until the target is up and a sample is read."""

import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
import web_tls_fixture as web  # noqa: E402

prometheus = harness.tool("prometheus", "prometheus")


def check_config_verdicts(checks, tmp):
    """--check-config --web.config.file: 0 valid, 1 invalid (with the reason), 2 missing."""
    def verdict(path):
        out = subprocess.run([harness.binary("agentmon"), "run", "--check-config",
                              "--web.config.file", path], capture_output=True, text=True)
        return out.returncode, out.stdout + out.stderr

    code, text = verdict(os.path.join(tmp, "web.yml"))
    checks.check(code == 0 and "OK (TLS, 1 basic auth users)" in text,
                 "--check-config accepts the TLS + basic auth web config", text)
    with open(harness.source_path("deploy", "web-config.yml")) as f:
        example = f.read().replace("/etc/agentmon/tls/", tmp + "/")
    code, text = verdict(web.write_web_config(os.path.join(tmp, "example.yml"), example))
    checks.check(code == 0, "--check-config accepts deploy/web-config.yml (with test certificates)",
                 text)
    cases = [
        ("unknown key", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                        "  cert_flie: x\n", "tls_server_config.cert_flie: unknown key"),
        ("key of another certificate", "tls_server_config:\n  cert_file: server.crt\n"
                                       "  key_file: stranger.key\n", "is not the key of cert_file"),
        ("unreadable certificate", "tls_server_config:\n  cert_file: nowhere.crt\n"
                                   "  key_file: server.key\n", "cannot read"),
        ("not a bcrypt hash", "basic_auth_users:\n  alice: hunter2\n", "not a bcrypt hash"),
        ("not YAML", "basic_auth_users: {\n", "not valid YAML"),
    ]
    for name, text, expected in cases:
        path = web.write_web_config(os.path.join(tmp, "bad.yml"), text)
        code, out = verdict(path)
        checks.check(code == 1 and expected in out, f"--check-config refuses a web config "
                     f"with {name} (exit 1, says '{expected}')", f"exit {code}: {out[-300:]}")
    code, out = verdict(os.path.join(tmp, "missing.yml"))
    checks.equal(code, 2, "--check-config on a missing web config exits 2")
    run = subprocess.run([harness.binary("agentmon"), "run", "--web.config.file",
                          os.path.join(tmp, "bad.yml")], capture_output=True, text=True, timeout=30)
    checks.check(run.returncode == 1 and "not valid YAML" in run.stderr,
                 "run with an invalid web config exits 1 before serving", run.stderr[-300:])


def curl_checks(checks, tmp, port, port6):
    base, ca = f"https://127.0.0.1:{port}", ["--cacert", os.path.join(tmp, "ca.crt")]
    auth = ["-u", f"{web.USER}:{web.PASSWORD}"]
    rc, status, _, body = web.curl(*ca, *auth, base + "/metrics")
    checks.check(rc == 0 and status == 200 and "agentmon_build_info" in body,
                 "curl over TLS with the right password gets /metrics", f"rc {rc} status {status}")
    rc, status, _, _ = web.curl(*ca, "-u", f"{web.USER}:wrong", base + "/metrics")
    checks.equal(status, 401, "a wrong password gets 401")
    rc, status, _, _ = web.curl(*ca, "-u", f"nobody:{web.PASSWORD}", base + "/metrics")
    checks.equal(status, 401, "an unknown user gets 401")
    rc, status, headers, _ = web.curl(*ca, base + "/metrics")
    checks.check(status == 401 and 'WWW-Authenticate: Basic realm="agentmon"' in headers,
                 "no password gets 401 with WWW-Authenticate: Basic", headers[-300:])
    rc, status, _, _ = web.curl(*ca, base + "/healthz")
    checks.equal(status, 401, "basic auth covers every path (/healthz too), as in the toolkit")
    rc, status, _, body = web.curl(f"http://127.0.0.1:{port}/metrics")
    checks.check(rc != 0 and status == 0 and "agentmon_build_info" not in body,
                 "plain HTTP to the TLS port gets no reply", f"rc {rc} status {status}")
    rc, status, _, _ = web.curl(*auth, base + "/metrics")
    checks.check(rc != 0 and status == 0, "a client that does not trust the CA refuses the "
                 "certificate", f"rc {rc}")
    rc, status, _, body = web.curl(*ca, *auth, f"https://[::1]:{port6}/metrics")
    checks.check(rc == 0 and status == 200 and "agentmon_build_info" in body,
                 "TLS with basic auth on an IPv6 listener ([::1])", f"rc {rc} status {status}")
    rc, status, headers, body = web.curl(*ca, *auth, "--compressed", base + "/metrics")
    checks.check(status == 200 and "Content-Encoding: gzip" in headers and
                 "agentmon_build_info" in body,
                 "curl --compressed gets gzip and decodes it to the metrics", headers[-300:])
    vary = [line for line in headers.splitlines() if line.lower().startswith("vary:")]
    checks.check(len(vary) == 1 and "Accept-Encoding" in vary[0] and "Accept," in vary[0],
                 "/metrics answers Vary: Accept, Accept-Encoding (format and compression)",
                 f"{vary}")
    rc, status, headers, body = web.curl(*ca, *auth, base + "/metrics")
    checks.check(status == 200 and "Content-Encoding" not in headers and
                 body.startswith("# HELP"), "without Accept-Encoding the body is identity text")
    rc, _, verbose, _ = web.curl(*ca, *auth, "-v", base + "/healthz", base + "/healthz")
    checks.check(rc == 0 and "Re-using existing connection" in verbose,
                 "two requests share one kept-alive TLS connection", verbose[-400:])
    rc, status, headers, out = web.curl(*ca, *auth, "-I", base + "/metrics")  # -I: headers only
    checks.check(status == 200 and "Content-Length:" in headers and "# HELP" not in out,
                 "HEAD over TLS answers 200 with a Content-Length and no body", out[-300:])


def prometheus_scrapes(checks, tmp, port):
    """Debian's Prometheus scrapes over https with tls_config.ca_file and basic_auth;
    a second job with a wrong password must be down with a 401."""
    prom_port = harness.free_port()
    target = {"static_configs": [{"targets": [f"127.0.0.1:{port}"]}], "scheme": "https",
              "tls_config": {"ca_file": os.path.join(tmp, "ca.crt")}}
    config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
              "scrape_configs": [
                  dict(target, job_name="agentmon-tls",
                       basic_auth={"username": web.USER, "password": web.PASSWORD}),
                  dict(target, job_name="agentmon-wrong-password",
                       basic_auth={"username": web.USER, "password": "wrong"})]}
    with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
        json.dump(config, f)  # JSON is YAML
    api = f"http://127.0.0.1:{prom_port}"
    args = [prometheus, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/prom",
            f"--web.listen-address=127.0.0.1:{prom_port}"]

    def query(promql):
        status, body = harness.http_get(api + "/api/v1/query?query=" + urllib.parse.quote(promql))
        return json.loads(body)["data"]["result"] if status == 200 else []

    def target_health(job):
        status, body = harness.http_get(api + "/api/v1/targets")
        for t in json.loads(body)["data"]["activeTargets"] if status == 200 else []:
            if t["labels"]["job"] == job and t["health"] != "unknown":
                return t
        return None

    with harness.background(args):
        up = harness.wait_for(lambda: any(r["value"][1] == "1"
                                          for r in query('up{job="agentmon-tls"}')), 60, 0.5)
        checks.check(up, "Prometheus scrapes agentmon over TLS with basic auth: up == 1")
        sample = query('agentmon_build_info{job="agentmon-tls"}')
        checks.check(sample and sample[0]["value"][1] == "1",
                     "Prometheus read a sample (agentmon_build_info) over TLS", str(sample)[:300])
        wrong = harness.wait_for(lambda: target_health("agentmon-wrong-password"), 30, 0.5)
        checks.check(wrong and wrong["health"] == "down" and "401" in wrong["lastError"],
                     "the job with a wrong password is down with a 401",
                     str(wrong and wrong["lastError"]))


def client_certificates(checks, tmp):
    config = web.tls_with_auth(tmp, "  client_auth_type: RequireAndVerifyClientCert\n"
                                    "  client_ca_file: ca.crt\n")
    port = harness.free_port()
    args = [harness.binary("agentmon"), "run", "--tick", "200ms", "--web.listen-address",
            f"127.0.0.1:{port}", "--web.config.file", config]
    base = f"https://127.0.0.1:{port}/metrics"
    ca, auth = ["--cacert", os.path.join(tmp, "ca.crt")], ["-u", f"{web.USER}:{web.PASSWORD}"]
    client = ["--cert", os.path.join(tmp, "client.crt"), "--key", os.path.join(tmp, "client.key")]
    stranger = ["--cert", os.path.join(tmp, "stranger.crt"),
                "--key", os.path.join(tmp, "stranger.key")]
    with harness.background(args) as proc:
        ready = harness.wait_for(lambda: proc.poll() is not None or
                                 web.curl(*ca, *auth, *client, base)[1] == 200, 30, 0.2)
        checks.check(ready and proc.poll() is None,
                     "RequireAndVerifyClientCert: a client certificate signed by the CA is served")
        checks.equal(web.curl(*ca, *auth, base)[1], 403, "no client certificate gets 403")
        checks.equal(web.curl(*ca, *auth, *stranger, base)[1], 403,
                     "a client certificate the CA did not sign gets 403")


def main():
    harness.require_bpf()
    checks = harness.Checks()
    with tempfile.TemporaryDirectory(prefix="agentmon-web-") as tmp:
        web.make_pki(tmp)
        config = web.tls_with_auth(tmp)
        check_config_verdicts(checks, tmp)
        port, port6 = harness.free_port(), harness.free_port()
        args = [harness.binary("agentmon"), "run", "--tick", "200ms",
                "--web.listen-address", f"127.0.0.1:{port}",
                "--web.listen-address", f"[::1]:{port6}", "--web.config.file", config]
        harness.detach()
        with harness.background(args) as proc:
            ca = ["--cacert", os.path.join(tmp, "ca.crt"), "-u", f"{web.USER}:{web.PASSWORD}"]
            ready = harness.wait_for(
                lambda: proc.poll() is not None or
                web.curl(*ca, f"https://127.0.0.1:{port}/readyz")[1] == 200, 30, 0.2)
            if not checks.check(ready and proc.poll() is None, "agentmon serves TLS with auth",
                                "" if proc.poll() is None else proc.stderr.read()[-800:]):
                return checks.finish()
            curl_checks(checks, tmp, port, port6)
            prometheus_scrapes(checks, tmp, port)
        client_certificates(checks, tmp)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
