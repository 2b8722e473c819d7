//! The compact serialisation: three base64url segments, checked in PyJWT's
//! order with PyJWT's messages, but strictly (no padding, no stray bytes, no
//! non-canonical trailing bits); and one pass over the header and one over
//! the payload that read what the checks need, without building the maps.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::Failure;
use crate::compat::python_json;
use crate::model::ClaimDefaults;

/// A token split and decoded, its signature not yet checked.
pub(crate) struct Segments<'a> {
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    /// The header's JSON, checked whole; `DecodedJwt::header` parses it
    /// into a map if asked.
    pub(crate) header: Vec<u8>,
    /// The header's `alg`: absent (`None`), or an algorithm jwt-ext knows
    /// (`Some(None)` for another name or a value that is not a string).
    pub(crate) alg: Option<Option<Algorithm>>,
    /// The header's `kid` (a `kid` that is not a string was refused).
    pub(crate) kid: Option<String>,
    /// The payload's JSON; [`Segments::claims`] reads it.
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

/// Splits and decodes `token`; every structural error surfaces here or in
/// [`Segments::claims`], before any key is chosen or any signature computed.
pub(crate) fn split(token: &str, max_size: usize) -> Result<Segments<'_>, Failure> {
    if token.len() > max_size {
        return Err(Failure::invalid_token(format!(
            "Token is larger than the maximum of {max_size} bytes"
        )));
    }
    let (signing_input, crypto_segment) = token
        .rsplit_once('.')
        .ok_or_else(|| Failure::invalid_token("Not enough segments"))?;
    let (header_segment, payload_segment) = signing_input
        .split_once('.')
        .ok_or_else(|| Failure::invalid_token("Not enough segments"))?;

    let header_bytes = decode_segment(header_segment, "header")?;
    let header = match pass(&header_bytes, HeaderMembers::default()) {
        Ok(Some(members)) => members,
        Ok(None) => {
            return Err(Failure::invalid_token(
                "Invalid header string: must be a json object",
            ));
        }
        Err(e) => return Err(invalid_json("header", &header_bytes, &e)),
    };
    // A `.` in the payload segment (more than three segments) is not base64url.
    let payload = decode_segment(payload_segment, "payload")?;
    let signature = decode_segment(crypto_segment, "crypto")?;
    validate_header(&header)?;
    let alg = header
        .alg
        .map(|alg| alg.as_str().and_then(|name| name.parse().ok()));
    let kid = header.kid.and_then(|kid| kid.as_str().map(str::to_owned));
    Ok(Segments {
        signing_input,
        header: header_bytes,
        alg,
        kid,
        payload,
        signature,
    })
}

impl Segments<'_> {
    /// Parses the payload in one pass, keeping only the claims the checks
    /// read ([`Registered`]); the claims map is built later, and only if
    /// someone asks for it (`DecodedJwt::claims`).
    pub(crate) fn claims(&self, identity_claim: &str) -> Result<Registered<'_>, Failure> {
        let members = PayloadMembers {
            identity_claim,
            registered: Registered::default(),
        };
        match pass(&self.payload, members) {
            Ok(Some(members)) => Ok(members.registered),
            Ok(None) => Err(Failure::invalid_token(
                "Invalid payload string: must be a json object",
            )),
            Err(e) => Err(invalid_json("payload", &self.payload, &e)),
        }
    }
}

/// PyJWT's message for a segment that is not JSON: Python's `json` error
/// text where Python refuses the bytes too, serde_json's where only
/// jwt-ext does (see `python_json`).
#[cold]
fn invalid_json(name: &str, bytes: &[u8], err: &serde_json::Error) -> Failure {
    let text = python_json::error_text(bytes).unwrap_or_else(|| err.to_string());
    Failure::invalid_token(format!("Invalid {name} string: {text}"))
}

fn decode_segment(segment: &str, name: &str) -> Result<Vec<u8>, Failure> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Failure::invalid_token(format!("Invalid {name} padding")))
}

