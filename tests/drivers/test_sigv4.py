"""SigV4: AWS's published test suite vectors, and the DynamoDB fast path against botocore."""

import datetime
import hashlib

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials

from dynamodb_tooling.drivers import _sigv4
from dynamodb_tooling.drivers._sigv4 import (
    AMZ_JSON,
    Credentials,
    JsonPostSigner,
    amz_date,
    canonical_path,
    sign,
    signing_key,
)

# The AWS Signature Version 4 test suite (2015-08-30 edition): every case signs with these.
SUITE_CREDENTIALS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_DATE = "20150830T123600Z"
SUITE_HOST = "example.amazonaws.com"
SUITE_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXm"
    "xfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburED"
    "y0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL"
    "64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SCOPE = "20150830/us-east-1/service/aws4_request"

# name: (method, path, query, extra headers, body, canonical request, string-to-sign hash,
# signature) — the published .creq, .sts and .authz of each case.
VECTORS = {
    "get-vanilla": (
        "GET",
        "/",
        "",
        {},
        b"",
        f"GET\n/\n\nhost:{SUITE_HOST}\nx-amz-date:{SUITE_DATE}\n\nhost;x-amz-date\n{EMPTY}",
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ),
    "post-vanilla": (
        "POST",
        "/",
        "",
        {},
        b"",
        f"POST\n/\n\nhost:{SUITE_HOST}\nx-amz-date:{SUITE_DATE}\n\nhost;x-amz-date\n{EMPTY}",
        "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    ),
    "get-vanilla-query-order-key-case": (
        "GET",
        "/",
        "Param2=value2&Param1=value1",
        {},
        b"",
        f"GET\n/\nParam1=value1&Param2=value2\nhost:{SUITE_HOST}\nx-amz-date:{SUITE_DATE}\n\n"
        f"host;x-amz-date\n{EMPTY}",
        "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    ),
    "post-header-key-sort": (
        "POST",
        "/",
        "",
        {"My-Header1": "value1"},
        b"",
        f"POST\n/\n\nhost:{SUITE_HOST}\nmy-header1:value1\nx-amz-date:{SUITE_DATE}\n\n"
        f"host;my-header1;x-amz-date\n{EMPTY}",
        "9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65",
        "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
    ),
    "get-header-value-trim": (
        "GET",
        "/",
        "",
        {"my-header1": " value1", "my-header2": ' "a   b   c"'},
        b"",
        f'GET\n/\n\nhost:{SUITE_HOST}\nmy-header1:value1\nmy-header2:"a b c"\n'
        f"x-amz-date:{SUITE_DATE}\n\nhost;my-header1;my-header2;x-amz-date\n{EMPTY}",
        "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    ),
    "get-utf8": (
        "GET",
        "/\u1234",
        "",
        {},
        b"",
        f"GET\n/%E1%88%B4\n\nhost:{SUITE_HOST}\nx-amz-date:{SUITE_DATE}\n\nhost;x-amz-date\n{EMPTY}",
        "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
        "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    ),
    "normalize-path/get-slashes": (
        "GET",
        "//example//",
        "",
        {},
        b"",
        f"GET\n/example/\n\nhost:{SUITE_HOST}\nx-amz-date:{SUITE_DATE}\n\nhost;x-amz-date\n{EMPTY}",
        "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
        "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
    ),
    "normalize-path/get-space": (
        "GET",
        "/example space/",
        "",
        {},
        b"",
        f"GET\n/example%20space/\n\nhost:{SUITE_HOST}\nx-amz-date:{SUITE_DATE}\n\n"
        f"host;x-amz-date\n{EMPTY}",
        "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
        "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
    ),
    "post-x-www-form-urlencoded": (
        "POST",
        "/",
        "",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"Param1=value1",
        "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
        f"host:{SUITE_HOST}\nx-amz-date:{SUITE_DATE}\n\ncontent-type;host;x-amz-date\n"
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
    ),
    "post-sts-token/post-sts-header-before": (
        "POST",
        "/",
        "",
        {"X-Amz-Security-Token": SUITE_TOKEN},
        b"",
        f"POST\n/\n\nhost:{SUITE_HOST}\nx-amz-date:{SUITE_DATE}\n"
        f"x-amz-security-token:{SUITE_TOKEN}\n\nhost;x-amz-date;x-amz-security-token\n{EMPTY}",
        "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
        "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead",
    ),
}


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_the_published_aws_test_suite(name: str) -> None:
    method, path, query, extra, body, creq, sts_hash, signature = VECTORS[name]
    headers = {"Host": SUITE_HOST, "X-Amz-Date": SUITE_DATE, **extra}
    signed = sign(
        method, path, query, headers, body, SUITE_CREDENTIALS, "us-east-1", "service", SUITE_DATE
    )
    assert signed.canonical_request == creq
    assert signed.string_to_sign == f"AWS4-HMAC-SHA256\n{SUITE_DATE}\n{SCOPE}\n{sts_hash}"
    assert signed.signature == signature
    assert signed.authorization == (
        f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{SCOPE}, "
        f"SignedHeaders={signed.signed_headers}, Signature={signature}"
    )


def test_the_published_signing_key_derivation() -> None:
    # AWS's documented example: secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830,
    # us-east-1, iam.
    key = signing_key(SUITE_CREDENTIALS.secret_key, "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"


def test_signing_keys_are_cached_per_day_region_and_service() -> None:
    signing_key.cache_clear()
    for _ in range(3):
        signing_key("secret", "20240101", "us-east-1", "dynamodb")
    signing_key("secret", "20240102", "us-east-1", "dynamodb")
    info = signing_key.cache_info()
    assert (info.hits, info.misses) == (2, 2)


def _fast(token: str | None, body: bytes, *, host: str = "dynamodb.us-east-1.amazonaws.com"):
    signer = JsonPostSigner("us-east-1", "dynamodb", host)
    credentials = Credentials("AKID", "SECRET/KEY", token)
    now = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC).timestamp()
    return signer.headers(credentials, "DynamoDB_20120810.PutItem", body, now=now), credentials


@pytest.mark.parametrize("token", [None, "SESSION//TOKEN=="])
def test_the_dynamodb_fast_path_equals_the_general_algorithm(token: str | None) -> None:
    body = b'{"TableName":"T","Item":{"pk":{"S":"A"}}}'
    headers, credentials = _fast(token, body)
    assert headers["X-Amz-Date"] == "20240506T070809Z"
    assert headers["Content-Type"] == AMZ_JSON
    assert headers["X-Amz-Target"] == "DynamoDB_20120810.PutItem"
    assert ("X-Amz-Security-Token" in headers) is (token is not None)
    to_sign = {k: v for k, v in headers.items() if k != "Authorization"}
    general = sign(
        "POST",
        "/",
        "",
        {"Host": "dynamodb.us-east-1.amazonaws.com", **to_sign},
        body,
        credentials,
        "us-east-1",
        "dynamodb",
        headers["X-Amz-Date"],
    )
    assert headers["Authorization"] == general.authorization


@pytest.mark.parametrize("token", [None, "SESSION//TOKEN=="])
def test_the_dynamodb_fast_path_signs_exactly_as_botocore(
    token: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = b'{"TableName":"T","Key":{"pk":{"B":"AAE="}}}'
    ours, _ = _fast(token, body, host="127.0.0.1:8000")
    moment = datetime.datetime(2024, 5, 6, 7, 8, 9)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: moment)
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8000/",
        data=body,
        headers={"Content-Type": AMZ_JSON, "X-Amz-Target": "DynamoDB_20120810.PutItem"},
    )
    SigV4Auth(ReadOnlyCredentials("AKID", "SECRET/KEY", token), "dynamodb", "us-east-1").add_auth(
        request
    )
    assert request.headers["X-Amz-Date"] == ours["X-Amz-Date"]
    assert request.headers["Authorization"] == ours["Authorization"]
    if token:
        assert request.headers["X-Amz-Security-Token"] == ours["X-Amz-Security-Token"]


def test_the_body_is_part_of_the_signature() -> None:
    first, _ = _fast(None, b"{}")
    second, _ = _fast(None, b'{"Limit":1}')
    assert first["X-Amz-Date"] == second["X-Amz-Date"]
    assert first["Authorization"] != second["Authorization"]
    assert hashlib.sha256(b"").hexdigest() == _sigv4.EMPTY_SHA256


def test_dates_and_paths() -> None:
    assert amz_date(0) == "19700101T000000Z"
    assert amz_date(1440938160) == SUITE_DATE
    assert canonical_path("") == "/"
    assert canonical_path("/a/./b/../c") == "/a/c"
    assert canonical_path("/a b/") == "/a%20b/"
