//! Public test vectors: RFC 7515 Appendix A and Google Wycheproof, read in
//! place from `../shared/vectors/wycheproof/` (beside the repository).
//!
//! How the Wycheproof JWS vectors go through jwt-ext. Their payloads are
//! not JWT claim sets (`Zm9v` is "foo"), and jwt-ext is a JWT verifier: it
//! parses the payload as a JSON object before it checks the signature (in
//! flask's order: the decode key loader gets the unverified claims). So
//! each vector runs in two stages:
//!
//! 1. jwt-ext itself, `JwtManager::decode_token` with the vector's key
//!    (a JWK turned into the PEM or secret the builder takes), a fixed
//!    clock and its `alg` alone allowed. Every structural check runs here:
//!    three segments, strict base64url of each, the header. A refusal here
//!    is final. A refusal *only* because the payload is not a JSON object
//!    ("Invalid payload string") means the structure passed.
//! 2. For those, the signature is checked with the crypto jwt-ext calls
//!    (jsonwebtoken's `crypto::verify` with the same backend, aws-lc-rs,
//!    and a `DecodingKey` parsed from the same PEM by the same function).
//!
//! The verdict ("accepted" when both stages pass) must equal Wycheproof's,
//! except for the cases listed in `JWS_DEVIATIONS` with their reason; that
//! list is checked both ways, so it cannot go stale. Algorithms jwt-ext
//! does not support (ES512) are counted and skipped.
//!
//! The primitive-level files (HMAC, RSA PKCS#1 v1.5 and PSS, ECDSA P1363,
//! Ed25519) have arbitrary messages that no JWS signing input can carry,
//! so they run against the same backend through jsonwebtoken's
//! `crypto::verify`, with each public key also loaded by jwt-ext's
//! `VerifyingKey`. That checks the crypto jwt-ext relies on, not jwt-ext.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use jsonwebtoken::DecodingKey;
use jwt_ext::{Algorithm, JwtManager, JwtManagerBuilder, VerifyingKey};
use jwt_ext_tests::jose::{b64, jwk_public_pem, unb64};
use serde_json::{Value, json};

/// `shared/vectors/wycheproof` beside the repository (the vectors are read
/// in place, not copied into the project).
fn wycheproof_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("shared")
        .join("vectors")
        .join("wycheproof")
}

/// Whether the Wycheproof folder is there. Under CI (`CI` set) its absence
/// fails the test; elsewhere (a checkout without `shared/` beside it) the
/// test says so plainly and stops.
fn wycheproof_present() -> bool {
    let dir = wycheproof_dir();
    if dir.is_dir() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the Wycheproof vectors are expected in {} (the `shared/` folder beside the repository)",
        dir.display()
    );
    jwt_ext_tests::skipped(format_args!(
        "the Wycheproof vectors are not in {} (the `shared/` folder beside the repository)",
        dir.display()
    ));
    false
}

/// Reads one Wycheproof file.
fn wycheproof(file: &str) -> Value {
    let dir = wycheproof_dir();
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the Wycheproof vectors are expected in {} (the `shared/` folder beside the \
             repository, see README.md there): cannot read {file}: {e}",
            dir.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"))
}

fn at(secs: i64) -> impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static {
    move || DateTime::from_timestamp(secs, 0).expect("valid timestamp")
}

// ---------------------------------------------------------------------------
// RFC 7515 Appendix A.

const A1_KEY: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
/// The payload of A.1–A.3: `{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}`.
const A_PAYLOAD: &str = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
const A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const A2_N: &str = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ";
const A2_SIGNATURE: &str = "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const A3_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const A3_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
const A3_SIGNATURE: &str =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
/// One second before the vectors' `exp`.
const A_VALID_AT: i64 = 1_300_819_379;

/// The A.1–A.3 claims have no `sub`: `iss` stands in as the identity.
fn rfc_builder(now: i64) -> JwtManagerBuilder {
    JwtManager::builder().identity_claim("iss").clock(at(now))
}

