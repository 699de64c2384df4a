//! The cause kept behind a decode error, and the error itself.

use std::error::Error as StdError;
use std::fmt;

use super::Coding;
use crate::error::{BoxError, Error, ErrorKind};

/// The detailed cause kept as the source of a [`ErrorKind::Decode`] error.
#[derive(Debug)]
pub(super) struct Failure {
    detail: String,
    cause: Option<BoxError>,
}

impl Failure {
    pub(super) fn new(detail: impl Into<String>) -> Self {
        Failure {
            detail: detail.into(),
            cause: None,
        }
    }

    #[cfg(any(feature = "gzip", feature = "deflate", feature = "zstd"))]
    pub(super) fn caused_by(detail: impl Into<String>, cause: impl Into<BoxError>) -> Self {
        Failure {
            detail: detail.into(),
            cause: Some(cause.into()),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl StdError for Failure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn StdError + 'static))
    }
}

pub(super) fn decode_error(coding: Coding, failure: Failure) -> Error {
    Error::new(
        ErrorKind::Decode,
        format!(
            "Received response with content-encoding: {}, but failed to decode it.",
            coding.as_str()
        ),
    )
    .with_source(failure)
}
