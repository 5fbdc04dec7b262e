"""Configuration parsing: the shared environment names, validation, and secret hygiene."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle

import pytest

from extract_lambda.config import (
    DEFAULT_API_URL,
    DEFAULT_AUTH_URL,
    ConfigError,
    Credentials,
    ExtractConfig,
    InvalidPlaylistId,
    Secret,
    normalize_playlist_id,
    split_playlist_ids,
)

ENV = {"SPOTIFY_CLIENT_ID": "id-123456", "SPOTIFY_CLIENT_SECRET": "secret-abcdef"}


def test_defaults_are_the_real_api_and_token_urls():
    config = ExtractConfig.from_env(ENV)
    assert config.api_url == DEFAULT_API_URL == "https://api.spotify.com/v1"
    assert config.auth_url == DEFAULT_AUTH_URL == "https://accounts.spotify.com/api/token"
    assert config.market == "US"
    assert config.max_concurrency == 16
    assert config.auth_mode == "client_credentials"


def test_refresh_token_selects_the_user_flow_and_blank_values_count_as_unset():
    config = ExtractConfig.from_env(
        {
            **ENV,
            "SPOTIFY_REFRESH_TOKEN": "rt-987654",
            "SPOTIFY_MARKET": " ",
            "MAX_CONCURRENCY": "",
            "SPOTIFY_API_URL": "http://127.0.0.1:9000/v1/",
        }
    )
    assert config.auth_mode == "refresh_token"
    assert config.market == "US" and config.max_concurrency == 16
    assert config.api_url == "http://127.0.0.1:9000/v1"  # trailing slash removed


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SPOTIFY_MARKET", "usa", "SPOTIFY_MARKET"),
        ("MAX_CONCURRENCY", "0", "MAX_CONCURRENCY"),
        ("MAX_CONCURRENCY", "many", "MAX_CONCURRENCY"),
        ("MAX_CONCURRENCY", "65", "MAX_CONCURRENCY"),
        ("SPOTIFY_API_URL", "ftp://example.com", "SPOTIFY_API_URL"),
        # A bearer token must not travel in clear over a network.
        ("SPOTIFY_API_URL", "http://api.example.com/v1", "loopback"),
        ("SPOTIFY_AUTH_URL", "https://user:pw@example.com/token", "SPOTIFY_AUTH_URL"),
        ("SPOTIFY_API_SHAPE", "playlist", "SPOTIFY_API_SHAPE"),
    ],
)
def test_invalid_settings_are_refused_by_name(name, value, message):
    with pytest.raises(ConfigError, match=message):
        ExtractConfig.from_env({**ENV, name: value})


def test_max_concurrency_is_1_to_64_as_documented():
    assert ExtractConfig.from_env({**ENV, "MAX_CONCURRENCY": "1"}).max_concurrency == 1
    assert ExtractConfig.from_env({**ENV, "MAX_CONCURRENCY": "64"}).max_concurrency == 64
    for value in ("0", "65"):
        with pytest.raises(ConfigError, match=r"MAX_CONCURRENCY must be between 1 and 64"):
            ExtractConfig.from_env({**ENV, "MAX_CONCURRENCY": value})


def test_missing_local_credentials_name_the_variables():
    with pytest.raises(ConfigError, match="SPOTIFY_CLIENT_SECRET"):
        ExtractConfig.from_env({"SPOTIFY_CLIENT_ID": "x"})


def test_secret_never_shows_its_value():
    credentials = Credentials.from_values("my-client-id", "my-client-secret", "my-refresh")
    config = ExtractConfig(credentials=credentials)
    for text in (repr(credentials), str(credentials), repr(config), str(config)):
        assert "my-client-secret" not in text and "my-refresh" not in text
        assert "my-client-id" not in text
    assert credentials.client_secret.reveal() == "my-client-secret"
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
    with pytest.raises(TypeError):
        pickle.dumps(credentials.client_secret)
    # Copies keep working (and keep hiding the value).
    copied = copy.deepcopy(config)
    assert copied.credentials.client_secret.reveal() == "my-client-secret"
    assert "my-client-secret" not in repr(dataclasses.asdict(config))


def test_secret_json_of_the_contract():
    text = json.dumps({"client_id": "cid", "client_secret": "cs", "refresh_token": "rt"})
    credentials = Credentials.from_secret_string(text)
    assert credentials.auth_mode == "refresh_token"
    assert credentials.refresh_token.reveal() == "rt"
    without = Credentials.from_secret_string(json.dumps({"client_id": "c", "client_secret": "s"}))
    assert without.auth_mode == "client_credentials"
    empty_refresh = json.dumps({"client_id": "c", "client_secret": "s", "refresh_token": ""})
    assert Credentials.from_secret_string(empty_refresh).auth_mode == "client_credentials"


@pytest.mark.parametrize(
    "text",
    ['not json {"client_secret": "LEAKME"}', '["LEAKME"]', '{"client_id": "LEAKME"}'],
)
def test_bad_secret_json_is_refused_without_echoing_it(text):
    with pytest.raises(ConfigError) as raised:
        Credentials.from_secret_string(text, secret_id="secret s1")
    assert "LEAKME" not in str(raised.value)
    assert "secret s1" in str(raised.value)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("3cEYpjA9oz9GiPac4AsH4n", "3cEYpjA9oz9GiPac4AsH4n"),
        (" 3cEYpjA9oz9GiPac4AsH4n ", "3cEYpjA9oz9GiPac4AsH4n"),
        ("spotify:playlist:3cEYpjA9oz9GiPac4AsH4n", "3cEYpjA9oz9GiPac4AsH4n"),
        ("spotify:user:jmperez:playlist:3cEYpjA9oz9GiPac4AsH4n", "3cEYpjA9oz9GiPac4AsH4n"),
        (
            "https://open.spotify.com/playlist/3cEYpjA9oz9GiPac4AsH4n?si=ab12",
            "3cEYpjA9oz9GiPac4AsH4n",
        ),
        (
            "https://open.spotify.com/intl-de/playlist/37i9dQZEVXbMDoHDwVN2tF",
            "37i9dQZEVXbMDoHDwVN2tF",
        ),
    ],
)
def test_playlist_references_normalise_to_ids(reference, expected):
    assert normalize_playlist_id(reference) == expected


@pytest.mark.parametrize(
    "reference",
    ["", "has space", "../etc", "spotify:track:3cEYpjA9oz9GiPac4AsH4n", "a:b", "x" * 65],
)
def test_bad_playlist_references_are_refused(reference):
    with pytest.raises(InvalidPlaylistId):
        normalize_playlist_id(reference)


def test_playlist_ids_list_splits_on_commas_and_spaces():
    assert split_playlist_ids(" a1, b2 ,,c3\nd4 ") == ["a1", "b2", "c3", "d4"]
    assert split_playlist_ids(None) == [] and split_playlist_ids("") == []
