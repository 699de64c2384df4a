//! The `hip::request` tracing span of each attempt, with the phases of `r.timings()` as its
//! fields, through both APIs.
//!
//! One test in its own binary, with a global subscriber installed before any callsite is
//! hit: a thread-scoped subscriber races with the interest that tests running in parallel
//! cache for the same callsites, and would make the test flaky.

use std::sync::{Arc, Mutex, OnceLock};

use hip_test_support::HttpBin;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// The fields of every `request` span, as `(name, value)` text in the order they were
/// recorded, by span.
type Fields = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// A layer that keeps the fields of hip's `request` spans.
struct Capture(Fields);

struct Collect<'a>(&'a mut Vec<(String, String)>);

impl Visit for Collect<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.push((field.name().to_owned(), value.to_string()));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.push((field.name().to_owned(), value.to_string()));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        if (meta.target(), meta.name()) != ("hip::request", "request") {
            return;
        }
        let mut fields = Vec::new();
        attrs.record(&mut Collect(&mut fields));
        let mut all = self.0.lock().unwrap();
        all.push(fields);
        // The span remembers where its fields are kept.
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(all.len() - 1);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let Some(&index) = span.extensions().get::<usize>() else {
            return;
        };
        values.record(&mut Collect(&mut self.0.lock().unwrap()[index]));
    }
}

/// The captured fields, with the global subscriber installed on first use.
fn captured() -> &'static Fields {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let fields = Fields::default();
        let subscriber = tracing_subscriber::registry().with(Capture(fields.clone()));
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        fields
    })
}

/// The last value of `name` in `span`, if it was recorded.
fn get<'a>(span: &'a [(String, String)], name: &str) -> Option<&'a str> {
    span.iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Takes the spans captured so far and checks them: a new connection, then a reused one.
fn assert_request_spans(url: &str) {
    let all = std::mem::take(&mut *captured().lock().unwrap());
    assert_eq!(all.len(), 2, "{all:?}");
    for span in &all {
        assert_eq!(get(span, "method"), Some("GET"), "{span:?}");
        assert_eq!(get(span, "url"), Some(url), "{span:?}");
        for name in [
            "pretransfer",
            "request_written",
            "first_byte",
            "body_complete",
        ] {
            let secs = get(span, name).unwrap_or_else(|| panic!("{name}: {span:?}"));
            assert!(secs.parse::<f64>().unwrap() >= 0.0, "{name}: {span:?}");
        }
        assert_eq!(get(span, "proxy"), None, "{span:?}");
        assert_eq!(get(span, "tls"), None, "{span:?}");
    }
    assert_eq!(get(&all[0], "reused"), Some("false"));
    assert!(get(&all[0], "dns").is_some() && get(&all[0], "connect").is_some());
    assert_eq!(get(&all[1], "reused"), Some("true"));
    assert_eq!(get(&all[1], "connect"), None, "{:?}", all[1]);
}

#[test]
fn each_request_has_a_tracing_span_with_its_phases_in_both_apis() {
    captured();
    let server = HttpBin::start();
    let url = server.url("/get");

    #[cfg(feature = "async")]
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let http = hip::AsyncPoolManager::new().unwrap();
            for _ in 0..2 {
                let r = http.request("GET", url.as_str()).send().await.unwrap();
                assert_eq!(r.status(), 200);
            }
        });
        assert_request_spans(&url);
    }

    #[cfg(feature = "blocking")]
    {
        let http = hip::PoolManager::new().unwrap();
        for _ in 0..2 {
            let r = http.request("GET", url.as_str()).send().unwrap();
            assert_eq!(r.status(), 200);
        }
        assert_request_spans(&url);
    }
}
