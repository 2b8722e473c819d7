//! A verification still running when the handler's next extractors are
//! built.
//!
//! actix builds every extractor of a handler before polling any. When the
//! guard of `#[jwt_required]` has to await something (a loader, the body),
//! a `Jwt` or `CurrentUser` parameter after it must not verify again with
//! its own defaults: it waits for the guard's outcome instead.

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use actix_web::{HttpMessage, HttpRequest};

use super::outcome::RequestJwt;
use crate::Failure;

/// The outcome shared with waiting extractors.
pub(crate) type Outcome = Result<RequestJwt, Failure>;

/// A verification in progress for one request.
#[derive(Default)]
pub(crate) struct InFlight {
    outcome: RefCell<Option<Outcome>>,
    wakers: RefCell<Vec<Waker>>,
}

impl InFlight {
    /// Registers a new verification of `req`.
    pub(crate) fn begin(req: &HttpRequest) -> Rc<InFlight> {
        let in_flight = Rc::new(InFlight::default());
        req.extensions_mut().insert(in_flight.clone());
        in_flight
    }

    /// The verification of `req` in progress, if any.
    pub(crate) fn of(req: &HttpRequest) -> Option<Rc<InFlight>> {
        req.extensions().get::<Rc<InFlight>>().cloned()
    }

    pub(crate) fn complete(&self, outcome: Outcome) {
        *self.outcome.borrow_mut() = Some(outcome);
        for waker in self.wakers.borrow_mut().drain(..) {
            waker.wake();
        }
    }

    pub(crate) fn poll_outcome(&self, cx: &mut Context<'_>) -> Poll<Outcome> {
        match &*self.outcome.borrow() {
            Some(outcome) => Poll::Ready(outcome.clone()),
            None => {
                self.wakers.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
