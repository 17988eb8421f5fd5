//! The actix-web middleware through a real `App` (`actix_web::test`): status, whether the
//! handler ran, and the exact bytes it received through each body extractor.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::{test, web, App, HttpResponse};
use common::{body_with_id, ALL, P};
use futures_util::StreamExt;
use webhook_guard::actix::VerifyWebhook;
use webhook_guard::{Verified, Verifier};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn req(path: &str, headers: &[(String, String)], body: Vec<u8>) -> actix_http::Request {
    let mut r = test::TestRequest::post().uri(path);
    for (k, v) in headers {
        r = r.insert_header((k.as_str(), v.as_str()));
    }
    r.set_payload(body).to_request()
}

#[derive(serde::Deserialize)]
struct Event {
    id: String,
}

#[actix_web::test]
async fn exact_bytes_through_bytes_json_and_payload_extractors() {
    for p in ALL.into_iter().filter(|p| p.json_with_id()) {
        let secret = p.secret(0);
        let verifier = p.verifier(std::slice::from_ref(&secret));
        let calls = Arc::new(AtomicUsize::new(0));
        let (c1, c2, c3, c4) = (calls.clone(), calls.clone(), calls.clone(), calls.clone());
        let app =
            test::init_service(
                App::new().service(
                    web::scope("")
                        .wrap(VerifyWebhook::new(verifier))
                        .route(
                            "/bytes",
                            web::post().to(move |v: Verified, body: web::Bytes| {
                                c1.fetch_add(1, Ordering::SeqCst);
                                let id = v.event_id().unwrap_or_default().to_string();
                                async move {
                                    HttpResponse::Ok().body([id.as_bytes(), b"|", &body].concat())
                                }
                            }),
                        )
                        .route(
                            "/json",
                            web::post().to(move |e: web::Json<Event>| {
                                c2.fetch_add(1, Ordering::SeqCst);
                                async move { HttpResponse::Ok().body(e.id.clone()) }
                            }),
                        )
                        .route(
                            "/verified",
                            web::post().to(move |v: Verified| {
                                c4.fetch_add(1, Ordering::SeqCst);
                                let kept = v.body().cloned().unwrap_or_default();
                                async move { HttpResponse::Ok().body(kept) }
                            }),
                        )
                        .route(
                            "/payload",
                            web::post().to(move |mut pl: web::Payload| {
                                c3.fetch_add(1, Ordering::SeqCst);
                                async move {
                                    let mut all = Vec::new();
                                    while let Some(chunk) = pl.next().await {
                                        all.extend_from_slice(&chunk.unwrap());
                                    }
                                    HttpResponse::Ok().body(all)
                                }
                            }),
                        ),
                ),
            )
            .await;
        let body = body_with_id("evt_7");
        let headers = p.sign(&secret, &body, now(), "evt_7");
        let got = test::call_and_read_body(&app, req("/bytes", &headers, body.clone())).await;
        assert_eq!(
            &got[..],
            [b"evt_7|".as_slice(), &body].concat().as_slice(),
            "{p:?}"
        );
        let mut h = headers.clone();
        h.push(("content-type".into(), "application/json".into()));
        let got = test::call_and_read_body(&app, req("/json", &h, body.clone())).await;
        assert_eq!(&got[..], b"evt_7", "{p:?}");
        let got = test::call_and_read_body(&app, req("/payload", &headers, body.clone())).await;
        assert_eq!(&got[..], &body[..], "{p:?}");
        let got = test::call_and_read_body(&app, req("/verified", &headers, body.clone())).await;
        assert_eq!(&got[..], &body[..], "{p:?}: Verified::body");
        assert_eq!(calls.load(Ordering::SeqCst), 4);

        // Rejections: same statuses and codes as the Tower side; the handler never runs.
        let forged = p.sign(&p.secret(1), &body, now(), "evt_7");
        let resp = test::call_service(&app, req("/bytes", &forged, body.clone())).await;
        assert_eq!(resp.status(), 401, "{p:?}");
        let json: serde_json::Value = test::read_body_json(resp).await;
        assert_eq!(json["error"], "invalid_signature");
        let resp = test::call_service(&app, req("/bytes", &[], body.clone())).await;
        assert_eq!(resp.status(), 401, "{p:?}");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            4,
            "{p:?}: handler ran for a rejected request"
        );
    }
}

#[actix_web::test]
async fn oversized_body_is_413() {
    let secret = P::GitHub.secret(0);
    let verifier = Verifier::github(secret.as_str())
        .max_body_size(100)
        .build()
        .unwrap();
    let app = test::init_service(
        App::new().service(
            web::resource("/h")
                .wrap(VerifyWebhook::new(verifier))
                .route(web::post().to(|| async { HttpResponse::Ok().finish() })),
        ),
    )
    .await;
    let body = vec![b'x'; 101];
    let headers = P::GitHub.sign(&secret, &body, now(), "d");
    let resp = test::call_service(&app, req("/h", &headers, body)).await;
    assert_eq!(resp.status(), 413);
    let body = vec![b'x'; 100];
    let headers = P::GitHub.sign(&secret, &body, now(), "d");
    assert_eq!(
        test::call_service(&app, req("/h", &headers, body))
            .await
            .status(),
        200
    );
}

