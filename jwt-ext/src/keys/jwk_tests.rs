use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use super::{JwkKey, JwkSet};

const RSA_N: &str = "pzh-1yfuuINv-NMV4PLXORQNeRs5_0UlLUUEyIKdph-LAaQO62AtWr9bPSWnoLBAg5g48YfguRarEnf9RlBbCoOdqIapBrTXIxQQXs3jAIroU6-hOGN2Wa4ZEgEP3xpoy2KyyBJXCD6ANZzt_TYEMOs0A15OKkr2DrqhE6kImE59-3Jyq8_b356Xb8p5y2QdMqpeye4k3RJGsOZUZwZYNiRfMMaUl4pCw9fqdtzMmCHDI0sMbpFytsOP3xPby8R9myDJ8yIZtDwX45zVFOI0lxDT-7wBSQBVQxTht2ckdZcAlIIZz3K4eBVYp3Zz2_D_khAp4FVF7USVs2xZZ7pomw";

fn rsa() -> Value {
    json!({"kty": "RSA", "n": RSA_N, "e": "AQAB"})
}

fn p256() -> Value {
    json!({"kty": "EC", "crv": "P-256",
        "x": "DyfQccUR5JGlwNhG6gjX9KCdizy7EcneCs8blnWh7SY",
        "y": "TdPyA7r2AI7e38Q4kURSul6Jin0PruEVDbjXtN9WvCk"})
}

fn p384() -> Value {
    json!({"kty": "EC", "crv": "P-384",
        "x": "4YQbyj6lYZGyfu8h8f3iPqkzsjVMMS7rv2F-a47yvTXBHLATFqR1QJCFh2vmzxCS",
        "y": "WPXMczzhd_L1uU7yzAX04flMr0fMvW9KuvN-0pvAy31TFszb4F-u41ot3ijazlvm"})
}

fn ed25519() -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": "3nR27_MHIAgACICw9um2uazn0f7RaN9WTaxGB0XBQG8"})
}

fn with(mut jwk: Value, members: Value) -> Value {
    jwk.as_object_mut()
        .unwrap()
        .extend(members.as_object().unwrap().clone());
    jwk
}

fn load(jwk: Value) -> Result<JwkKey, String> {
    JwkKey::from_jwk(&serde_json::from_value(jwk).expect("a JWK"))
}

fn refusal(jwk: Value) -> String {
    load(jwk).expect_err("refused")
}

fn set(keys: Vec<Value>) -> (JwkSet, Vec<String>) {
    JwkSet::parse(json!({ "keys": keys }).to_string().as_bytes()).expect("a JWK Set")
}

#[test]
fn each_key_type_gets_its_algorithms() {
    use jsonwebtoken::AlgorithmFamily;
    let rsa = load(rsa()).unwrap();
    assert_eq!(rsa.family, AlgorithmFamily::Rsa);
    assert_eq!(rsa.algorithms, super::RSA_ALGORITHMS.to_vec());
    assert_eq!(load(p256()).unwrap().algorithms, [Algorithm::ES256]);
    let p384 = load(p384()).unwrap();
    assert_eq!(p384.family, AlgorithmFamily::Ec);
    assert_eq!(p384.algorithms, [Algorithm::ES384]);
    let ed = load(ed25519()).unwrap();
    assert_eq!(ed.family, AlgorithmFamily::Ed);
    assert_eq!(ed.algorithms, [Algorithm::EdDSA]);
    // Each key is prepared under its own id.
    assert_ne!(load(p256()).unwrap().id, load(p256()).unwrap().id);
}

#[test]
fn an_alg_member_is_the_only_algorithm_allowed() {
    let key = load(with(rsa(), json!({"alg": "PS384"}))).unwrap();
    assert_eq!(key.algorithms, [Algorithm::PS384]);
    assert_eq!(
        load(with(p384(), json!({"alg": "ES384"})))
            .unwrap()
            .algorithms,
        [Algorithm::ES384]
    );
}

