//! B5 in the engine alone: opens an embedded index that a server built (stop
//! the server first: the index has one writer) and runs the queries of a
//! file (query TAB filter-JSON per line) against it, one at a time, for
//! several rounds, as someone signed in who belongs nowhere in particular.
//! Prints the median, 95th and 99th percentile latency.
//!
//! `cargo run --release -p search --example engine -- DATA/search bench/search-queries.tsv 5`

use std::time::Instant;

use app::ports::SearchIndex;
use app::searching::model::{FacetName, SearchKind, SearchRequest};

fn percentile(sorted: &[u128], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize] as f64 / 1e6
}

fn request(query: &str, filter: &serde_json::Value) -> SearchRequest {
    let mut filters = Vec::new();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(kinds) = filter.get("kinds") {
        let kinds = strings(kinds)
            .into_iter()
            .filter_map(|k| SearchKind::parse(&k).map(|k| k.as_str().to_owned()))
            .collect();
        filters.push((FacetName::Kind, kinds));
    }
    if let Some(langs) = filter.get("languages") {
        filters.push((FacetName::Language, strings(langs)));
    }
    SearchRequest {
        text: query.to_owned(),
        audience: Some(vec!["public".into(), "network".into()]),
        filters,
        age: filter.get("age").and_then(|a| a.as_u64()).map(|a| a as u8),
        limit: 20,
        facets: true,
        prefix: true,
        ..SearchRequest::default()
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (dir, file) = match (args.get(1), args.get(2)) {
        (Some(d), Some(f)) => (d, f),
        _ => {
            eprintln!("usage: engine INDEX_DIR QUERIES_FILE [ROUNDS]");
            std::process::exit(2);
        }
    };
    let rounds: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let engine = search::EmbeddedIndex::open(&search::SearchOptions::Directory(dir.into()))
        .expect("the index opens");
    let docs = engine.document_count().await.unwrap();
    let text = std::fs::read_to_string(file).expect("the query file");
    let requests: Vec<SearchRequest> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (q, f) = l.split_once('\t').unwrap_or((l, "{}"));
            request(q, &serde_json::from_str(f).expect("filter JSON"))
        })
        .collect();
    let mut found = 0;
    for r in &requests {
        found += engine.search(r).await.unwrap().total;
    }
    // The whole search, then its parts: without facet counts, and without
    // loading and highlighting hits (only counting them).
    type Variant = (&'static str, fn(&mut SearchRequest));
    let variants: [Variant; 3] = [
        ("", |_| {}),
        (" (no facets)", |r| r.facets = false),
        (" (no hits, facets only)", |r| r.limit = 0),
    ];
    for (name, change) in variants {
        let mut times = Vec::with_capacity(requests.len() * rounds);
        for _ in 0..rounds {
            for r in &requests {
                let mut r = r.clone();
                change(&mut r);
                let t = Instant::now();
                engine.search(&r).await.unwrap();
                times.push(t.elapsed().as_nanos());
            }
        }
        times.sort_unstable();
        println!(
            "B5 engine{name}: {docs} documents, {} queries x {rounds} rounds: p50 {:.2} ms p95 {:.2} ms p99 {:.2} ms max {:.2} ms; {:.1} results per query on average",
            requests.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99),
            percentile(&times, 1.0),
            found as f64 / requests.len() as f64
        );
    }
}