/// PyJWT's header checks: `kid` is a string; `crit` lists only understood
/// extensions (jwt-ext understands none, so any `crit` is refused).
fn validate_header(header: &HeaderMembers<'_>) -> Result<(), Failure> {
    if matches!(header.kid, Some(Claim::Other(_))) {
        return Err(Failure::invalid_token(
            "Key ID header parameter must be a string",
        ));
    }
    if let Some(crit) = &header.crit {
        // PyJWT walks the list and stops at the first extension it cannot
        // use; jwt-ext understands none, so the first one decides (quirk 12).
        return Err(Failure::invalid_token(match crit {
            Claim::Other(Value::Array(items)) => match items.first() {
                None => "Invalid 'crit' header: must be a non-empty list".to_owned(),
                Some(Value::String(ext)) => format!("Unsupported critical extension: {ext}"),
                Some(_) => "Invalid 'crit' header: values must be strings".to_owned(),
            },
            _ => "Invalid 'crit' header: must be a non-empty list".to_owned(),
        }));
    }
    if header.b64 == Some(Claim::Other(Value::Bool(false))) {
        return Err(Failure::invalid_token(
            "The 'b64' header parameter requires 'b64' to be listed in 'crit'.",
        ));
    }
    Ok(())
}

/// A member as a pass reads it: a string borrowed from the segment when
/// it has no escapes, any other value as a `Value`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Claim<'a> {
    Str(Cow<'a, str>),
    Other(Value),
}

impl Claim<'_> {
    /// The string, if the claim is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Claim::Str(s) => Some(s),
            Claim::Other(_) => None,
        }
    }

    /// The claim as the `Value` a claims map would hold.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Claim::Str(s) => Value::String(s.as_ref().to_owned()),
            Claim::Other(value) => value.clone(),
        }
    }

    /// The claim as a `Value`, without copying a string already owned.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Claim::Str(s) => Value::String(s.into_owned()),
            Claim::Other(value) => value,
        }
    }
}

/// The claims the checks read, found in the one pass over the payload:
/// PyJWT's registered claims, flask's own, and the configured identity
/// claim. A repeated name keeps its last value, as in a `Value` map.
#[derive(Clone, Debug, Default)]
pub(crate) struct Registered<'a> {
    pub(crate) iat: Option<Claim<'a>>,
    pub(crate) nbf: Option<Claim<'a>>,
    pub(crate) exp: Option<Claim<'a>>,
    pub(crate) iss: Option<Claim<'a>>,
    pub(crate) aud: Option<Claim<'a>>,
    pub(crate) sub: Option<Claim<'a>>,
    pub(crate) jti: Option<Claim<'a>>,
    pub(crate) token_type: Option<Claim<'a>>,
    pub(crate) fresh: Option<Claim<'a>>,
    pub(crate) csrf: Option<Claim<'a>>,
    /// jwt-ext's refresh family (`fam`), read by the revocation check.
    pub(crate) fam: Option<Claim<'a>>,
    /// The configured identity claim (`sub` by default).
    pub(crate) identity: Option<Claim<'a>>,
}

impl Registered<'_> {
    /// The defaults flask gives the claims this payload lacks.
    pub(crate) fn defaults(&self) -> ClaimDefaults {
        ClaimDefaults {
            token_type: self.token_type.is_none(),
            fresh: self.fresh.is_none(),
            jti: self.jti.is_none(),
        }
    }
}

// One pass over a segment's JSON: serde_json's whole grammar applied, as
// parsing into a `Value` applies it (the same bytes accepted, the same
// errors at the same places), keeping only the members a `Members` names.
// A member kept is a `Claim`, every other value is read and dropped
// without being built.

/// What a pass keeps of an object's members.
trait Members<'de> {
    /// Where a kept member goes.
    type Slot: Copy;

    /// The slot of the member `name`; `None` drops it.
    fn slot(&self, name: &str) -> Option<Self::Slot>;

    /// Keeps a member's value.
    fn keep(&mut self, slot: Self::Slot, value: Claim<'de>);
}

/// `bytes` read with `members`: `Some` of them for an object, `None` for
/// another JSON value.
fn pass<'de, M: Members<'de>>(
    bytes: &'de [u8],
    members: M,
) -> Result<Option<M>, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let members = deserializer.deserialize_any(Pass(members))?;
    deserializer.end()?;
    Ok(members)
}

/// The header members the checks read.
#[derive(Default)]
struct HeaderMembers<'a> {
    alg: Option<Claim<'a>>,
    kid: Option<Claim<'a>>,
    crit: Option<Claim<'a>>,
    b64: Option<Claim<'a>>,
}

