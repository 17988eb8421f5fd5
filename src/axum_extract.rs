//! [`Verified`] as an axum extractor (feature `axum`).

use std::convert::Infallible;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::response::Rejection;
use crate::verifier::Verified;

/// Rejection of the [`Verified`] extractor when no
/// [`VerifyWebhookLayer`](crate::tower::VerifyWebhookLayer) ran before the handler: a
/// configuration mistake, answered with `500` and a message naming the missing layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingVerifyLayer;

impl MissingVerifyLayer {
    const MESSAGE: &'static str = "`Verified` extractor used without \
        `webhook_guard::tower::VerifyWebhookLayer` on this route: add it with \
        `.route_layer(VerifyWebhookLayer::new(verifier))`";
}

impl std::fmt::Display for MissingVerifyLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for MissingVerifyLayer {}

impl IntoResponse for MissingVerifyLayer {
    fn into_response(self) -> Response {
        tracing::error!("{}", Self::MESSAGE);
        crate::tower::to_response(Rejection::custom(
            500,
            "missing_webhook_guard",
            Self::MESSAGE,
        ))
        .map(axum_core::body::Body::new)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = MissingVerifyLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Verified>()
            .cloned()
            .ok_or(MissingVerifyLayer)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Verified {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Verified>().cloned())
    }
}
