"""The HTTP session: no urllib3 retries, environment proxy and CA settings resolved once."""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from extract_lambda.config import Credentials, ExtractConfig
from extract_lambda.retry import Deadline
from extract_lambda.spotify_client import SpotifyClient, build_session


def test_no_retries_and_a_pool_for_the_workers(monkeypatch):
    for name in (
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    session = build_session(24, ("https://api.spotify.com/v1",))
    adapter = session.get_adapter("https://api.spotify.com/v1")
    assert adapter.max_retries.total == 0 and adapter.max_retries.status is None
    assert adapter._pool_maxsize >= 24
    assert session.proxies == {} and session.trust_env is False


def test_proxies_per_host_respect_no_proxy(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp-ca.pem")
    session = build_session(4, ("https://api.spotify.com/v1", "https://127.0.0.1:9443/api/token"))
    assert session.proxies == {"https://api.spotify.com": "http://proxy.example:3128"}
    assert session.verify == "/etc/corp-ca.pem"


def _tls_token_endpoint(tmp_path):
    """An HTTPS token endpoint on loopback whose certificate a private CA signed: the CA's
    PEM is what a TLS-inspecting proxy's users put in REQUESTS_CA_BUNDLE."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder(
            name("corp-ca"),
            name("corp-ca"),
            ca_key.public_key(),
            1,
            now,
            now + dt.timedelta(days=1),
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder(  # issuer, subject, key, serial, not before, not after
            ca.subject, name("127.0.0.1"), key.public_key(), 2, now, now + dt.timedelta(days=1)
        )
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.pem").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    class Token(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({"access_token": "t", "token_type": "Bearer", "expires_in": 3600})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Token)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, tmp_path / "ca.pem"


@pytest.mark.parametrize("refresh_token", [None, "a-refresh-token"], ids=["app", "user"])
def test_token_requests_trust_the_ca_bundle_of_the_environment(
    tmp_path, monkeypatch, refresh_token
):
    # spotipy's client-credentials request passes verify=True itself; the session's bundle
    # must still be used (review finding: that one request was checked against certifi's
    # CAs and failed behind a TLS-inspecting proxy).
    server, ca_file = _tls_token_endpoint(tmp_path)
    try:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
        config = ExtractConfig(
            credentials=Credentials.from_values("id", "secret", refresh_token),
            auth_url=f"https://127.0.0.1:{server.server_address[1]}/api/token",
            max_attempts=1,
        )
        client = SpotifyClient(config, Deadline())
        client.authenticate()  # before the fix: CERTIFICATE_VERIFY_FAILED, 'connection failed'
        client.close()
    finally:
        server.shutdown()
        server.server_close()