#[derive(Clone, Copy)]
enum HeaderSlot {
    Alg,
    Kid,
    Crit,
    B64,
}

impl<'de> Members<'de> for HeaderMembers<'de> {
    type Slot = HeaderSlot;

    fn slot(&self, name: &str) -> Option<HeaderSlot> {
        Some(match name {
            "alg" => HeaderSlot::Alg,
            "kid" => HeaderSlot::Kid,
            "crit" => HeaderSlot::Crit,
            "b64" => HeaderSlot::B64,
            _ => return None,
        })
    }

    fn keep(&mut self, slot: HeaderSlot, value: Claim<'de>) {
        *match slot {
            HeaderSlot::Alg => &mut self.alg,
            HeaderSlot::Kid => &mut self.kid,
            HeaderSlot::Crit => &mut self.crit,
            HeaderSlot::B64 => &mut self.b64,
        } = Some(value);
    }
}

/// The payload members the checks read, and the configured identity claim.
struct PayloadMembers<'i, 'a> {
    identity_claim: &'i str,
    registered: Registered<'a>,
}

#[derive(Clone, Copy)]
enum Slot {
    Iat,
    Nbf,
    Exp,
    Iss,
    Aud,
    Sub,
    Jti,
    Type,
    Fresh,
    Csrf,
    Fam,
}

/// A payload member's slot, and whether it is the identity claim as well.
#[derive(Clone, Copy)]
struct PayloadSlot {
    slot: Option<Slot>,
    identity: bool,
}

impl<'de> Members<'de> for PayloadMembers<'_, 'de> {
    type Slot = PayloadSlot;

    fn slot(&self, name: &str) -> Option<PayloadSlot> {
        let slot = match name {
            "iat" => Some(Slot::Iat),
            "nbf" => Some(Slot::Nbf),
            "exp" => Some(Slot::Exp),
            "iss" => Some(Slot::Iss),
            "aud" => Some(Slot::Aud),
            "sub" => Some(Slot::Sub),
            "jti" => Some(Slot::Jti),
            "type" => Some(Slot::Type),
            "fresh" => Some(Slot::Fresh),
            "csrf" => Some(Slot::Csrf),
            "fam" => Some(Slot::Fam),
            _ => None,
        };
        let identity = name == self.identity_claim;
        (slot.is_some() || identity).then_some(PayloadSlot { slot, identity })
    }

    fn keep(&mut self, PayloadSlot { slot, identity }: PayloadSlot, value: Claim<'de>) {
        let registered = &mut self.registered;
        let Some(slot) = slot else {
            registered.identity = Some(value);
            return;
        };
        if identity {
            registered.identity = Some(value.clone());
        }
        *match slot {
            Slot::Iat => &mut registered.iat,
            Slot::Nbf => &mut registered.nbf,
            Slot::Exp => &mut registered.exp,
            Slot::Iss => &mut registered.iss,
            Slot::Aud => &mut registered.aud,
            Slot::Sub => &mut registered.sub,
            Slot::Jti => &mut registered.jti,
            Slot::Type => &mut registered.token_type,
            Slot::Fresh => &mut registered.fresh,
            Slot::Csrf => &mut registered.csrf,
            Slot::Fam => &mut registered.fam,
        } = Some(value);
    }
}

/// The visitor of a segment's top-level value.
struct Pass<M>(M);

impl<'de, M: Members<'de>> Visitor<'de> for Pass<M> {
    type Value = Option<M>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Self::Value, A::Error> {
        let mut members = self.0;
        while let Some(slot) = entries.next_key_seed(Name(&members, PhantomData))? {
            match slot {
                Some(slot) => {
                    let value = entries.next_value::<Claim<'de>>()?;
                    members.keep(slot, value);
                }
                None => entries.next_value::<Skip>().map(drop)?,
            }
        }
        Ok(Some(members))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
        while items.next_element::<Skip>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A member's name, classified by `M` without being copied.
struct Name<'m, 'de, M>(&'m M, PhantomData<&'de ()>);

impl<'de, M: Members<'de>> DeserializeSeed<'de> for Name<'_, 'de, M> {
    type Value = Option<M::Slot>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, M: Members<'de>> Visitor<'de> for Name<'_, 'de, M> {
    type Value = Option<M::Slot>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(self.0.slot(name))
    }
}

