//! The future of the verifying extractors: ready at once on the usual path,
//! boxed only when the request body has to be read first.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::{Jwt, JwtError};

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
    message_key: Option<Arc<str>>,
}

enum State {
    Ready(Option<Verification>),
    Reading(Pin<Box<dyn Future<Output = Verification>>>),
}

impl<T> VerifyFuture<T> {
    pub(crate) fn ready(
        result: Verification,
        finish: fn(Option<Jwt>) -> Result<T, JwtError>,
    ) -> Self {
        VerifyFuture {
            state: State::Ready(Some(result)),
            finish,
            message_key: None,
        }
    }

    pub(crate) fn reading(
        future: impl Future<Output = Verification> + 'static,
        finish: fn(Option<Jwt>) -> Result<T, JwtError>,
    ) -> Self {
        VerifyFuture {
            state: State::Reading(Box::pin(future)),
            finish,
            message_key: None,
        }
    }

    /// The message key for errors of `finish`, which cannot reach the manager.
    pub(crate) fn message_key(mut self, key: Arc<str>) -> Self {
        self.message_key = Some(key);
        self
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
        };
        Poll::Ready(
            verification
                .and_then(this.finish)
                .map_err(|err| match &this.message_key {
                    Some(key) => err.with_message_key(key.clone()),
                    None => err,
                }),
        )
    }
}
