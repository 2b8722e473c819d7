#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets (standard library only).

    python3 fuzz/seeds/make.py

Seeds live here, under version control; libFuzzer's working corpus
(fuzz/corpus/TARGET, ignored by git) grows from them. The HS256 secret and
the clock must match `SECRET` and `NOW` in fuzz_targets/common/mod.rs.
`signed_tokens.txt` lists every token signed here with that secret: the
decode_token target accepts no other token.
"""

import base64
import hashlib
import hmac
import json
import shutil
from pathlib import Path

SECRET = b"jwt-ext-fuzz-secret-0123456789abcdef"
NOW = 1_800_000_000
HERE = Path(__file__).resolve().parent
KEYS = HERE.parent / "keys"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def js(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=False).encode()


def hs(header: dict, claims: dict, alg: str = "HS256", secret: bytes = SECRET) -> str:
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    signing_input = f"{b64(js(header))}.{b64(js(claims))}"
    sig = hmac.new(secret, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64(sig)}"


def unsigned(header: dict, claims: dict, sig: bytes = b"") -> str:
    return f"{b64(js(header))}.{b64(js(claims))}.{b64(sig)}"


def reset(directory: Path) -> Path:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return directory


HDR = {"alg": "HS256", "typ": "JWT"}
BASE = {
    "fresh": False,
    "iat": NOW - 1000,
    "jti": "0f0e5d5c-0000-4000-8000-000000000001",
    "type": "access",
    "sub": "fuzz-user",
    "nbf": NOW - 1000,
    "exp": NOW + 900,
}


def claims(**changes):
    out = dict(BASE)
    for key, value in changes.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def decode_token_seeds() -> None:
    signed = {
        "valid": hs(HDR, claims()),
        "valid_kid": hs({**HDR, "kid": "k1"}, claims()),
        "valid_jku": hs({**HDR, "jku": "http://127.0.0.1:1/jwks", "x5u": "http://127.0.0.1:1/c"}, claims()),
        "refresh": hs(HDR, claims(type="refresh")),
        "fresh_number": hs(HDR, claims(fresh=NOW - 10)),
        "no_exp": hs(HDR, claims(exp=...)),
        "expired": hs(HDR, claims(exp=NOW - 1)),
        "exp_now": hs(HDR, claims(exp=NOW)),
        "nbf_future": hs(HDR, claims(nbf=NOW + 3600)),
        "iat_future": hs(HDR, claims(iat=NOW + 3600)),
        "exp_float": hs(HDR, claims(exp=NOW + 0.5)),
        "exp_string": hs(HDR, claims(exp=str(NOW + 900))),
        "exp_huge": hs(HDR, claims(exp=18446744073709551615)),
        "exp_negative": hs(HDR, claims(exp=-9223372036854775808)),
        "nbf_huge_float": hs(HDR, claims(nbf=1e300)),
        "sub_int": hs(HDR, claims(sub=42)),
        "no_sub": hs(HDR, claims(sub=...)),
        "jti_int": hs(HDR, claims(jti=7)),
        "aud_iss": hs(HDR, claims(aud=["api", "other"], iss="urn:fuzz")),
        "aud_empty": hs(HDR, claims(aud=[])),
        "csrf": hs(HDR, claims(csrf="c5f0e0d0-0000-4000-8000-000000000002")),
        "unicode": hs(HDR, claims(sub="\u00e9\u2603\U0001F600", extra={"a": [1, 2.5, None, True]})),
        "kid_int": hs({**HDR, "kid": 5}, claims()),
        "crit": hs({**HDR, "crit": ["exp"]}, claims()),
        "b64_false": hs({**HDR, "b64": False}, claims()),
        "alg_lower": hs({"alg": "hs256"}, claims()),
        "hs384": hs({"alg": "HS384"}, claims(), "HS384"),
        "hs512": hs({"alg": "HS512", "typ": "JWT"}, claims(), "HS512"),
        "payload_list": f"{b64(js(HDR))}.{b64(b'[1]')}.{b64(hmac.new(SECRET, (b64(js(HDR)) + '.' + b64(b'[1]')).encode(), hashlib.sha256).digest())}",
    }
    foreign = {
        "other_secret": hs(HDR, claims(), secret=b"your-256-bit-secret"),
        "empty_secret": hs(HDR, claims(), secret=b""),
        "none": unsigned({"alg": "none"}, claims()),
        "none_upper": unsigned({"alg": "NONE"}, claims()),
        "none_mixed": unsigned({"alg": "nOnE"}, claims(), b"sig"),
        "none_two_segments": f"{b64(js({'alg': 'none'}))}.{b64(js(claims()))}",
        "alg_missing": unsigned({"typ": "JWT"}, claims(), b"x" * 32),
        "alg_null": unsigned({"alg": None}, claims(), b"x" * 32),
        "alg_array": unsigned({"alg": ["HS256"]}, claims(), b"x" * 32),
        "rs256": unsigned({"alg": "RS256"}, claims(), b"\x00" * 256),
        "es256_zero": unsigned({"alg": "ES256"}, claims(), b"\x00" * 64),
        "jwe": "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d",
        "rfc7515_a1": (
            "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
            "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ),
        "jwtio": (
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        ),
        "padded": hs(HDR, claims()) + "=",
        "dots": "." * 64,
        "empty": "",
        "bearer": "Bearer " + hs(HDR, claims()),
    }
    out = reset(HERE / "decode_token")
    for name, token in {**signed, **foreign}.items():
        (out / f"{name}.txt").write_text(token)
    # Every token signed with SECRET, whatever its claims: the only tokens
    # decode_token may accept.
    lines = [token for name, token in signed.items()]
    (HERE / "signed_tokens.txt").write_text("\n".join(lines) + "\n")


def extraction_seeds() -> None:
    # Layout (see fuzz_targets/extraction.rs): one selector byte, then
    # Authorization, Cookie, query string, X-CSRF-TOKEN and Content-Type, one
    # per line (empty: absent), then the body. Placeholders @ACCESS@,
    # @STALE@, @REFRESH@, @EXPIRED@, @CSRF@ and @RCSRF@ become tokens and
    # CSRF values minted by the target.
    def seed(route: int, method: int, auth="", cookie="", query="", csrf="", ctype="", body=""):
        selector = bytes([route + 8 * method])
        text = "\n".join([auth, cookie, query, csrf, ctype, body])
        return selector + text.encode()

    # methods: 0 GET, 1 POST, 2 PUT, 3 PATCH, 4 DELETE, 5 OPTIONS, 6 HEAD
    # routes: 0 /protected, 1 /optional, 2 /refresh, 3 /fresh, 4 /json, 5 /bytes
    seeds = {
        "header_ok": seed(0, 0, auth="Bearer @ACCESS@"),
        "header_no_bearer": seed(0, 0, auth="@ACCESS@"),
        "header_bad": seed(0, 0, auth="Bearer a.b.c"),
        "header_two_words": seed(0, 0, auth="Bearer x y"),
        "header_basic_then": seed(0, 0, auth="Basic Zm9vOmJhcg==, Bearer @ACCESS@"),
        "header_expired": seed(0, 0, auth="Bearer @EXPIRED@"),
        "missing": seed(0, 0),
        "optional_missing": seed(1, 0),
        "optional_bad": seed(1, 0, auth="Bearer nope"),
        "refresh_ok": seed(2, 1, auth="Bearer @REFRESH@"),
        "refresh_with_access": seed(2, 1, auth="Bearer @ACCESS@"),
        "fresh_ok": seed(3, 0, auth="Bearer @ACCESS@"),
        "fresh_stale": seed(3, 0, auth="Bearer @STALE@"),
        "cookie_get": seed(0, 0, cookie="access_token_cookie=@ACCESS@"),
        "cookie_post_csrf": seed(0, 1, cookie="access_token_cookie=@ACCESS@; csrf_access_token=@CSRF@", csrf="@CSRF@"),
        "cookie_post_no_csrf": seed(0, 1, cookie="access_token_cookie=@ACCESS@"),
        "cookie_post_bad_csrf": seed(0, 1, cookie="access_token_cookie=@ACCESS@", csrf="nope"),
        "cookie_form_csrf": seed(5, 1, cookie="access_token_cookie=@ACCESS@", ctype="application/x-www-form-urlencoded", body="csrf_token=@CSRF@&a=b"),
        "cookie_refresh": seed(2, 4, cookie="refresh_token_cookie=@REFRESH@", csrf="@RCSRF@"),
        "cookie_dup": seed(0, 0, cookie="access_token_cookie=x; access_token_cookie=@ACCESS@"),
        "query_ok": seed(0, 0, query="jwt=@ACCESS@"),
        "query_encoded": seed(0, 0, query="a=1&jwt=%40%41&jwt=@ACCESS@"),
        "json_ok": seed(4, 1, ctype="application/json", body='{"access_token":"@ACCESS@","x":1}'),
        "json_vnd": seed(4, 1, ctype="application/vnd.api+json; charset=utf-8", body='{"access_token":"@ACCESS@"}'),
        "json_refresh": seed(2, 1, ctype="application/json", body='{"refresh_token":"@REFRESH@"}'),
        "json_number": seed(0, 1, ctype="application/json", body='{"access_token":5}'),
        "json_list": seed(0, 1, ctype="application/json", body="[1,2]"),
        "json_deep": seed(4, 1, ctype="application/json", body="[" * 200 + "]" * 200),
        "json_text": seed(4, 1, ctype="text/plain", body='{"access_token":"@ACCESS@"}'),
        "bytes_ok": seed(5, 2, auth="Bearer @ACCESS@", body="hello"),
        "big_body": seed(4, 1, ctype="application/json", body='{"access_token":"' + "A" * 1500 + '"}'),
        "options": seed(0, 5),
        "head": seed(0, 6, auth="Bearer @ACCESS@"),
    }
    out = reset(HERE / "extraction")
    for name, data in seeds.items():
        (out / name).write_bytes(data)


def key_loading_seeds() -> None:
    # First byte: algorithm (byte % 3: RS256, ES256, EdDSA) and mode
    # ((byte / 3) % 3: the bytes as the public key; as the private key
    # beside the family's valid public key; as the public key beside the
    # family's valid private key).
    files = {0: "rsa", 1: "ec256", 2: "ed25519"}
    out = reset(HERE / "key_loading")
    for alg, name in files.items():
        public = (KEYS / f"{name}_public.pem").read_bytes()
        private = (KEYS / f"{name}_private.pem").read_bytes()
        (out / f"{name}_public").write_bytes(bytes([alg]) + public)
        (out / f"{name}_private").write_bytes(bytes([alg + 3]) + private)
        (out / f"{name}_pair").write_bytes(bytes([alg + 6]) + public)
        # A key of another family, a truncated key, a private key as public.
        other = (KEYS / f"{files[(alg + 1) % 3]}_public.pem").read_bytes()
        (out / f"{name}_wrong_family").write_bytes(bytes([alg]) + other)
        (out / f"{name}_truncated").write_bytes(bytes([alg]) + public[: len(public) // 2])
        (out / f"{name}_private_as_public").write_bytes(bytes([alg]) + private)
    (out / "rsa1024").write_bytes(bytes([0]) + (KEYS / "rsa1024_public.pem").read_bytes())
    der = base64.b64decode(b"".join((KEYS / "rsa_public.pem").read_bytes().splitlines()[1:-1]))
    pkcs1 = b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(der[24:]) + b"-----END RSA PUBLIC KEY-----\n"
    (out / "rsa_pkcs1_guess").write_bytes(bytes([0]) + pkcs1)
    (out / "rsa_der").write_bytes(bytes([0]) + der)
    (out / "empty_pem").write_bytes(bytes([1]) + b"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")
    (out / "cert_label").write_bytes(bytes([2]) + b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n")


def round_trip_seeds() -> None:
    # The target reads its input with `arbitrary`; any bytes are a valid
    # input, so a few shapes suffice.
    out = reset(HERE / "round_trip")
    (out / "zeros").write_bytes(bytes(64))
    (out / "ascii").write_bytes(b"claims\x01name\x02value\x03" * 8)
    (out / "ramp").write_bytes(bytes(range(256)))


if __name__ == "__main__":
    decode_token_seeds()
    extraction_seeds()
    key_loading_seeds()
    round_trip_seeds()