impl<'de> Deserialize<'de> for Claim<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ClaimVisitor)
    }
}

struct ClaimVisitor;

// Every value but a string becomes what `Value`'s own visitor makes of it.
impl<'de> Visitor<'de> for ClaimVisitor {
    type Value = Claim<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Claim<'de>, E> {
        Ok(Claim::Str(Cow::Borrowed(s)))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Claim<'de>, E> {
        Ok(Claim::Str(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Claim<'de>, E> {
        Ok(Claim::Str(Cow::Owned(s)))
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Claim<'de>, E> {
        Ok(Claim::Other(Value::Bool(b)))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Claim<'de>, E> {
        Ok(Claim::Other(Value::from(n)))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Claim<'de>, E> {
        Ok(Claim::Other(Value::from(n)))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Claim<'de>, E> {
        Ok(Claim::Other(Value::from(n)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Claim<'de>, E> {
        Ok(Claim::Other(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, items: A) -> Result<Claim<'de>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(items)).map(Claim::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, entries: A) -> Result<Claim<'de>, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(entries)).map(Claim::Other)
    }
}

/// A member no check reads: parsed, not built.
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Skip, A::Error> {
        while items.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Skip, A::Error> {
        while entries.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn message(token: &str) -> String {
        match split(token, 8192).and_then(|segments| segments.claims("sub").map(drop)) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.message().to_owned(),
        }
    }

    fn token(header: &str, payload: &str) -> String {
        format!("{}.{}.{}", b64(header), b64(payload), b64("sig"))
    }

    #[test]
    fn structure_messages_follow_pyjwt() {
        assert_eq!(message("abc"), "Not enough segments");
        assert_eq!(message("a.b"), "Not enough segments");
        assert_eq!(message("a.b.c"), "Invalid header padding");
        let h = b64(r#"{"alg":"HS256"}"#);
        assert_eq!(message(&format!("{h}.a.b.c")), "Invalid payload padding");
        assert_eq!(
            message(&format!("{h}.{}.a", b64("{}"))),
            "Invalid crypto padding"
        );
        assert_eq!(
            message(&token("[]", "{}")),
            "Invalid header string: must be a json object"
        );
        assert_eq!(
            message(&token("{}", "[]")),
            "Invalid payload string: must be a json object"
        );
        // Python's `json` texts, as PyJWT's messages embed them (quirk 16).
        assert_eq!(
            message(&token("{", "{}")),
            "Invalid header string: Expecting property name enclosed in double quotes: \
             line 1 column 2 (char 1)"
        );
        assert_eq!(
            message(&token("{}", "nope")),
            "Invalid payload string: Expecting value: line 1 column 1 (char 0)"
        );
        // Python reads `NaN`; only jwt-ext refuses it, in serde_json's words.
        assert_eq!(
            message(&token("{}", r#"{"exp":NaN}"#)),
            "Invalid payload string: expected value at line 1 column 8"
        );
        assert_eq!(message(&token("{}", "{}")), "ok");
    }

    #[test]
    fn base64_is_strict() {
        let good = token(r#"{"alg":"HS256"}"#, r#"{"sub":"a"}"#);
        let (h, rest) = good.split_once('.').unwrap();
        assert_eq!(message(&format!("{h}=.{rest}")), "Invalid header padding");
        assert_eq!(message(&format!("{h}.+{rest}")), "Invalid payload padding");
        // "AA" is one zero byte; "AB" encodes the same byte with non-zero trailing bits.
        assert_eq!(message(&format!("{h}.{}.AA", b64("{}"))), "ok");
        assert_eq!(
            message(&format!("{h}.{}.AB", b64("{}"))),
            "Invalid crypto padding"
        );
        assert_eq!(
            message(&format!("{h}.{}.c2ln\n", b64("{}"))),
            "Invalid crypto padding"
        );
    }

    #[test]
    fn header_checks() {
        assert_eq!(
            message(&token(r#"{"kid":5}"#, "{}")),
            "Key ID header parameter must be a string"
        );
        assert_eq!(
            message(&token(r#"{"crit":["x-custom"]}"#, "{}")),
            "Unsupported critical extension: x-custom"
        );
        assert_eq!(
            message(&token(r#"{"crit":[]}"#, "{}")),
            "Invalid 'crit' header: must be a non-empty list"
        );
        assert_eq!(
            message(&token(r#"{"crit":"b64"}"#, "{}")),
            "Invalid 'crit' header: must be a non-empty list"
        );
        assert_eq!(
            message(&token(r#"{"crit":[123]}"#, "{}")),
            "Invalid 'crit' header: values must be strings"
        );
    }

    #[test]
    fn oversized_tokens_are_refused_before_decoding() {
        let big = "a".repeat(9000);
        assert_eq!(
            message(&big),
            "Token is larger than the maximum of 8192 bytes"
        );
        // Many dots: split once from each end, no per-dot work.
        let dots = ".".repeat(8000);
        assert_eq!(
            message(&dots),
            "Invalid header string: Expecting value: line 1 column 1 (char 0)"
        );
    }
}

#[cfg(test)]
mod object_tests {
    use super::*;

    fn parse(json: &str) -> Result<Option<Option<Value>>, String> {
        pass(json.as_bytes(), HeaderMembers::default())
            .map(|members| members.map(|members| members.alg.map(Claim::into_value)))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn members_keep_value_semantics() {
        let json = r#"{"alg":1,"a":{"x":[1,2.5,"s",null,true]},"alg":{"b":[2]}}"#;
        let value: Value = serde_json::from_str(json).unwrap();
        assert_eq!(parse(json).unwrap(), Some(Some(value["alg"].clone())));
        assert_eq!(
            parse(r#"{"alg":"a\u00e9"}"#).unwrap(),
            Some(Some("aé".into()))
        );
        assert_eq!(parse("{}").unwrap(), Some(None));
    }

    #[test]
    fn other_values_are_not_objects_and_bad_json_is_an_error() {
        for json in ["[]", "[1,[2]]", "1", "-1", "1.5", "\"s\"", "null", "true"] {
            assert_eq!(parse(json), Ok(None), "{json}");
        }
        let deep = "[".repeat(10_000);
        let deep_member = format!("{{\"x\":{}", "[".repeat(200));
        for json in [
            "[1,",
            "{",
            "{} x",
            "[] x",
            "",
            "{\"a\":}",
            &deep,
            &deep_member,
        ] {
            let ours = parse(json).unwrap_err();
            let values = serde_json::from_str::<Value>(json).unwrap_err().to_string();
            assert_eq!(ours, values, "{json}");
        }
    }
}

#[cfg(test)]
mod payload_tests {
    use serde_json::Map;

    use super::*;

    /// The payload pass's verdict on `json`: the registered claims, or the
    /// error serde_json raised.
    fn payload<'a>(json: &'a str, identity: &str) -> Result<Option<Registered<'a>>, String> {
        let members = PayloadMembers {
            identity_claim: identity,
            registered: Registered::default(),
        };
        super::pass(json.as_bytes(), members)
            .map(|members| members.map(|members| members.registered))
            .map_err(|e| e.to_string())
    }

    fn value_of(claim: &Option<Claim<'_>>) -> Option<Value> {
        claim.as_ref().map(Claim::to_value)
    }

    #[test]
    fn accepts_and_refuses_what_value_does() {
        let deep = format!("{{\"x\":{}", "[".repeat(200));
        let corpus = [
            r#"{"sub":"a","x":{"y":[1,2.5,"s",null,true,{"z":"\u00e9"}]}}"#,
            r#"{"sub":"a","x":1e400}"#,
            r#"{"sub":"a","x":"\ud800"}"#,
            r#"{"sub":"a","x":"\q"}"#,
            r#"{"sub":"a","x":[1,]}"#,
            r#"{"sub":"a","x":{"k":1,}}"#,
            r#"{"sub":"a",}"#,
            r#"{"sub":"a"} x"#,
            r#"{"sub":"a","x":01}"#,
            r#"{"sub":"a","x":-}"#,
            r#"{"sub":"a","x":tru}"#,
            r#"{"sub":"a","x":NaN}"#,
            r#"{"sub":1e400}"#,
            r#"{"sub":"\ud800"}"#,
            r#"{"\ud800":1}"#,
            r#"{"x\u0000":[{"a":{}}]}"#,
            r#"[1,[2,{"a":}]]"#,
            r#"[1,[2,{"a":3}]]"#,
            "\"s\"",
            "",
            "{",
            &deep,
        ];
        for json in corpus {
            let value = serde_json::from_str::<Value>(json);
            match (payload(json, "sub"), value) {
                (Ok(Some(_)), Ok(Value::Object(_))) | (Ok(None), Ok(_)) => {}
                (Err(ours), Err(theirs)) => assert_eq!(ours, theirs.to_string(), "{json}"),
                (ours, theirs) => panic!("{json}: {ours:?} but Value: {theirs:?}"),
            }
        }
        // Invalid UTF-8 in a member no check reads is refused as `Value` refuses it.
        let bytes = b"{\"sub\":\"a\",\"x\":\"\xff\"}";
        let members = PayloadMembers {
            identity_claim: "sub",
            registered: Registered::default(),
        };
        let ours = super::pass(bytes, members).map(drop).unwrap_err();
        let theirs = serde_json::from_slice::<Value>(bytes).unwrap_err();
        assert_eq!(ours.to_string(), theirs.to_string());
    }

    #[test]
    fn mutated_payloads_are_judged_as_value_judges_them() {
        let base = br#"{"fresh":false,"iat":1,"jti":"a\u00e9","type":"access","sub":{"id":[1,2.5]},"nbf":1,"csrf":"c","exp":2,"x":[null,true,"s"]}"#;
        let alphabet = b"{}[]\",:\\u0123456789eE+-.truefalsnl \x7f\xc3\xa9\xff";
        // A fixed linear congruential sequence: the same mutations every run.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % bound
        };
        for _ in 0..20_000 {
            let mut bytes = base.to_vec();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len());
                match next(3) {
                    0 => bytes[at] = alphabet[next(alphabet.len())],
                    1 => bytes.insert(at, alphabet[next(alphabet.len())]),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            let members = PayloadMembers {
                identity_claim: "sub",
                registered: Registered::default(),
            };
            let ours = super::pass(&bytes, members).map(|members| members.is_some());
            let theirs = serde_json::from_slice::<Value>(&bytes).map(|value| value.is_object());
            match (ours, theirs) {
                (Ok(ours), Ok(theirs)) => assert_eq!(ours, theirs, "{bytes:?}"),
                (Err(ours), Err(theirs)) => {
                    assert_eq!(ours.to_string(), theirs.to_string(), "{bytes:?}");
                }
                (ours, theirs) => panic!("{bytes:?}: {ours:?} but Value: {theirs:?}"),
            }
        }
    }

    #[test]
    fn reads_the_claims_a_map_holds() {
        let json = r#"{"fresh":1.5,"iat":1,"jti":"j\n","type":"refresh","sub":{"id":7},"nbf":2,
            "csrf":"c","aud":["a"],"iss":"i","exp":3,"custom":[1,{"x":"y"}],"exp":4}"#;
        let map: Map<String, Value> = serde_json::from_str(json).unwrap();
        let registered = payload(json, "sub").unwrap().unwrap();
        for (name, claim) in [
            ("iat", &registered.iat),
            ("nbf", &registered.nbf),
            ("exp", &registered.exp),
            ("iss", &registered.iss),
            ("aud", &registered.aud),
            ("sub", &registered.sub),
            ("jti", &registered.jti),
            ("type", &registered.token_type),
            ("fresh", &registered.fresh),
            ("csrf", &registered.csrf),
            ("sub", &registered.identity),
        ] {
            assert_eq!(value_of(claim).as_ref(), map.get(name), "{name}");
        }
        // A repeated name takes its last value, as in the map.
        assert_eq!(value_of(&registered.exp), Some(Value::from(4)));
        assert_eq!(registered.defaults(), ClaimDefaults::default());

        // Another identity claim, registered or not.
        let registered = payload(json, "custom").unwrap().unwrap();
        assert_eq!(value_of(&registered.identity).as_ref(), map.get("custom"));
        let registered = payload(json, "iss").unwrap().unwrap();
        assert_eq!(value_of(&registered.identity), Some(Value::from("i")));
        assert_eq!(value_of(&registered.iss), Some(Value::from("i")));

        let registered = payload(r#"{"user":"a"}"#, "sub").unwrap().unwrap();
        assert!(registered.identity.is_none() && registered.sub.is_none());
        assert_eq!(
            registered.defaults(),
            ClaimDefaults {
                token_type: true,
                fresh: true,
                jti: true
            }
        );
    }
}
