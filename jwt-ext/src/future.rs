//! The future of the verifying extractors: ready at once on the usual path,
//! boxed only when the request body has to be read first.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::HttpRequest;
use std::task::{Context, Poll};

use crate::callbacks::ErrorResponses;
use crate::in_flight::{InFlight, Outcome};
use crate::state::RequestJwt;
use crate::{Jwt, JwtError, JwtManager};

type Verification = Result<Option<Jwt>, JwtError>;

/// The future of jwt-ext's extractors (`Jwt`, `OptionalJwt`,
/// `JwtIdentity<T>`, the guard of `#[jwt_required]`).
///
/// Verification is synchronous unless a token may sit in a JSON body or a
/// CSRF value in a form field; only then is a future allocated.
#[must_use = "futures do nothing unless polled"]
pub struct VerifyFuture<T> {
    state: State,
    finish: fn(Option<Jwt>) -> Result<T, JwtError>,
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
}

impl<T> VerifyFuture<T> {
    pub(crate) fn ready(
        result: Verification,
        finish: fn(Option<Jwt>) -> Result<T, JwtError>,
    ) -> Self {
        VerifyFuture {
            state: State::Ready(Some(result)),
            finish,
            responses: None,
        }
    }

    pub(crate) fn reading(
        future: impl Future<Output = Verification> + 'static,
        finish: fn(Option<Jwt>) -> Result<T, JwtError>,
    ) -> Self {
        VerifyFuture {
            state: State::Reading(Box::pin(future)),
            finish,
            responses: None,
        }
    }

    /// The outcome of an earlier or running verification of `req`, if any:
    /// extractors after the guard reuse it instead of verifying again.
    pub(crate) fn earlier(
        req: &HttpRequest,
        optional: bool,
        finish: fn(Option<Jwt>) -> Result<T, JwtError>,
    ) -> Option<Self> {
        let state = match (RequestJwt::load(req), InFlight::of(req)) {
            (Some(state), _) => State::Ready(Some(resolve(Ok(state), optional))),
            (None, Some(in_flight)) => State::Waiting {
                in_flight,
                optional,
            },
            (None, None) => return None,
        };
        Some(
            VerifyFuture {
                state,
                finish,
                responses: None,
            }
            .render_with(req),
        )
    }

    /// Renders errors of `finish`, which cannot reach the manager, with the
    /// manager's message key and custom responses.
    pub(crate) fn responses(mut self, responses: Arc<ErrorResponses>) -> Self {
        self.responses = Some(responses);
        self
    }

    /// [`responses`](Self::responses) of the manager registered for `req`.
    pub(crate) fn render_with(self, req: &HttpRequest) -> Self {
        match JwtManager::from_app(req) {
            Ok(manager) => self.responses(manager.settings().responses.clone()),
            Err(_) => self,
        }
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
        };
        Poll::Ready(
            verification
                .and_then(this.finish)
                .map_err(|err| match &this.responses {
                    Some(responses) => err.with_responses(responses.clone()),
                    None => err,
                }),
        )
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
