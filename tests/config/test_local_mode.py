"""Which endpoints count as local (placeholder credentials are used only for those)."""

import pytest

from dynamodb_tooling.config import is_local_mode, validate_config


@pytest.mark.parametrize(
    ("endpoint", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://127.0.0.1.example.com:8000", False),  # a look-alike host is remote
        ("http://localhost.example.com", False),
        ("https://dynamodb.eu-west-1.amazonaws.com", False),
    ],
)
def test_only_a_loopback_host_is_local(endpoint: str, local: bool) -> None:
    assert is_local_mode(validate_config(endpoint=endpoint)) is local
