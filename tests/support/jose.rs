//! Hand-made JOSE objects for the hostile-input tests: tokens over exactly
//! the header and payload bytes given, signed with any key and algorithm,
//! signatures swapped out, and public JWKs turned into the PEM keys jwt-ext
//! takes.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::Value;

use crate::fixtures_dir;

/// Unpadded base64url, as in JWS.
pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Unpadded base64url decoding; panics with the input on failure.
pub fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text)
        .unwrap_or_else(|e| panic!("not base64url ({e}): {text:?}"))
}

/// A committed file of `tests/fixtures`, as bytes, e.g.
/// `key_encodings/rsa_public.der`.
pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    let path = fixtures_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A compact token over exactly these header and payload bytes, signed
/// with `key` under `algorithm`, whatever the header says.
pub fn sign_bytes(
    header: impl AsRef<[u8]>,
    payload: impl AsRef<[u8]>,
    algorithm: Algorithm,
    key: &EncodingKey,
) -> String {
    let signing_input = format!("{}.{}", b64(header), b64(payload));
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), key, algorithm)
        .unwrap_or_else(|e| panic!("signing with {algorithm:?}: {e}"));
    format!("{signing_input}.{signature}")
}

/// An HMAC token over exactly these bytes, keyed with `secret` (any bytes,
/// even empty: HMAC pads keys shorter than the hash block with zeros, so
/// the empty key and the one-zero-byte key give the same MAC, and that one
/// the signing API accepts).
pub fn hmac_token(
    header: impl AsRef<[u8]>,
    payload: impl AsRef<[u8]>,
    algorithm: Algorithm,
    secret: &[u8],
) -> String {
    let secret = if secret.is_empty() {
        &[0u8][..]
    } else {
        secret
    };
    let key = EncodingKey::from_secret(secret).expect("non-empty HMAC key");
    sign_bytes(header, payload, algorithm, &key)
}

/// The signing key of a committed PEM private key (`keys/rsa_private.pem`,
/// `key_encodings/attacker_rsa_private.pem`, …) for `algorithm`'s family.
pub fn private_key(relative: &str, algorithm: Algorithm) -> EncodingKey {
    let pem = fixture_bytes(relative);
    let key = match algorithm {
        Algorithm::RS256
        | Algorithm::RS384
        | Algorithm::RS512
        | Algorithm::PS256
        | Algorithm::PS384
        | Algorithm::PS512 => EncodingKey::from_rsa_pem(&pem),
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(&pem),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&pem),
        _ => EncodingKey::from_secret(&pem),
    };
    key.unwrap_or_else(|e| panic!("{relative} for {algorithm:?}: {e}"))
}

/// `token` with its signature segment replaced by `signature` (raw bytes).
pub fn with_signature(token: &str, signature: &[u8]) -> String {
    let (signing_input, _) = token.rsplit_once('.').expect("a compact token");
    format!("{signing_input}.{}", b64(signature))
}

/// The raw signature bytes of `token`.
pub fn signature_of(token: &str) -> Vec<u8> {
    unb64(token.rsplit_once('.').expect("a compact token").1)
}

// DER, just enough for SubjectPublicKeyInfo.

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn der_unsigned(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    der(0x02, &content)
}

fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![0u8];
    content.extend_from_slice(bytes);
    der(0x03, &content)
}

fn spki(algorithm_identifier: &[u8], key: &[u8]) -> Vec<u8> {
    let mut body = der(0x30, algorithm_identifier);
    body.extend(bit_string(key));
    der(0x30, &body)
}

const OID_RSA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
const OID_EC_P256: &[u8] = &[
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x03, 0x01, 0x07,
];
const OID_EC_P384: &[u8] = &[
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22,
];
const OID_ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];

