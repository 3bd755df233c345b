"""Certificates, bcrypt hashes and web configs for the TLS and basic-auth tests,
made on the spot with the openssl command and Python's crypt module (libxcrypt)."""

import os
import subprocess
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # removed in 3.13; Debian 12 has 3.11
    import crypt

import harness

PASSWORD = "s3cret-pass"
USER = "prometheus"


def bcrypt(password, cost=10):
    """A $2y$ hash, as `htpasswd -nBC 10` writes it (the same algorithm as $2b$)."""
    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2 ** cost))
    return "$2y$" + hashed[4:]


def _openssl(*args, cwd):
    subprocess.run([harness.tool("openssl", "openssl"), *args], cwd=cwd, check=True,
                   capture_output=True, text=True)


def _signed(name, extensions, cwd):
    """NAME.key and NAME.crt signed by ca.crt, with the given v3 extensions."""
    with open(os.path.join(cwd, f"{name}.ext"), "w") as f:
        f.write(extensions)
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=cwd)
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.crt",
             cwd=cwd)


def make_pki(directory):
    """ca.crt, server.crt/key (for 127.0.0.1, ::1 and localhost), client.crt/key
    (signed by the CA) and stranger.crt/key (self-signed, not by the CA)."""
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=agentmon test CA", "-days", "2",
             cwd=directory)
    _signed("server", "basicConstraints=critical,CA:FALSE\n"
                      "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                      "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n", directory)
    _signed("client", "basicConstraints=critical,CA:FALSE\n"
                      "keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n", directory)
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "stranger.key", "-out", "stranger.crt", "-subj", "/CN=stranger",
             "-days", "2", cwd=directory)


def write_web_config(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def tls_with_auth(directory, extra_tls=""):
    """A web config: TLS with the server certificate (relative paths, resolved from
    the file's directory) and one basic-auth user."""
    return write_web_config(os.path.join(directory, "web.yml"), (
        "tls_server_config:\n"
        "  cert_file: server.crt\n"
        "  key_file: server.key\n"
        f"{extra_tls}"
        "basic_auth_users:\n"
        f"  {USER}: {bcrypt(PASSWORD)}\n"))


def curl(*args, timeout=10):
    """(exit code, HTTP status or 0, headers, body) of one curl call."""
    out = subprocess.run([harness.tool("curl", "curl"), "-sS", "--max-time", str(timeout),
                          "-D", "/dev/stderr", *args],
                         capture_output=True, text=True, errors="replace")
    status = 0
    for line in out.stderr.splitlines():
        if line.startswith("HTTP/"):
            status = int(line.split()[1])
    return out.returncode, status, out.stderr, out.stdout
