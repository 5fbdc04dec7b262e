"""A fake Spotify Web API for tests, the offline demo and benchmarks (loopback only).

    from tools.fake_spotify import Catalogue, FakeSpotifyServer, Fault

    with FakeSpotifyServer(Catalogue(seed=7), mode="development") as server:
        server.api_url, server.auth_url, server.credentials, server.set_week(3)

See docs/fake-spotify.md.
"""

from tools.fake_spotify.catalogue import Catalogue
from tools.fake_spotify.fields import FieldsSyntaxError, apply_fields, parse_fields
from tools.fake_spotify.server import (
    MODES,
    ODD_ENTRIES,
    FakeSpotifyServer,
    Fault,
    RecordedRequest,
)

__all__ = [
    "MODES",
    "ODD_ENTRIES",
    "Catalogue",
    "FakeSpotifyServer",
    "Fault",
    "FieldsSyntaxError",
    "RecordedRequest",
    "apply_fields",
    "parse_fields",
]