/// `-----BEGIN PUBLIC KEY-----` text of SPKI DER bytes.
pub fn public_pem(spki_der: &[u8]) -> String {
    let body = STANDARD.encode(spki_der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

/// SPKI DER of an RSA public key from its big-endian modulus and exponent.
pub fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let mut rsa_key = der_unsigned(modulus);
    rsa_key.extend(der_unsigned(exponent));
    spki(OID_RSA, &der(0x30, &rsa_key))
}

/// SPKI DER of an EC public key (an uncompressed SEC1 point) on P-256 or P-384.
pub fn ec_spki(point: &[u8]) -> Result<Vec<u8>, String> {
    match point.len() {
        65 => Ok(spki(OID_EC_P256, point)),
        97 => Ok(spki(OID_EC_P384, point)),
        n => Err(format!(
            "an uncompressed P-256/P-384 point has 65 or 97 bytes, not {n}"
        )),
    }
}

/// SPKI DER of an Ed25519 public key.
pub fn ed25519_spki(key: &[u8]) -> Vec<u8> {
    spki(OID_ED25519, key)
}

/// The PEM public key of a public (or private: only the public members
/// are read) JWK: RSA, EC P-256/P-384, OKP Ed25519.
///
/// # Errors
/// A JWK of another type or curve, or with missing or malformed members.
pub fn jwk_public_pem(jwk: &Value) -> Result<String, String> {
    let member = |name: &str| -> Result<Vec<u8>, String> {
        let text = jwk[name]
            .as_str()
            .ok_or_else(|| format!("JWK member {name} missing"))?;
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|e| format!("JWK member {name}: {e}"))
    };
    let der = match jwk["kty"].as_str() {
        Some("RSA") => rsa_spki(&member("n")?, &member("e")?),
        Some("EC") => {
            let size = match jwk["crv"].as_str() {
                Some("P-256") => 32,
                Some("P-384") => 48,
                other => return Err(format!("unsupported curve {other:?}")),
            };
            let (x, y) = (member("x")?, member("y")?);
            if x.len() != size || y.len() != size {
                return Err("EC coordinates of the wrong size".into());
            }
            let mut point = vec![4u8];
            point.extend(x);
            point.extend(y);
            ec_spki(&point)?
        }
        Some("OKP") if jwk["crv"] == "Ed25519" => ed25519_spki(&member("x")?),
        other => return Err(format!("unsupported key type {other:?}")),
    };
    Ok(public_pem(&der))
}

/// The public key of an OpenSSH `ssh-ed25519` or `ecdsa-sha2-nistp256`
/// line, as PEM: the key is the last field of the wire blob.
pub fn openssh_public_pem(line: &str) -> Result<String, String> {
    let mut words = line.split_whitespace();
    let kind = words.next().ok_or("empty line")?;
    let blob = STANDARD
        .decode(words.next().ok_or("no key blob")?)
        .map_err(|e| e.to_string())?;
    match kind {
        "ssh-ed25519" if blob.len() >= 32 => {
            Ok(public_pem(&ed25519_spki(&blob[blob.len() - 32..])))
        }
        "ecdsa-sha2-nistp256" if blob.len() >= 65 => {
            Ok(public_pem(&ec_spki(&blob[blob.len() - 65..])?))
        }
        other => Err(format!("unsupported OpenSSH key {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwk_to_pem_matches_the_committed_pem() {
        let read = |name: &str| String::from_utf8(fixture_bytes(name)).unwrap();
        for (jwk, pem) in [
            ("key_encodings/rsa_public.jwk.json", "keys/rsa_public.pem"),
            (
                "key_encodings/ec256_public.jwk.json",
                "keys/ec256_public.pem",
            ),
        ] {
            let jwk: Value = serde_json::from_str(&read(jwk)).unwrap();
            assert_eq!(jwk_public_pem(&jwk).unwrap(), read(pem), "{jwk}");
        }
        let ssh = read("key_encodings/ed25519_public.ssh");
        assert_eq!(
            openssh_public_pem(&ssh).unwrap(),
            read("keys/ed25519_public.pem")
        );
        let ssh = read("key_encodings/ec256_public.ssh");
        assert_eq!(
            openssh_public_pem(&ssh).unwrap(),
            read("keys/ec256_public.pem")
        );
    }

    #[test]
    fn the_empty_hmac_key_is_the_zero_byte_key() {
        // HMAC-SHA256 of the empty message under the empty key (a well-known value).
        let key = EncodingKey::from_secret(&[0]).unwrap();
        let mac = jsonwebtoken::crypto::sign(b"", &key, Algorithm::HS256).unwrap();
        let hex: String = unb64(&mac).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        );
    }
}
