//! The object storage conformance suite: every backend — `memory://`,
//! `file://` and S3 against a real S3-compatible server — stores, returns
//! and deletes blobs the same way.

use app::ports::ObjectStorage;
use store::{Objects, ObjectsOptions, S3Credentials};

fn open(url: &str, s3_credentials: Option<S3Credentials>) -> Objects {
    Objects::open(&ObjectsOptions {
        url: url.into(),
        s3_credentials,
    })
    .unwrap()
}

/// What every backend must do the same way.
async fn conformance(o: Objects, what: &str) {
    o.ping().await.unwrap();
    let run = format!(
        "conformance/{}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
        std::process::id()
    );
    let key = |k: &str| format!("{run}/{k}");
    assert_eq!(o.get(&key("missing")).await.unwrap(), None, "{what}");
    // Deleting what is not there is not an error.
    o.delete(&key("missing")).await.unwrap();

    o.put(&key("a"), b"first".to_vec()).await.unwrap();
    assert_eq!(
        o.get(&key("a")).await.unwrap().as_deref(),
        Some(&b"first"[..]),
        "{what}"
    );
    o.put(&key("a"), b"second".to_vec()).await.unwrap();
    assert_eq!(
        o.get(&key("a")).await.unwrap().as_deref(),
        Some(&b"second"[..]),
        "{what}"
    );

    // Empty blobs, names in other scripts, and blobs larger than one
    // multipart chunk (5 MiB) come back byte for byte.
    o.put(&key("empty"), vec![]).await.unwrap();
    assert_eq!(o.get(&key("empty")).await.unwrap(), Some(vec![]), "{what}");
    let name = key("Երևան/урок 1.pdf");
    o.put(&name, b"%PDF".to_vec()).await.unwrap();
    assert_eq!(
        o.get(&name).await.unwrap().as_deref(),
        Some(&b"%PDF"[..]),
        "{what}"
    );
    let big: Vec<u8> = (0..6 * 1024 * 1024 + 7).map(|i| (i % 251) as u8).collect();
    o.put(&key("big"), big.clone()).await.unwrap();
    assert!(
        o.get(&key("big")).await.unwrap() == Some(big),
        "{what}: the big blob differs"
    );

    // A key that is not a valid object path is refused, not mangled.
    assert!(
        o.put(&key("../escape"), b"x".to_vec()).await.is_err(),
        "{what}"
    );

    for k in ["a", "empty", "big"] {
        o.delete(&key(k)).await.unwrap();
        assert_eq!(o.get(&key(k)).await.unwrap(), None, "{what}");
    }
    o.delete(&name).await.unwrap();
    assert_eq!(o.get(&name).await.unwrap(), None, "{what}");
}

#[tokio::test]
async fn the_memory_backend_conforms() {
    conformance(open("memory://", None), "memory").await;
}

#[tokio::test]
async fn the_file_backend_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().join("objects").display());
    conformance(open(&url, None), "file").await;
}

/// Against a real S3-compatible server: `tests/with-s3.sh` starts one on
/// loopback and sets `LFF_TEST_S3_URL` and the credentials it accepts.
#[tokio::test]
async fn the_s3_backend_conforms() {
    let Some((url, credentials)) = crate::harness::s3_target() else {
        return;
    };
    conformance(open(&url, Some(credentials)), "s3").await;
}
