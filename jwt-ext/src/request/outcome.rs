//! What verification concluded, and the future that hands it over.
//!
//! A request is in one of three states: not verified (the getters say
//! `#[jwt_required]` is missing), optional-and-absent (empty claims, no
//! identity), or verified. The state lives in the request extensions until
//! the response is sent, so middleware running after the handler reads it
//! too. The extractors' future is ready at once on the usual path and
//! boxed only when the body is read or a loader awaited first; a later
//! extractor of the same request reads the stored state, or waits for the
//! verification in flight.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::{HttpMessage, HttpRequest};

use super::VerifyOptions;
use super::in_flight::{InFlight, Outcome};
use crate::error::ErrorResponses;
use crate::{Failure, Jwt, JwtError, JwtErrorKind, JwtManager};

/// What verification concluded for this request.
#[derive(Clone)]
pub(crate) enum RequestJwt {
    Verified(Jwt),
    /// An optional route without a token; keeps the "missing" error for
    /// extractors that require a token anyway.
    Absent(Failure),
}

impl RequestJwt {
    pub(crate) fn store(self, req: &HttpRequest) {
        req.extensions_mut().insert(self);
    }

    pub(crate) fn load(req: &HttpRequest) -> Option<RequestJwt> {
        req.extensions().get::<RequestJwt>().cloned()
    }
}

/// The options [`JwtRequired`](crate::JwtRequired) verified the request
/// with, stored beside its outcome: a `#[jwt_required]` handler inside
/// with the same options reuses that outcome instead of verifying again.
pub(crate) struct VerifiedWith(pub(crate) Arc<VerifyOptions>);

/// Stores the outcome in the request: a verified token, or for an optional
/// route without one, the fact that there is none.
pub(super) fn conclude(
    req: &HttpRequest,
    options: &VerifyOptions,
    outcome: Result<Jwt, Failure>,
) -> Result<Option<Jwt>, Failure> {
    match outcome {
        Ok(jwt) => {
            RequestJwt::Verified(jwt.clone()).store(req);
            Ok(Some(jwt))
        }
        Err(err) if options.optional && err.kind() == JwtErrorKind::NoAuthorization => {
            RequestJwt::Absent(err).store(req);
            Ok(None)
        }
        Err(err) => Err(log_refusal(err)),
    }
}

/// Logs a refusal by its reason (never the token).
pub(super) fn log_refusal(err: Failure) -> Failure {
    tracing::debug!(
        target: "jwt_ext::refusal",
        kind = ?err.kind(),
        reason = err.message(),
        "JWT refused"
    );
    err
}

/// A getter's failure, rendered by the manager registered for `req`.
pub(crate) fn render(req: &HttpRequest, failure: Failure) -> JwtError {
    match JwtManager::from_app(req) {
        Ok(manager) => manager.render(failure),
        Err(_) => failure.without_manager(),
    }
}

type Verification = Result<Option<Jwt>, Failure>;

/// The future of jwt-ext's extractors (`Jwt`, `OptionalJwt`,
/// `JwtIdentity<T>`, the guard of `#[jwt_required]`).
///
/// Verification is synchronous unless a token may sit in a JSON body or a
/// CSRF value in a form field; only then is a future allocated.
#[must_use = "futures do nothing unless polled"]
pub struct VerifyFuture<T> {
    state: State,
    finish: fn(Option<Jwt>) -> Result<T, Failure>,
    /// The manager's rendering: every failure leaves through it.
    responses: Option<Arc<ErrorResponses>>,
}

enum State {
    Ready(Option<Verification>),
    Reading(Pin<Box<dyn Future<Output = Verification>>>),
    /// Another extractor of the request is verifying; use its outcome.
    Waiting {
        in_flight: Rc<InFlight>,
        optional: bool,
    },
    /// No manager is registered: nothing to render with.
    Unregistered(Option<JwtError>),
}

