//! Operations: liveness, readiness, Prometheus metrics, security headers, and the fixed
//! response that benchmarks use as their ceiling.

use axum::Router;
use axum::extract::{MatchedPath, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

use crate::Shared;

pub(crate) struct Metrics {
    handle: PrometheusHandle,
}

impl Metrics {
    /// The recorder is process-wide (the `metrics` facade has one global slot), so every
    /// app state in a process shares it.
    pub(crate) fn new() -> Self {
        static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
        let handle = HANDLE
            .get_or_init(|| {
                let recorder = PrometheusBuilder::new()
                    .set_buckets(&[
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
                    ])
                    .expect("static buckets")
                    .build_recorder();
                let handle = recorder.handle();
                // Fails only if another recorder is installed, e.g. by an embedding program.
                let _ = metrics::set_global_recorder(recorder);
                handle
            })
            .clone();
        Self { handle }
    }
}

pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render_metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<Shared>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database not reachable").into_response()
        }
    }
}

async fn render_metrics(State(state): State<Shared>) -> Response {
    let dir = state.directory();
    metrics::gauge!("citizeninfo_directory_service_points").set(dir.points.len() as f64);
    metrics::gauge!("citizeninfo_directory_version").set(dir.version as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.handle.render(),
    )
        .into_response()
}

/// The method as a metric label: the standard ones by name, anything else as `other`,
/// so that made-up methods cannot add series.
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts requests and their latency by route template, never by raw path, and by a
/// fixed set of methods, so that codes, queries and made-up methods do not explode the
/// number of series. (Statuses are three digits: a bounded set.)
pub(crate) async fn track(State(_): State<Shared>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = method_label(req.method());
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::histogram!("http_request_duration_seconds", "route" => route.clone())
        .record(start.elapsed().as_secs_f64());
    metrics::counter!("http_requests_total", "method" => method, "route" => route, "status" => status).increment(1);
    res
}

/// The content security policy. Forms post to this site only; sign-out after an OpenID
/// sign-in redirects to the provider, and browsers hold such redirects to `form-action`
/// too, so the provider's origin is added when one is configured.
pub(crate) fn content_security_policy(oidc_issuer: Option<&str>) -> HeaderValue {
    let provider = oidc_issuer
        .and_then(|i| {
            i.split_once("://").map(|(scheme, rest)| {
                format!(" {scheme}://{}", rest.split('/').next().unwrap_or(""))
            })
        })
        .filter(|o| o.bytes().all(|b| b.is_ascii_graphic() || b == b' ') && !o.contains(';'))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'{provider}; frame-ancestors 'none'"
    ))
    .unwrap_or(HeaderValue::from_static("default-src 'self'; form-action 'self'; frame-ancestors 'none'"))
}

pub(crate) async fn security_headers(
    State(state): State<Shared>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(state.csp.clone());
    if state.config.base_url.starts_with("https://") {
        // A year, the usual minimum for browsers' preload lists; no includeSubDomains,
        // since other sites of the agency may share the domain.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// Refuses a state-changing request whose `Origin` has this site's host but another
/// scheme (`http://` sent to an https site): the cross-site check compares hosts only,
/// and a page served over plain http on the same host is not this site.
pub(crate) async fn same_scheme(State(state): State<Shared>, req: Request, next: Next) -> Response {
    use axum::http::Method;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe
        && let Some(origin) = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
        && let Some((scheme, _)) = origin.split_once("://")
        && let Some((ours, _)) = state.config.base_url.split_once("://")
        && !scheme.eq_ignore_ascii_case(ours)
    {
        return crate::cross_site_refusal();
    }
    next.run(req).await
}

pub(crate) fn bench_router() -> Router<Shared> {
    Router::new().route("/_bench/ceiling", get(ceiling))
}

#[derive(serde::Deserialize)]
struct CeilingParams {
    bytes: Option<usize>,
}

/// A prepared body of the requested size: what the server does when it has nothing to
/// compute, the best any page can do.
async fn ceiling(Query(p): Query<CeilingParams>) -> Response {
    static BODY: OnceLock<String> = OnceLock::new();
    let body = BODY.get_or_init(|| "<!doctype html><p>".to_string() + &"x".repeat(256 * 1024));
    let n = p.bytes.unwrap_or(20_000).min(body.len());
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body[..n].to_owned(),
    )
        .into_response()
}
