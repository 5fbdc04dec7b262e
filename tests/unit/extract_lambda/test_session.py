"""The HTTP session: no urllib3 retries, environment proxy and CA settings resolved once."""

from __future__ import annotations

from extract_lambda.spotify_client import build_session


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
