//! The request pipeline, top to bottom: what `#[jwt_required]` expands to
//! (the guard), finding the manager, finding the token in the configured
//! locations, decoding it (`token::decode`, which checks everything flask
//! checks, type and freshness included), the loaders when a route awaits
//! any (`loaders`), the route's scopes and roles (`authorize`), and storing
//! the outcome (`outcome`).
//!
//! flask-jwt-extended's `verify_jwt_in_request` and `_decode_jwt_from_request`.

use std::borrow::Cow;
use std::future::{Ready, ready};
use std::marker::PhantomData;
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::VerifyOptions;
use super::authorize::authorize;
use super::in_flight::InFlight;
use super::loaders::{self, run_loaders};
use super::locations::body::{self, Body, BodyLimits};
use super::locations::{self, Found};
use super::options::Names;
use super::outcome::{RequestJwt, VerifyFuture, conclude, log_refusal};
use crate::config::Settings;
use crate::token::decode::{self, DecodeOptions};
use crate::{
    DecodedJwt, Failure, Jwt, JwtError, JwtErrorKind, JwtManager, TokenLocation, TokenType,
};

/// A route's `#[jwt_required(...)]` arguments, as associated consts of a
/// macro-generated zero-sized type: no per-request cost.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set of `#[jwt_required]` options",
    note = "this trait is implemented by the `#[jwt_required]` attribute; do not implement it by hand"
)]
pub trait RouteOptions: 'static {
    /// `optional`.
    const OPTIONAL: bool;
    /// `fresh`.
    const FRESH: bool;
    /// `refresh` gives [`TokenType::Refresh`], otherwise [`TokenType::Access`].
    const TOKEN_TYPE: TokenType;
    /// `verify_type`.
    const VERIFY_TYPE: bool;
    /// `skip_revocation_check`.
    const SKIP_REVOCATION_CHECK: bool;
    /// `locations`; empty means the configured ones.
    const LOCATIONS: &'static [TokenLocation];
    /// `scopes`: every scope the token must grant; empty checks none.
    const SCOPES: &'static [&'static str];
    /// `roles`: every role the configured roles claim must list; empty
    /// checks none.
    const ROLES: &'static [&'static str];
}

/// The options of route `O`, field by field by name: two flags of the same
/// type cannot trade places. Consts only, so nothing is computed per request.
const fn route_options<O: RouteOptions>() -> VerifyOptions {
    VerifyOptions {
        optional: O::OPTIONAL,
        fresh: O::FRESH,
        token_type: O::TOKEN_TYPE,
        locations: Cow::Borrowed(O::LOCATIONS),
        verify_type: O::VERIFY_TYPE,
        skip_revocation_check: O::SKIP_REVOCATION_CHECK,
        scopes: Names::Static(O::SCOPES),
        roles: Names::Static(O::ROLES),
    }
}

/// The hidden first parameter `#[jwt_required]` adds: running first, it
/// authenticates before the handler's own extractors.
pub struct Guard<O: RouteOptions>(PhantomData<O>);

impl<O: RouteOptions> FromRequest for Guard<O> {
    type Error = JwtError;
    type Future = VerifyFuture<Self>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let options = route_options::<O>();
        let finish = |_| Ok(Guard(PhantomData));
        // Inside `JwtRequired` with the same options: its answer stands.
        VerifyFuture::verified_with(req, &options, finish)
            .unwrap_or_else(|| start(req, payload, options, finish))
    }
}