/// A verifier that accepts deliveries above actix's own `web::Bytes` limit (256 KiB,
/// `web::PayloadConfig`): the middleware lets them through, `Verified::body()` has them all, and
/// a handler that extracts `web::Bytes` needs the `PayloadConfig` raised, or actix answers `413`
/// after the delivery was verified (the README's actix section says so).
#[actix_web::test]
async fn deliveries_above_actixs_default_payload_limit() {
    let secret = P::GitHub.secret(0);
    let limit = 1024 * 1024;
    let verifier = Verifier::github(secret.as_str())
        .max_body_size(limit)
        .build()
        .unwrap();
    let bytes_route =
        || web::post().to(|body: web::Bytes| async move { HttpResponse::Ok().body(body) });
    let app = test::init_service(
        App::new().service(
            web::scope("")
                .wrap(VerifyWebhook::new(verifier))
                .route(
                    "/verified",
                    web::post().to(|v: Verified| async move {
                        HttpResponse::Ok().body(v.body().cloned().unwrap_or_default())
                    }),
                )
                .route("/bytes", bytes_route())
                .service(
                    web::resource("/bytes-raised")
                        .app_data(web::PayloadConfig::new(limit))
                        .route(bytes_route()),
                ),
        ),
    )
    .await;
    let body = vec![b'x'; 512 * 1024];
    let headers = P::GitHub.sign(&secret, &body, now(), "big");

    let resp = test::call_service(&app, req("/verified", &headers, body.clone())).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(&test::read_body(resp).await[..], &body[..]);

    let resp = test::call_service(&app, req("/bytes", &headers, body.clone())).await;
    assert_eq!(resp.status(), 413);

    let resp = test::call_service(&app, req("/bytes-raised", &headers, body.clone())).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(&test::read_body(resp).await[..], &body[..]);
}

#[actix_web::test]
async fn extractor_without_middleware_is_500_and_option_is_none() {
    let app = test::init_service(
        App::new()
            .route("/needs", web::post().to(|_: Verified| async { "ran" }))
            .route(
                "/maybe",
                web::post()
                    .to(|v: Option<Verified>| async move { format!("verified={}", v.is_some()) }),
            ),
    )
    .await;
    let resp = test::call_service(&app, test::TestRequest::post().uri("/needs").to_request()).await;
    assert_eq!(resp.status(), 500);
    let body = test::read_body(resp).await;
    assert!(String::from_utf8_lossy(&body).contains("VerifyWebhook"));
    let body =
        test::call_and_read_body(&app, test::TestRequest::post().uri("/maybe").to_request()).await;
    assert_eq!(&body[..], b"verified=false");
}

/// What a client gets back, with any `Content-Encoding: gzip` undone.
async fn call_decoded<S, B>(
    app: &S,
    req: actix_http::Request,
) -> (u16, Option<String>, bool, Vec<u8>)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    use std::io::Read;
    let resp = test::call_service(app, req).await;
    let status = resp.status().as_u16();
    let stacked = resp
        .headers()
        .get("x-stacked")
        .map(|v| v.to_str().unwrap().to_string());
    let gzip = resp
        .headers()
        .get("content-encoding")
        .is_some_and(|v| v == "gzip");
    let raw = test::read_body(resp).await.to_vec();
    let body = if gzip {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    };
    (status, stacked, gzip, body)
}

#[actix_web::test]
async fn stacks_with_logger_compress_and_default_headers_in_either_order() {
    use actix_web::middleware::{Compress, DefaultHeaders, Logger};

    let p = P::Stripe;
    let secret = p.secret(0);
    let verifier = p.verifier(std::slice::from_ref(&secret));
    let calls = Arc::new(AtomicUsize::new(0));
    let handler = {
        let calls = calls.clone();
        move |body: web::Bytes| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { HttpResponse::Ok().body(body) }
        }
    };
    let defaults = || DefaultHeaders::new().add(("x-stacked", "yes"));
    // The guard innermost: Logger, Compress and DefaultHeaders see its answers.
    let inner = test::init_service(
        App::new().service(
            web::resource("/h")
                .wrap(VerifyWebhook::new(verifier.clone()))
                .wrap(Logger::default())
                .wrap(Compress::default())
                .wrap(defaults())
                .route(web::post().to(handler.clone())),
        ),
    )
    .await;
    // The guard outermost: it sees the request first and wraps the others' responses.
    let outer = test::init_service(
        App::new().service(
            web::resource("/h")
                .wrap(defaults())
                .wrap(Compress::default())
                .wrap(Logger::default())
                .wrap(VerifyWebhook::new(verifier))
                .route(web::post().to(handler)),
        ),
    )
    .await;

    // Large and repetitive, so that Compress really compresses it.
    let body = [body_with_id("evt_s"), vec![b' '; 4096]].concat();
    let gzip = ("accept-encoding", "gzip");
    for (order, app) in [("guard inner", &inner), ("guard outer", &outer)] {
        let mut headers = p.sign(&secret, &body, now(), "evt_s");
        headers.push((gzip.0.into(), gzip.1.into()));
        let (status, stacked, gzipped, echoed) =
            call_decoded(app, req("/h", &headers, body.clone())).await;
        assert_eq!(status, 200, "{order}");
        assert!(gzipped, "{order}: Compress did not run");
        assert_eq!(
            echoed, body,
            "{order}: the handler must see the exact bytes"
        );
        assert_eq!(stacked.as_deref(), Some("yes"), "{order}");

        let forged = p.sign(&p.secret(1), &body, now(), "evt_s");
        let mut headers = forged.clone();
        headers.push((gzip.0.into(), gzip.1.into()));
        let (status, stacked, _, answer) =
            call_decoded(app, req("/h", &headers, body.clone())).await;
        assert_eq!(status, 401, "{order}");
        // A rejection is answered by the guard itself: middleware inside it never runs.
        let inside = order == "guard outer";
        assert_eq!(stacked.is_none(), inside, "{order}");
        let json: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(json["error"], "invalid_signature", "{order}");
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "one handler call per valid delivery"
    );
}