fn rfc_managers(now: i64) -> Vec<(&'static str, String, JwtManager)> {
    let a2_pem = jwk_public_pem(&json!({ "kty": "RSA", "n": A2_N, "e": "AQAB" })).unwrap();
    let a3_pem =
        jwk_public_pem(&json!({ "kty": "EC", "crv": "P-256", "x": A3_X, "y": A3_Y })).unwrap();
    vec![
        (
            "A.1 HS256",
            A1_TOKEN.to_owned(),
            rfc_builder(now)
                .secret_key(URL_SAFE_NO_PAD.decode(A1_KEY).unwrap())
                .build()
                .unwrap(),
        ),
        (
            "A.2 RS256",
            format!("eyJhbGciOiJSUzI1NiJ9.{A_PAYLOAD}.{A2_SIGNATURE}"),
            rfc_builder(now)
                .algorithm(Algorithm::RS256)
                .public_key_pem(a2_pem)
                .build()
                .unwrap(),
        ),
        (
            "A.3 ES256",
            format!("eyJhbGciOiJFUzI1NiJ9.{A_PAYLOAD}.{A3_SIGNATURE}"),
            rfc_builder(now)
                .algorithm(Algorithm::ES256)
                .public_key_pem(a3_pem)
                .build()
                .unwrap(),
        ),
    ]
}

#[test]
fn rfc7515_appendix_a_tokens_verify_over_their_received_bytes() {
    for (name, token, jwt) in rfc_managers(A_VALID_AT) {
        let decoded = jwt
            .decode_token(&token)
            .unwrap_or_else(|e| panic!("{name}: refused with {e:?}"));
        assert_eq!(decoded.identity(), "joe", "{name}");
        assert_eq!(
            decoded.claims()["http://example.com/is_root"],
            true,
            "{name}"
        );
        // A.1's header has CR LF and spaces: verified as received (V13).
        // One byte flipped in the signature fails.
        let (input, signature) = token.rsplit_once('.').unwrap();
        let mut bytes = unb64(signature);
        bytes[0] ^= 1;
        let err = jwt
            .decode_token(&format!("{input}.{}", b64(bytes)))
            .unwrap_err();
        assert_eq!(err.message(), "Signature verification failed", "{name}");
    }
}

#[test]
fn rfc7515_appendix_a_tokens_expire_at_their_exp() {
    // exp = 1300819380: at that second the tokens are expired (PyJWT's `<=`).
    for (name, token, jwt) in rfc_managers(A_VALID_AT + 1) {
        let err = jwt.decode_token(&token).unwrap_err();
        assert_eq!(err.message(), "Token has expired", "{name}");
        assert_eq!(err.status(), 401, "{name}");
    }
}

#[test]
fn rfc7515_a5_unsecured_jws_is_refused() {
    let (_, _, jwt) = rfc_managers(A_VALID_AT).remove(0);
    let err = jwt
        .decode_token(&format!("eyJhbGciOiJub25lIn0.{A_PAYLOAD}."))
        .unwrap_err();
    assert_eq!(err.message(), "The specified alg value is not allowed");
    assert_eq!(err.status(), 422);
}