/// Starts verification for an extractor: synchronously unless the body has
/// to be read or a loader awaited, so the plain path allocates no future.
///
/// flask exempts `OPTIONS` (`JWT_EXEMPT_METHODS`), so a view that lists
/// `OPTIONS` runs unauthenticated there; in actix every route registered
/// without a method guard takes `OPTIONS`, so jwt-ext verifies it like any
/// other method.
pub(super) fn start<T>(
    req: &HttpRequest,
    payload: &mut Payload,
    options: VerifyOptions,
    finish: fn(Option<Jwt>) -> Result<T, Failure>,
) -> VerifyFuture<T> {
    let manager = match JwtManager::from_app(req) {
        Ok(manager) => manager,
        Err(err) => return VerifyFuture::unregistered(err, finish),
    };
    let settings = manager.settings();
    let locations = effective_locations(settings, &options);
    let read_body = needs_body(req, settings, locations, options.token_type);
    let awaits = awaits_loaders(settings, options.skip_revocation_check);
    if !read_body && (!awaits || awaits_only_the_store(settings)) {
        let verified = verify_with(req, &Body::NotRead, settings, &options);
        // A key its issuer's remote set lacks: fetch the set, then verify
        // again, on the awaiting path.
        if !matches!(&verified, Err(failure) if failure.refetch().is_some())
            && let Some(outcome) = settled(settings, awaits, verified)
        {
            let outcome = outcome.and_then(|jwt| authorized(settings, &options, jwt));
            return VerifyFuture::ready(
                conclude(req, &options, outcome),
                finish,
                &settings.responses,
            );
        }
    }
    // Only the awaiting path needs its own handle on the manager.
    let manager = manager.clone();
    let settings = manager.settings();
    let limits = BodyLimits {
        bytes: settings.body_limit,
        timeout: settings.body_timeout,
    };
    let read = read_body.then(|| body::buffer(req, payload, limits));
    let in_flight = InFlight::begin(req);
    let req = req.clone();
    let responses = settings.responses.clone();
    VerifyFuture::reading(
        async move {
            let verification = async {
                let body = match read {
                    Some(read) => Body::Read(read.await.map_err(log_refusal)?),
                    None => Body::NotRead,
                };
                run(&req, &manager, &body, options).await
            };
            let result = verification.await;
            // Extractors waiting for this verification see what it stored.
            let outcome = match (&result, RequestJwt::load(&req)) {
                (Err(err), _) => Err(err.clone()),
                (Ok(_), Some(state)) => Ok(state),
                (Ok(_), None) => Err(Failure::not_verified()),
            };
            in_flight.complete(outcome);
            result
        },
        finish,
        &responses,
    )
}

impl JwtManager {
    /// The manager registered in the app: `app_data(JwtManager)` or
    /// `app_data(web::Data<JwtManager>)`.
    ///
    /// # Errors
    /// [`JwtErrorKind::Misconfigured`] (500) when neither is registered.
    pub fn from_app(req: &HttpRequest) -> Result<&JwtManager, JwtError> {
        req.app_data::<JwtManager>()
            .or_else(|| {
                req.app_data::<web::Data<JwtManager>>()
                    .map(|data| data.get_ref())
            })
            .ok_or_else(|| {
                Failure::new(
                    JwtErrorKind::Misconfigured,
                    "No JwtManager is registered: add it with App::app_data(jwt_manager.clone())",
                )
                .without_manager()
            })
    }
}

impl FromRequest for JwtManager {
    type Error = JwtError;
    type Future = Ready<Result<Self, JwtError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(JwtManager::from_app(req).cloned())
    }
}

/// The route's scopes and roles (`authorize`), asked only of a route that
/// names some: the usual route never leaves this file for them.
fn authorized(settings: &Settings, options: &VerifyOptions, jwt: Jwt) -> Result<Jwt, Failure> {
    if options.scopes.is_empty() && options.roles.is_empty() {
        return Ok(jwt);
    }
    authorize(settings, options, jwt)
}

/// Whether verifying awaits something (the revocation store, a blocklist,
/// claims verification or user lookup); otherwise it is synchronous.
/// The outcome without awaiting, when there is no loader to await, or the
/// only one is a revocation store that can answer from its local state
/// (`revocation/check.rs`); `None`: the awaiting path decides.
fn settled(
    settings: &Settings,
    awaits: bool,
    verified: Result<Rc<DecodedJwt>, Failure>,
) -> Option<Result<Jwt, Failure>> {
    let token = match verified {
        Ok(token) => token,
        Err(err) => return Some(Err(err)),
    };
    if awaits && settings.revocation.as_ref()?.revoked_now(&token)? {
        return Some(Err(loaders::revoked(&token)));
    }
    Some(Ok(Jwt {
        token,
        user: None,
        revocation_checked: awaits,
    }))
}

