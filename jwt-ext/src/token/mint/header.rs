//! The JOSE header of a minted token: `typ` and `alg`, the key loader's
//! `kid`, then the loader's and the call's headers; keys sorted, as PyJWT
//! writes them.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::encode_error;
use crate::Failure;
use crate::compat::json_dumps::{KeyOrder, object_to_python_json};
use crate::config::Settings;
use crate::model::algorithm::{alg_name, parse_alg};

/// The base64url header segment of tokens minted with `algorithm`, the
/// manager's key id and no extra header: the same for every such token,
/// so it is written once.
fn default_segment(algorithm: Algorithm, kid: Option<&str>) -> String {
    let mut header = base(algorithm);
    if let Some(kid) = kid {
        header.insert("kid".into(), kid.into());
    }
    encode(&header)
}

/// `typ` and `alg`, the header every token starts from.
fn base(algorithm: Algorithm) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header.insert("alg".into(), alg_name(algorithm).into());
    header
}

fn encode(header: &Map<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(object_to_python_json(header, KeyOrder::Sorted))
}

/// The header segment and the algorithm it names. `kid` is the key
/// loader's, else the manager's key id: flask writes none, so without a
/// configured key id there is none (parity).
pub(super) fn segment<const N: usize>(
    settings: &Settings,
    kid: Option<String>,
    extra: [Map<String, Value>; N],
) -> Result<(Cow<'_, str>, Algorithm), Failure> {
    let own_kid = settings.keys.rotation.kid.as_deref();
    if kid.as_deref() == own_kid && extra.iter().all(Map::is_empty) {
        let minted = settings
            .minted_header
            .get_or_init(|| default_segment(settings.algorithm, own_kid));
        return Ok((Cow::Borrowed(minted), settings.algorithm));
    }
    let mut header = base(settings.algorithm);
    if let Some(kid) = kid {
        header.insert("kid".into(), kid.into());
    }
    for extra in extra {
        header.extend(extra);
    }
    let algorithm = signing_algorithm(settings.algorithm, &mut header)?;
    Ok((Cow::Owned(encode(&header)), algorithm))
}

/// PyJWT lets `alg` in the extra headers change the signing algorithm and
/// `typ: None` drop the `typ` header; both are kept, within the key's family
/// (quirk 17).
fn signing_algorithm(
    configured: Algorithm,
    header: &mut Map<String, Value>,
) -> Result<Algorithm, Failure> {
    if header.get("typ") == Some(&Value::Null) {
        header.remove("typ");
    }
    if header.get("kid").is_some_and(|kid| !kid.is_string()) {
        return Err(encode_error("Key ID header parameter must be a string"));
    }
    let algorithm = match header.get("alg") {
        Some(Value::String(name)) => parse_alg(name),
        _ => None,
    }
    .filter(|alg| alg.family() == configured.family())
    .ok_or_else(|| {
        encode_error(format!(
            "the \"alg\" header must name an algorithm of the configured key's family (\"{}\")",
            alg_name(configured)
        ))
    })?;
    Ok(algorithm)
}