#[test]
fn symmetric_and_unknown_key_types_are_refused() {
    let oct = json!({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", "alg": "HS256"});
    assert!(refusal(oct).contains("\"oct\""));
    let unknown = json!({"kty": "XYZ", "n": "AQAB"});
    assert!(refusal(unknown).contains("key type is unknown"));
    let p521 = json!({"kty": "EC", "crv": "P-521", "x": "AQAB", "y": "AQAB"});
    assert!(refusal(p521).contains("P-521"));
}

#[test]
fn a_key_for_encryption_or_without_verify_is_refused() {
    assert!(refusal(with(rsa(), json!({"use": "enc"}))).contains("\"use\""));
    assert!(refusal(with(rsa(), json!({"key_ops": ["encrypt", "sign"]}))).contains("key_ops"));
    assert!(load(with(rsa(), json!({"use": "sig", "key_ops": ["verify"]}))).is_ok());
}

#[test]
fn an_alg_of_another_key_type_or_curve_is_refused() {
    for (jwk, alg) in [
        (rsa(), "ES256"),
        (rsa(), "HS256"),
        (p256(), "ES384"),
        (p384(), "ES256"),
        (p256(), "RS256"),
        (ed25519(), "ES256"),
    ] {
        let why = refusal(with(jwk, json!({ "alg": alg })));
        assert!(why.contains("does not match"), "{alg}: {why}");
    }
    // Algorithms jwt-ext does not verify with.
    assert!(refusal(with(rsa(), json!({"alg": "RSA-OAEP"}))).contains("not supported"));
    assert!(refusal(with(p256(), json!({"alg": "ES512"}))).contains("not supported"));
}

#[test]
fn keys_of_the_wrong_size_are_refused() {
    // Coordinates of P-384 under the name P-256.
    let mut lying = p384();
    lying["crv"] = "P-256".into();
    assert!(refusal(lying).contains("curve"));
    let short_rsa = json!({"kty": "RSA", "n": &RSA_N[..172], "e": "AQAB"});
    assert!(refusal(short_rsa).contains("bits; RFC 7518 requires at least 2048"));
}

#[test]
fn a_bad_key_among_good_ones_is_skipped_with_its_reason() {
    let (set, skipped) = set(vec![
        with(rsa(), json!({"kid": "r"})),
        json!({"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"}),
        with(p256(), json!({"kid": "e", "use": "enc"})),
        json!("not an object"),
        with(ed25519(), json!({"kid": "d"})),
    ]);
    let kids: Vec<_> = set.keys().iter().map(|k| k.kid.as_deref()).collect();
    assert_eq!(kids, [Some("r"), Some("d")]);
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(skipped[0].starts_with("key 1 (\"kid\" \"hmac\") skipped: "));
    assert!(skipped[1].starts_with("key 2 (\"kid\" \"e\")"));
    assert!(skipped[2].starts_with("key 3 skipped: it is not a JWK"));
}

#[test]
fn a_document_that_is_not_a_set_is_an_error() {
    assert!(JwkSet::parse(b"{").unwrap_err().starts_with("not JSON"));
    assert!(JwkSet::parse(b"{\"keys\": {}}").is_err());
    assert!(JwkSet::parse(b"[]").is_err());
    let (empty, skipped) = JwkSet::parse(b"{\"keys\": []}").unwrap();
    assert!(empty.keys().is_empty() && skipped.is_empty());
}

#[test]
fn find_by_kid_and_alg() {
    let (set, _) = set(vec![
        with(rsa(), json!({"kid": "old", "alg": "RS256"})),
        with(rsa(), json!({"kid": "new"})),
        with(p256(), json!({"kid": "ec"})),
    ]);
    let kid_of = |kid, alg| set.find(kid, alg).and_then(|k| k.kid.as_deref());
    assert_eq!(kid_of(Some("old"), Algorithm::RS256), Some("old"));
    assert_eq!(kid_of(Some("new"), Algorithm::PS256), Some("new"));
    // The key's own `alg` binds it; unknown kids find nothing.
    assert_eq!(kid_of(Some("old"), Algorithm::PS256), None);
    assert_eq!(kid_of(Some("ec"), Algorithm::RS256), None);
    assert_eq!(kid_of(Some("gone"), Algorithm::RS256), None);
    // Without a kid: only when one key alone allows the algorithm.
    assert_eq!(kid_of(None, Algorithm::ES256), Some("ec"));
    assert_eq!(kid_of(None, Algorithm::PS256), Some("new"));
    assert_eq!(kid_of(None, Algorithm::RS256), None);
    assert_eq!(kid_of(None, Algorithm::EdDSA), None);
}