/// Whether the revocation store is the only loader (no blocklist, claims
/// or user loader), so a store that answers at once spares the await.
fn awaits_only_the_store(settings: &Settings) -> bool {
    let callbacks = &settings.callbacks;
    settings.revocation.is_some()
        && callbacks.blocklist.is_none()
        && callbacks.claims_verification.is_none()
        && callbacks.user_lookup.is_none()
}

fn awaits_loaders(settings: &Settings, skip_revocation_check: bool) -> bool {
    let callbacks = &settings.callbacks;
    (!skip_revocation_check && (settings.revocation.is_some() || callbacks.blocklist.is_some()))
        || callbacks.claims_verification.is_some()
        || callbacks.user_lookup.is_some()
}

fn effective_locations<'a>(
    settings: &'a Settings,
    options: &'a VerifyOptions,
) -> &'a [TokenLocation] {
    if options.locations.is_empty() {
        &settings.token_locations
    } else {
        &options.locations
    }
}

/// Whether looking in `locations` needs the request body: a JSON body, or a
/// CSRF value that may be in a form field, reached before a location that
/// holds a token. A request that announces no body is never waited for.
fn needs_body(
    req: &HttpRequest,
    settings: &Settings,
    locations: &[TokenLocation],
    token_type: TokenType,
) -> bool {
    let wants_body = |location: TokenLocation| match location {
        TokenLocation::Json => body::is_json(req),
        TokenLocation::Cookies => locations::cookies::wants_form_body(req, settings, token_type),
        _ => false,
    };
    // Only a JSON body or a form's CSRF field is ever read: a route that
    // looks elsewhere never asks about the body.
    let may_read =
        |location: &TokenLocation| matches!(location, TokenLocation::Json | TokenLocation::Cookies);
    if !locations.iter().any(may_read)
        || !body::may_have_body(req)
        || !locations.iter().any(|&location| wants_body(location))
    {
        return false;
    }
    for &location in locations {
        if wants_body(location) {
            return true;
        }
        // The lookup stops at the first location that is not "missing":
        // no later body is read for it.
        match find_token(req, settings, location, token_type, &Body::NotRead) {
            Err(err) if err.kind() == JwtErrorKind::NoAuthorization => {}
            _ => return false,
        }
    }
    false
}

fn verify_with(
    req: &HttpRequest,
    body: &Body,
    settings: &Settings,
    options: &VerifyOptions,
) -> Result<Rc<DecodedJwt>, Failure> {
    let locations = effective_locations(settings, options);
    let mut missing = Vec::new();
    let mut found = None;
    for &location in locations {
        match find_token(req, settings, location, options.token_type, body) {
            Ok(token) => {
                found = Some((location, token));
                break;
            }
            // Only a missing token moves on to the next location.
            Err(err) if err.kind() == JwtErrorKind::NoAuthorization => {
                if locations.len() == 1 {
                    return Err(err);
                }
                missing.push(err);
            }
            Err(err) => return Err(err),
        }
    }
    let Some((location, found)) = found else {
        return Err(missing_everywhere(locations, missing));
    };
    let options = DecodeOptions {
        csrf_value: found.csrf,
        token_type: options.verify_type.then_some(options.token_type),
        fresh: options.fresh,
        location: Some(location),
        ..DecodeOptions::default()
    };
    let jwt = decode::decode(
        settings,
        &found.token,
        &options,
        settings.clock.now_micros(),
    )?;
    Ok(Rc::new(jwt))
}

/// The token at `location`, or the error of that location (a
/// [`NoAuthorization`](crate::JwtErrorKind::NoAuthorization) error means
/// "not here", and lets the next location be tried). `token_type` picks the
/// cookie, CSRF names and JSON key to read.
fn find_token<'r>(
    req: &'r HttpRequest,
    settings: &Settings,
    location: TokenLocation,
    token_type: TokenType,
    body: &Body,
) -> Result<Found<'r>, Failure> {
    match location {
        TokenLocation::Headers => locations::header::token_from_header(req, settings)
            .map(|token| Found { token, csrf: None }),
        TokenLocation::Cookies => {
            locations::cookies::token_from_cookies(req, settings, token_type, body)
        }
        TokenLocation::QueryString => locations::query::token_from_query(req, settings),
        TokenLocation::Json => locations::json::token_from_json(req, settings, token_type, body),
    }
}

