//! Start-up errors: bad configuration is refused when the manager is built.

use std::fmt;

/// A configuration that cannot work, with a message that says what to fix.
///
/// Returned by [`JwtManagerBuilder::build`](crate::JwtManagerBuilder::build)
/// and [`JwtManagerBuilder::from_env`](crate::JwtManagerBuilder::from_env),
/// so a misconfigured service stops at start-up instead of failing its first
/// request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }

    /// What is wrong and how to fix it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid jwt-ext configuration: {}", self.message)
    }
}

impl std::error::Error for ConfigError {}
