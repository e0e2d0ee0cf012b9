//! Prometheus metrics, served at `/metrics` in the text exposition format.
//!
//! The registry belongs to the running server (no global state): HTTP
//! request counts and latencies per route, open WebSockets and active
//! subscriptions.

use std::sync::atomic::AtomicI64;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    pub open_sockets: Gauge<i64, AtomicI64>,
    pub subscriptions: Gauge<i64, AtomicI64>,
    /// Connections closed at once because they were over a cap.
    pub refused_connections: Counter,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("lff");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ])
        });
        let open_sockets = Gauge::<i64, AtomicI64>::default();
        let subscriptions = Gauge::<i64, AtomicI64>::default();
        let refused_connections = Counter::default();
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register(
            "connections_refused",
            "Connections closed on arrival for being over the connection caps",
            refused_connections.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            latency.clone(),
        );
        registry.register(
            "websocket_connections",
            "Open WebSocket connections",
            open_sockets.clone(),
        );
        registry.register(
            "graphql_subscriptions",
            "Active GraphQL subscriptions",
            subscriptions.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            open_sockets,
            subscriptions,
            refused_connections,
        }
    }

    /// Adds the live renderings' counts to what is reported.
    pub fn watch_live(&mut self, live: schema::Live) {
        self.registry
            .register_collector(Box::new(LiveRenderings(live)));
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// Reports how live events of spaces and rooms were rendered (see `schema::live`).
pub struct LiveRenderings(pub schema::Live);

impl std::fmt::Debug for LiveRenderings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LiveRenderings").finish()
    }
}

impl Collector for LiveRenderings {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counts = self.0.counts();
        for (name, help, value) in [
            (
                "live_event_renderings",
                "Live events of spaces and rooms resolved and serialized",
                counts.renderings,
            ),
            (
                "live_event_reused_renderings",
                "Live event deliveries that reused another subscriber's rendering",
                counts.reused,
            ),
        ] {
            let counter = ConstCounter::new(value);
            let metric = encoder.encode_descriptor(name, help, None, counter.metric_type())?;
            counter.encode(metric)?;
        }
        Ok(())
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