/// flask combines the messages of several locations as
/// `Missing JWT in a, b or c (msg a; msg b; msg c)` (one location gives its
/// own message, returned before this; quirk 21).
fn missing_everywhere(locations: &[TokenLocation], missing: Vec<Failure>) -> Failure {
    let names: Vec<&str> = locations.iter().map(|loc| loc.as_str()).collect();
    let (last, rest) = names
        .split_last()
        .expect("at least one location is configured");
    let reasons: Vec<&str> = missing.iter().map(Failure::message).collect();
    Failure::new(
        JwtErrorKind::NoAuthorization,
        format!(
            "Missing JWT in {} or {last} ({})",
            rest.join(", "),
            reasons.join("; ")
        ),
    )
}

/// The whole pipeline, loaders included, for every method.
pub(super) async fn run(
    req: &HttpRequest,
    manager: &JwtManager,
    body: &Body,
    options: VerifyOptions,
) -> Result<Option<Jwt>, Failure> {
    let settings = manager.settings();
    let outcome = match verify_refetching(req, body, settings, &options).await {
        Ok(token) => run_loaders(manager, token, &options)
            .await
            .and_then(|jwt| authorized(settings, &options, jwt)),
        Err(err) => Err(err),
    };
    conclude(req, &options, outcome)
}

/// [`verify_with`], and when the token names a key its issuer's remote set
/// lacks, once more after fetching the set again (shared with concurrent
/// requests, at most once per cooldown). Still unknown: the refusal stands.
/// Not fetchable: 503, never a pass.
async fn verify_refetching(
    req: &HttpRequest,
    body: &Body,
    settings: &Settings,
    options: &VerifyOptions,
) -> Result<Rc<DecodedJwt>, Failure> {
    let first = verify_with(req, body, settings, options);
    let Some(keys) = first.as_ref().err().and_then(Failure::refetch) else {
        return first;
    };
    if !keys.refetch().await {
        return Err(Failure::new(
            JwtErrorKind::KeysUnavailable,
            "The token's signing keys are unavailable",
        ));
    }
    verify_with(req, body, settings, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skips the revocation check but checks the type.
    struct SkipRevocation;
    impl RouteOptions for SkipRevocation {
        const OPTIONAL: bool = false;
        const FRESH: bool = false;
        const TOKEN_TYPE: TokenType = TokenType::Refresh;
        const VERIFY_TYPE: bool = true;
        const SKIP_REVOCATION_CHECK: bool = true;
        const LOCATIONS: &'static [TokenLocation] = &[TokenLocation::Cookies];
        const SCOPES: &'static [&'static str] = &["read", "write"];
        const ROLES: &'static [&'static str] = &[];
    }

    /// The mirror image: accepts any type but checks revocation.
    struct AnyType;
    impl RouteOptions for AnyType {
        const OPTIONAL: bool = true;
        const FRESH: bool = true;
        const TOKEN_TYPE: TokenType = TokenType::Access;
        const VERIFY_TYPE: bool = false;
        const SKIP_REVOCATION_CHECK: bool = false;
        const LOCATIONS: &'static [TokenLocation] = &[];
        const SCOPES: &'static [&'static str] = &[];
        const ROLES: &'static [&'static str] = &["admin"];
    }

    // Built at compile time, as the guard's options are: nothing per request.
    const _: () = {
        let options = route_options::<SkipRevocation>();
        assert!(options.verify_type && options.skip_revocation_check);
        std::mem::forget(options);
    };

    #[test]
    fn each_const_lands_in_the_option_of_its_name() {
        assert_eq!(
            route_options::<SkipRevocation>(),
            VerifyOptions::new()
                .token_type(TokenType::Refresh)
                .locations([TokenLocation::Cookies])
                .verify_type(true)
                .skip_revocation_check(true)
                .scopes(["read", "write"])
        );
        assert_eq!(
            route_options::<AnyType>(),
            VerifyOptions::new()
                .optional(true)
                .fresh(true)
                .refresh(false)
                .verify_type(false)
                .skip_revocation_check(false)
                .roles(["admin"])
        );
        assert_ne!(
            route_options::<SkipRevocation>(),
            route_options::<AnyType>()
        );
    }
}