/// RFC 7515 A.4 is ES512 (P-521), which jwt-ext does not support: no app
/// can be configured for it. A token of its shape (header `{"alg":"ES512"}`,
/// payload "Payload", some signature bytes) is refused: its payload is not
/// a claim set, and its alg is not allowed anyway.
#[test]
fn rfc7515_a4_es512_is_not_supported() {
    let token = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";
    let jwt = JwtManager::builder()
        .secret_key("0123456789abcdef0123456789abcdef")
        .build()
        .unwrap();
    assert_eq!(jwt.decode_token(token).unwrap_err().status(), 422);
    let claims = format!(
        "{}.{}.AAAA",
        b64(r#"{"alg":"ES512"}"#),
        b64(r#"{"sub":"a"}"#)
    );
    assert_eq!(
        jwt.decode_token(&claims).unwrap_err().message(),
        "The specified alg value is not allowed"
    );
}

/// jwt.io's canonical token verifies with its (too short) secret: interop,
/// and a V23 example that is warned about, not refused.
#[test]
fn jwt_io_interop_token() {
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let jwt = JwtManager::builder()
        .secret_key("your-256-bit-secret")
        .clock(at(1_700_000_000))
        .build()
        .unwrap();
    assert_eq!(jwt.decode_token(token).unwrap().identity(), "1234567890");
}

// ---------------------------------------------------------------------------
// Wycheproof, JWS level.

/// jwt-ext's verdict on a JWS, as described in the module docs.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Accepted,
    Refused(String),
}

fn parse_alg(name: &str) -> Option<Algorithm> {
    Some(match name {
        "HS256" => Algorithm::HS256,
        "HS384" => Algorithm::HS384,
        "HS512" => Algorithm::HS512,
        "RS256" => Algorithm::RS256,
        "RS384" => Algorithm::RS384,
        "RS512" => Algorithm::RS512,
        "PS256" => Algorithm::PS256,
        "PS384" => Algorithm::PS384,
        "PS512" => Algorithm::PS512,
        "ES256" => Algorithm::ES256,
        "ES384" => Algorithm::ES384,
        "EdDSA" => Algorithm::EdDSA,
        _ => return None,
    })
}

fn is_hmac(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// The `alg` of the token's header, when the header is readable.
fn header_alg(jws: &str) -> Option<String> {
    let header = URL_SAFE_NO_PAD.decode(jws.split('.').next()?).ok()?;
    let header: Value = serde_json::from_slice(&header).ok()?;
    header["alg"].as_str().map(str::to_owned)
}

/// Messages of checks that run after the signature (the JWS passed).
fn after_signature(message: &str) -> bool {
    [
        "Missing claim",
        "Token has expired",
        "not yet valid",
        "must be an integer",
        "ssuer",
        "aud",
        "Audience",
        "Subject must be",
        "JWT ID must be",
    ]
    .iter()
    .any(|m| message.contains(m))
}

/// Runs one JWS through jwt-ext (stage 1) and, when only the payload
/// stopped it, through the same signature check jwt-ext calls (stage 2).
fn jws_verdict(jwk: &Value, alg: Algorithm, jws: &str) -> Verdict {
    let builder = JwtManager::builder()
        .algorithm(alg)
        .clock(at(1_700_000_000));
    let (builder, key) = if is_hmac(alg) {
        let secret = match jwk["k"].as_str().map(|k| URL_SAFE_NO_PAD.decode(k)) {
            Some(Ok(secret)) => secret,
            _ => return Verdict::Refused("harness: unreadable oct key".into()),
        };
        let key = DecodingKey::from_secret(&secret).ok();
        (builder.secret_key(secret), key)
    } else {
        let pem = match jwk_public_pem(jwk) {
            Ok(pem) => pem,
            Err(e) => return Verdict::Refused(format!("harness: JWK not convertible: {e}")),
        };
        let key = match alg {
            Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(pem.as_bytes()),
            Algorithm::EdDSA => DecodingKey::from_ed_pem(pem.as_bytes()),
            _ => DecodingKey::from_rsa_pem(pem.as_bytes()),
        }
        .ok();
        (builder.public_key_pem(pem), key)
    };
    let jwt = match builder.build() {
        Ok(jwt) => jwt,
        Err(e) => return Verdict::Refused(format!("start-up: {e}")),
    };
    let message = match jwt.decode_token(jws) {
        Ok(_) => return Verdict::Accepted,
        Err(err) if after_signature(err.message()) => return Verdict::Accepted,
        Err(err) if err.message().starts_with("Invalid payload string") => err.message().to_owned(),
        Err(err) => return Verdict::Refused(err.message().to_owned()),
    };
    // Stage 2: structure passed; the payload is not a claim set. What
    // jwt-ext does next: the alg allow-list, then the signature.
    let (input, signature) = jws.rsplit_once('.').expect("three segments passed stage 1");
    let token_alg = header_alg(jws).and_then(|name| parse_alg(&name));
    let Some(token_alg) = token_alg.filter(|a| *a == alg) else {
        return Verdict::Refused(format!("alg not allowed ({message})"));
    };
    let Some(key) = key else {
        return Verdict::Refused("key not parsed by jsonwebtoken".into());
    };
    match jsonwebtoken::crypto::verify(signature, input.as_bytes(), &key, token_alg) {
        Ok(true) => Verdict::Accepted,
        Ok(false) => Verdict::Refused(format!("signature ({message})")),
        Err(e) => Verdict::Refused(format!("signature: {e}")),
    }
}

/// Cases whose verdict deliberately differs, by file and tcId, with the
/// reason (also in SECURITY.md).
const JWS_DEVIATIONS: &[(&str, u64, &str)] = &[
    // json_web_signature_test.json
    (
        "json_web_signature_test.json",
        346,
        "RFC 7520 figure 20: a PS384 token, but the JWK says `alg: PS256`; an app configured from that JWK allows PS256 only (allowing PS384 too is a decode_algorithms choice)",
    ),
    (
        "json_web_signature_test.json",
        350,
        "as tc 346 (the same figure with key_ops)",
    ),
    (
        "json_web_signature_test.json",
        353,
        "JWK `use: enc`: jwt-ext takes keys as PEM or secrets and never sees JWK metadata; the app's configuration says what a key is for",
    ),
    (
        "json_web_signature_test.json",
        354,
        "JWK `use: enc` (EC): as tc 353",
    ),
    (
        "json_web_signature_test.json",
        355,
        "JWK `key_ops` without verify: as tc 353",
    ),
    (
        "json_web_signature_test.json",
        356,
        "JWK `key_ops` without verify (EC): as tc 353",
    ),
    (
        "json_web_signature_test.json",
        367,
        "the JWS text is byte for byte that of tc 357 (ValidMac, valid): the padding the case name describes is not in this copy of the vectors, so no verifier can accept tc 357 and refuse this one",
    ),
    (
        "json_web_signature_test.json",
        370,
        "as tc 367: identical to tc 357",
    ),
    (
        "json_web_signature_test.json",
        372,
        "a `?` inside the header segment: Wycheproof accepts it (lenient decoders skip it); jwt-ext's base64url is strict (RFC 8725bis, spec V12) and refuses it",
    ),
    (
        "json_web_signature_test.json",
        373,
        "a `?` inside the payload segment: as tc 372",
    ),
    // json_web_key_test.json: key sets and JWK metadata
    (
        "json_web_key_test.json",
        1,
        "a key set mixing symmetric and asymmetric keys: jwt-ext has no key sets; a decode_key_loader returns one key typed by family",
    ),
    (
        "json_web_key_test.json",
        4,
        "duplicate kid in a key set: as tc 1, the app's loader decides",
    ),
    (
        "json_web_key_test.json",
        6,
        "JWK `use: enc`: as json_web_signature tc 353",
    ),
    (
        "json_web_key_test.json",
        7,
        "RSA key with the ROCA weakness: no ROCA fingerprinting (PyJWT has none either); the key is the app's",
    ),
    (
        "json_web_key_test.json",
        10,
        "HS256 key of 31 bytes: short HMAC keys are warned about at start-up, not refused (PyJWT parity, V23)",
    ),
    (
        "json_web_key_test.json",
        11,
        "HS384 key of 47 bytes: as tc 10",
    ),
    (
        "json_web_key_test.json",
        12,
        "HS512 key of 63 bytes: as tc 10",
    ),
    (
        "json_web_key_test.json",
        19,
        "JWK `alg: ES521` on a P-256 key: JWK metadata, as tc 6 (the app configures ES256)",
    ),
    ("json_web_key_test.json", 20, "JWK `alg: ES224`: as tc 19"),
    ("json_web_key_test.json", 21, "JWK `use: enc`: as tc 6"),
    (
        "json_web_key_test.json",
        25,
        "an AES-GCM JWK used as an HMAC key: JWK metadata, as tc 6",
    ),
    (
        "json_web_key_test.json",
        26,
        "an AES-KW JWK used as an HMAC key: as tc 25",
    ),
];

/// Runs every case of `file` whose algorithm jwt-ext supports; returns
/// (mismatches, number checked, number skipped as unsupported).
fn run_jws_file(file: &str) -> (Vec<String>, usize, BTreeMap<String, usize>) {
    let data = wycheproof(file);
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for group in data["testGroups"].as_array().unwrap() {
        let jwk = group.get("public").unwrap_or(&group["private"]);
        // Key sets: the first key (tc 1–4 are key-set cases, listed as deviations).
        let jwk = jwk.get("keys").and_then(|keys| keys.get(0)).unwrap_or(jwk);
        for case in group["tests"].as_array().unwrap() {
            let id = case["tcId"].as_u64().unwrap();
            let jws = case["jws"].as_str().unwrap_or_default();
            let result = case["result"].as_str().unwrap();
            // The app is configured with the key's algorithm alone, as an
            // app configured from this JWK would be (JWT_ALGORITHM); keys
            // without an alg take the token's.
            let token_alg = header_alg(jws).unwrap_or_default();
            let (alg_name, alg) = match jwk["alg"].as_str() {
                Some(name) => (name.to_owned(), parse_alg(name)),
                None => (token_alg.clone(), parse_alg(&token_alg)),
            };
            let Some(alg) = alg else {
                *skipped.entry(alg_name).or_default() += 1;
                continue;
            };
            checked += 1;
            let verdict = jws_verdict(jwk, alg, jws);
            let agrees = match result {
                "valid" => verdict == Verdict::Accepted,
                "invalid" => verdict != Verdict::Accepted,
                other => panic!("{file} tc {id}: unexpected result {other}"),
            };
            let deviation = JWS_DEVIATIONS
                .iter()
                .find(|(f, tc, _)| *f == file && *tc == id);
            let comment = case["comment"].as_str().unwrap_or_default();
            match (agrees, deviation) {
                (true, None) | (false, Some(_)) => {}
                (false, None) => failures.push(format!(
                    "{file} tc {id} ({comment}, {alg_name}): Wycheproof says {result}, jwt-ext: {verdict:?}"
                )),
                (true, Some((_, _, reason))) => failures.push(format!(
                    "{file} tc {id} ({comment}): listed as a deviation ({reason}) but now agrees: remove it from the list"
                )),
            }
        }
    }
    (failures, checked, skipped)
}

#[test]
fn wycheproof_json_web_signature_verdicts() {
    if !wycheproof_present() {
        return;
    }
    let (failures, checked, skipped) = run_jws_file("json_web_signature_test.json");
    assert!(
        checked >= 390,
        "only {checked} cases checked; skipped {skipped:?}"
    );
    assert!(
        skipped.keys().all(|alg| alg == "ES521"),
        "unexpected unsupported algorithms: {skipped:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} JWS vectors disagree (skipped {skipped:?}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The evidence for the deviations of tc 367 and 370.
#[test]
fn wycheproof_367_and_370_are_copies_of_the_valid_357() {
    if !wycheproof_present() {
        return;
    }
    let data = wycheproof("json_web_signature_test.json");
    let jws_of = |id: u64| {
        data["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["tests"].as_array().unwrap())
            .find(|t| t["tcId"] == id)
            .map(|t| (t["jws"].as_str().unwrap().to_owned(), t["result"].clone()))
            .unwrap()
    };
    let (valid, result) = jws_of(357);
    assert_eq!(result, "valid");
    for id in [367, 370] {
        assert_eq!(jws_of(id), (valid.clone(), json!("invalid")), "tc {id}");
    }
}

#[test]
fn wycheproof_json_web_key_verdicts() {
    if !wycheproof_present() {
        return;
    }
    let (failures, checked, skipped) = run_jws_file("json_web_key_test.json");
    assert!(
        checked >= 20,
        "only {checked} cases checked; skipped {skipped:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} JWK vectors disagree (skipped {skipped:?}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Wycheproof, primitive level: the backend jwt-ext verifies with.

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Runs a primitive file; `key_of` gives the key of a group and case (an
/// error counts as a refusal, and says why).
fn run_primitive_file(
    file: &str,
    alg: Algorithm,
    key_of: impl Fn(&Value, &Value) -> Result<DecodingKey, String>,
) -> (Vec<String>, usize, Vec<String>) {
    let data = wycheproof(file);
    let mut failures = Vec::new();
    let mut acceptable = Vec::new();
    let mut checked = 0;
    for group in data["testGroups"].as_array().unwrap() {
        for case in group["tests"].as_array().unwrap() {
            let key = key_of(group, case);
            let id = case["tcId"].as_u64().unwrap();
            let result = case["result"].as_str().unwrap();
            let message = hex(case["msg"].as_str().unwrap());
            let tag = case.get("sig").or_else(|| case.get("tag")).unwrap();
            let signature = b64(hex(tag.as_str().unwrap()));
            let accepted = match &key {
                Ok(key) => {
                    jsonwebtoken::crypto::verify(&signature, &message, key, alg).unwrap_or(false)
                }
                Err(_) => false,
            };
            checked += 1;
            let comment = case["comment"].as_str().unwrap_or_default();
            match (result, accepted) {
                ("valid", true) | ("invalid", false) => {}
                ("acceptable", _) => acceptable.push(format!(
                    "{file} tc {id} ({comment}): {}",
                    if accepted { "accepted" } else { "refused" }
                )),
                _ => failures.push(format!(
                    "{file} tc {id} ({comment}, flags {}): Wycheproof says {result}, the backend {}{}",
                    case["flags"],
                    if accepted { "accepts" } else { "refuses" },
                    key.as_ref().err().map(|e| format!(" (key: {e})")).unwrap_or_default()
                )),
            }
        }
    }
    (failures, checked, acceptable)
}

/// The group's public key, loaded by jwt-ext's `VerifyingKey` (so a key
/// jwt-ext refuses counts as a refusal) and by jsonwebtoken for the check.
fn pem_key(group: &Value, alg: Algorithm) -> Result<DecodingKey, String> {
    let pem = group["publicKeyPem"].as_str().ok_or("no publicKeyPem")?;
    let jwt_ext_key = match alg {
        Algorithm::ES256 | Algorithm::ES384 => VerifyingKey::ec_pem(pem),
        Algorithm::EdDSA => VerifyingKey::ed_pem(pem),
        _ => VerifyingKey::rsa_pem(pem),
    };
    jwt_ext_key.map_err(|e| format!("jwt-ext refuses the key: {e}"))?;
    match alg {
        Algorithm::ES256 | Algorithm::ES384 => DecodingKey::from_ec_pem(pem.as_bytes()),
        Algorithm::EdDSA => DecodingKey::from_ed_pem(pem.as_bytes()),
        _ => DecodingKey::from_rsa_pem(pem.as_bytes()),
    }
    .map_err(|e| e.to_string())
}

fn check_primitive(file: &str, alg: Algorithm, minimum: usize) -> Vec<String> {
    let (failures, checked, acceptable) = run_primitive_file(file, alg, |g, _| pem_key(g, alg));
    assert!(checked >= minimum, "{file}: only {checked} cases");
    println!("{file}: {checked} cases; 'acceptable' cases: {acceptable:?}");
    failures
}

#[test]
fn wycheproof_primitives_rsa_pkcs1_ecdsa_p1363_eddsa() {
    if !wycheproof_present() {
        return;
    }
    let mut failures = Vec::new();
    failures.extend(check_primitive(
        "rsa_signature_2048_sha256_test.json",
        Algorithm::RS256,
        250,
    ));
    failures.extend(check_primitive(
        "rsa_pss_2048_sha256_mgf1_32_test.json",
        Algorithm::PS256,
        100,
    ));
    failures.extend(check_primitive(
        "ecdsa_secp256r1_sha256_p1363_test.json",
        Algorithm::ES256,
        250,
    ));
    failures.extend(check_primitive(
        "ecdsa_secp384r1_sha384_p1363_test.json",
        Algorithm::ES384,
        250,
    ));
    failures.extend(check_primitive("ed25519_test.json", Algorithm::EdDSA, 140));
    assert!(
        failures.is_empty(),
        "{} primitive vectors disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn wycheproof_primitives_hmac() {
    if !wycheproof_present() {
        return;
    }
    // JWS uses the full MAC (RFC 7518 §3.2): groups with truncated tags do
    // not apply. Keys of any length are taken, as jwt-ext's secret_key does.
    let mut failures = Vec::new();
    for (file, alg, full) in [
        ("hmac_sha256_test.json", Algorithm::HS256, 256),
        ("hmac_sha384_test.json", Algorithm::HS384, 384),
        ("hmac_sha512_test.json", Algorithm::HS512, 512),
    ] {
        let (mismatches, checked, _) = run_primitive_file(file, alg, |group, case| {
            if group["tagSize"].as_u64() != Some(full) {
                return Err("truncated tag".into());
            }
            let key = hex(case["key"].as_str().unwrap_or_default());
            VerifyingKey::hmac(&key).map_err(|e| e.to_string())?;
            DecodingKey::from_secret(&key).map_err(|e| e.to_string())
        });
        assert!(checked >= 100, "{file}: only {checked} cases");
        // A truncated-tag group refuses everything: its "valid" cases are
        // expected mismatches and filtered here.
        let data = wycheproof(file);
        let truncated: Vec<u64> = data["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["tagSize"].as_u64() != Some(full))
            .flat_map(|g| {
                g["tests"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["tcId"].as_u64().unwrap())
            })
            .collect();
        failures.extend(mismatches.into_iter().filter(|line| {
            !truncated
                .iter()
                .any(|id| line.starts_with(&format!("{file} tc {id} (")))
        }));
    }
    assert!(
        failures.is_empty(),
        "{} HMAC vectors disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
