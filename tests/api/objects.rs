//! The object storage conformance suite: every backend — `memory://`,
//! `file://` and S3 against a real S3-compatible server — stores, returns
//! and deletes blobs the same way.

use app::kernel::blobs::ObjectStorage;
use futures::StreamExt;
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

    // A rename moves the bytes to the new key, replacing what was there.
    o.put(&key("moved-from"), b"moving".to_vec()).await.unwrap();
    o.put(&key("moved-to"), b"old".to_vec()).await.unwrap();
    o.rename(&key("moved-from"), &key("moved-to"))
        .await
        .unwrap();
    assert_eq!(o.get(&key("moved-from")).await.unwrap(), None, "{what}");
    assert_eq!(
        o.get(&key("moved-to")).await.unwrap().as_deref(),
        Some(&b"moving"[..]),
        "{what}"
    );
    o.delete(&key("moved-to")).await.unwrap();

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
        o.get(&key("big")).await.unwrap().as_ref() == Some(&big),
        "{what}: the big blob differs"
    );

    // Metadata, ranges and streaming reads.
    let info = o
        .head(&key("big"))
        .await
        .unwrap()
        .expect("head of a stored blob");
    assert_eq!(info.size, big.len() as u64, "{what}");
    assert_eq!(info.key, key("big"), "{what}");
    assert!(o.head(&key("missing")).await.unwrap().is_none(), "{what}");
    assert!(
        o.read(&key("missing"), None).await.unwrap().is_none(),
        "{what}"
    );
    let read = |k: String, range: Option<std::ops::Range<u64>>| {
        let o = o.clone();
        async move {
            let mut s = o.read(&k, range).await.unwrap().unwrap();
            let mut out = Vec::new();
            while let Some(c) = s.next().await {
                out.extend_from_slice(&c.unwrap());
            }
            out
        }
    };
    assert!(
        read(key("big"), None).await == big,
        "{what}: streamed read differs"
    );
    assert_eq!(
        read(key("big"), Some(5_000_000..5_000_010)).await,
        &big[5_000_000..5_000_010],
        "{what}"
    );

    // Written piece by piece: invisible until finished, gone when aborted.
    let mut w = o.writer(&key("pieces")).await.unwrap();
    let mut whole = Vec::new();
    for i in 0..5u8 {
        let piece = vec![i; 3 * 1024 * 1024 + 1];
        whole.extend_from_slice(&piece);
        w.write(piece.into()).await.unwrap();
    }
    assert!(
        o.head(&key("pieces")).await.unwrap().is_none(),
        "{what}: visible before finish"
    );
    w.finish().await.unwrap();
    assert!(
        o.get(&key("pieces")).await.unwrap() == Some(whole),
        "{what}: the pieces differ"
    );
    let mut w = o.writer(&key("aborted")).await.unwrap();
    w.write(vec![1u8; 6 * 1024 * 1024].into()).await.unwrap();
    w.abort().await.unwrap();
    assert!(
        o.head(&key("aborted")).await.unwrap().is_none(),
        "{what}: an aborted blob appeared"
    );

    // Listing under a prefix finds what is there, with sizes.
    let mut listed: Vec<(String, u64)> = o
        .list(&run)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.key, b.size))
        .collect();
    listed.sort();
    let mut expected = vec![
        (key("a"), 6),
        (key("big"), big.len() as u64),
        (key("empty"), 0),
        (key("pieces"), 5 * (3 * 1024 * 1024 + 1)),
        (name.clone(), 4),
    ];
    expected.sort();
    assert_eq!(listed, expected, "{what}");
    o.delete(&key("pieces")).await.unwrap();

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