impl<T> VerifyFuture<T> {
    pub(crate) fn ready(
        result: Verification,
        finish: fn(Option<Jwt>) -> Result<T, Failure>,
        responses: &Arc<ErrorResponses>,
    ) -> Self {
        VerifyFuture {
            state: State::Ready(Some(result)),
            finish,
            responses: Some(responses.clone()),
        }
    }

    pub(crate) fn reading(
        future: impl Future<Output = Verification> + 'static,
        finish: fn(Option<Jwt>) -> Result<T, Failure>,
        responses: &Arc<ErrorResponses>,
    ) -> Self {
        VerifyFuture {
            state: State::Reading(Box::pin(future)),
            finish,
            responses: Some(responses.clone()),
        }
    }

    /// The answer when `req` has no manager registered.
    pub(crate) fn unregistered(
        err: JwtError,
        finish: fn(Option<Jwt>) -> Result<T, Failure>,
    ) -> Self {
        VerifyFuture {
            state: State::Unregistered(Some(err)),
            finish,
            responses: None,
        }
    }

    /// The outcome of an earlier or running verification of `req`, if any:
    /// extractors after the guard reuse it instead of verifying again.
    pub(crate) fn earlier(
        req: &HttpRequest,
        optional: bool,
        finish: fn(Option<Jwt>) -> Result<T, Failure>,
    ) -> Option<Self> {
        let state = match (RequestJwt::load(req), InFlight::of(req)) {
            (Some(state), _) => State::Ready(Some(resolve(Ok(state), optional))),
            (None, Some(in_flight)) => State::Waiting {
                in_flight,
                optional,
            },
            (None, None) => return None,
        };
        // A verification ran or runs, so a manager is registered.
        let responses = JwtManager::from_app(req)
            .ok()
            .map(|manager| manager.settings().responses.clone());
        Some(VerifyFuture {
            state,
            finish,
            responses,
        })
    }
}

impl<T> VerifyFuture<T> {
    /// The outcome of the request's verification by
    /// [`JwtRequired`](crate::JwtRequired), when it verified with `options`:
    /// the same verification would give the same answer.
    pub(crate) fn verified_with(
        req: &HttpRequest,
        options: &VerifyOptions,
        finish: fn(Option<Jwt>) -> Result<T, Failure>,
    ) -> Option<Self> {
        let extensions = req.extensions();
        let VerifiedWith(verified) = extensions.get::<VerifiedWith>()?;
        if **verified != *options {
            return None;
        }
        let state = extensions.get::<RequestJwt>()?.clone();
        drop(extensions);
        let responses = JwtManager::from_app(req)
            .ok()
            .map(|manager| manager.settings().responses.clone());
        Some(VerifyFuture {
            state: State::Ready(Some(resolve(Ok(state), options.optional))),
            finish,
            responses,
        })
    }
}

impl<T> Future for VerifyFuture<T> {
    type Output = Result<T, JwtError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let verification = match &mut this.state {
            State::Ready(result) => result.take().expect("VerifyFuture polled after completion"),
            State::Reading(future) => match future.as_mut().poll(cx) {
                Poll::Ready(result) => result,
                Poll::Pending => return Poll::Pending,
            },
            State::Waiting {
                in_flight,
                optional,
            } => match in_flight.poll_outcome(cx) {
                Poll::Ready(outcome) => resolve(outcome, *optional),
                Poll::Pending => return Poll::Pending,
            },
            State::Unregistered(err) => {
                return Poll::Ready(Err(err
                    .take()
                    .expect("VerifyFuture polled after completion")));
            }
        };
        Poll::Ready(verification.and_then(this.finish).map_err(|failure| {
            match &this.responses {
                Some(responses) => failure.render(responses),
                // Unreachable: a stored verification implies a manager.
                None => failure.without_manager(),
            }
        }))
    }
}

/// What an extractor makes of a verification's outcome: a token, none
/// (optional extractors only), or the error.
fn resolve(outcome: Outcome, optional: bool) -> Verification {
    match outcome? {
        RequestJwt::Verified(jwt) => Ok(Some(jwt)),
        RequestJwt::Absent(_) if optional => Ok(None),
        RequestJwt::Absent(missing) => Err(missing),
    }
}
