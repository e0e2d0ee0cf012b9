//! Uploads for visit cards and who may download them.

use serde_json::json;

use crate::authorization::tiny_png;
use crate::harness::*;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn a_visit_card_shows_photos_to_the_network_and_to_visitors_only_when_public() {
    let net = Net::new().await;
    let s = &net.s;
    let coord = s.token("coord.a2", NET_PASSWORD).await;
    let up = s
        .upload(
            Some(&coord),
            "Наша школа.png",
            Some("image/png"),
            tiny_png(),
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.body);
    assert_eq!(up.body["contentType"], "image/png");
    assert_eq!(up.body["name"], "Наша школа.png");
    let file = up.body["id"].as_str().unwrap().to_owned();

    let r = s
        .gql(
            Some(&coord),
            "mutation($s: ID!, $f: ID!) { addSchoolPhoto(schoolId: $s, fileId: $f, caption: \"Our yard\") { visitCard { photos { caption file { id name contentType size url } } } } }",
            json!({ "s": net.a2, "f": file }),
        )
        .await;
    let photo = &r.body["data"]["addSchoolPhoto"]["visitCard"]["photos"][0];
    assert_eq!(photo["caption"], "Our yard", "{}", r.body);
    assert_eq!(photo["file"]["size"], tiny_png().len() as f64);
    let url = photo["file"]["url"].as_str().unwrap().to_owned();

    // The network sees it; an anonymous visitor does not, until the card is public.
    let other_teacher = s.token("teacher.b1", NET_PASSWORD).await;
    let (status, headers, bytes) = s.download(Some(&other_teacher), &url).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, tiny_png());
    assert_eq!(headers["content-type"], "image/png");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let (status, _, _) = s.download(None, &url).await;
    assert_eq!(status, 404);
    let r = s
        .gql(
            Some(&coord),
            "mutation($s: ID!) { updateVisitCard(schoolId: $s, input: { public: true, mottos: [{ language: \"hy\", text: \"Միասին\" }, { language: \"en\", text: \"Together\" }], defaultLanguage: \"hy\" }) { visitCard { public motto(language: \"en\") mottos { language } } } }",
            json!({ "s": net.a2 }),
        )
        .await;
    assert_eq!(
        r.body["data"]["updateVisitCard"]["visitCard"],
        json!({ "public": true, "motto": "Together", "mottos": [{ "language": "en" }, { "language": "hy" }] })
    );
    let (status, _, bytes) = s.download(None, &url).await;
    assert_eq!((status, bytes), (200, tiny_png()));
    let r = s
        .gql(None, "query($id: ID!) { school(id: $id) { visitCard { motto photos { caption } } contact { email } } }", json!({ "id": net.a2 }))
        .await;
    assert_eq!(r.body["data"]["school"]["visitCard"]["motto"], "Միասին");
    assert_eq!(
        r.body["data"]["school"]["contact"],
        json!(null),
        "no contact details for visitors"
    );

    // A presentation is offered as a download, never shown inline.
    let up = s
        .upload(Some(&coord), "presentation.pdf", None, PDF.to_vec())
        .await;
    assert_eq!(up.body["contentType"], "application/pdf", "{}", up.body);
    let r = s
        .gql(
            Some(&coord),
            "mutation($s: ID!, $f: ID!) { setSchoolPresentation(schoolId: $s, fileId: $f) { visitCard { presentation { url contentType } } } }",
            json!({ "s": net.a2, "f": up.body["id"] }),
        )
        .await;
    let p = &r.body["data"]["setSchoolPresentation"]["visitCard"]["presentation"];
    assert_eq!(p["contentType"], "application/pdf", "{}", r.body);
    let (_, headers, _) = s.download(None, p["url"].as_str().unwrap()).await;
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    // A photo must be an image.
    let r = s
        .gql(
            Some(&coord),
            "mutation($s: ID!, $f: ID!) { addSchoolPhoto(schoolId: $s, fileId: $f) { id } }",
            json!({ "s": net.a2, "f": up.body["id"] }),
        )
        .await;
    assert_eq!(r.code(), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn bad_uploads_are_refused_with_clear_codes() {
    let net = Net::new().await;
    let s = &net.s;
    let coord = net.token(Actor::SchoolCoordinator).unwrap();
    let code = |r: &Reply| {
        r.body["errors"][0]["extensions"]["code"]
            .as_str()
            .map(str::to_owned)
    };

    let r = s
        .upload(Some(coord), "lie.png", Some("image/png"), PDF.to_vec())
        .await;
    assert_eq!(
        (r.status, code(&r).as_deref()),
        (400, Some("BAD_USER_INPUT")),
        "{}",
        r.body
    );
    let r = s
        .upload(
            Some(coord),
            "page.html",
            Some("text/html"),
            b"<html><script>alert(1)</script>".to_vec(),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = s.upload(Some(coord), "empty.png", None, vec![]).await;
    assert_eq!(r.status, 400);
    for name in ["../../etc/passwd", "a/b.png", "..", "bad\u{7}.png"] {
        let r = s.upload(Some(coord), name, None, tiny_png()).await;
        assert_eq!(r.status, 400, "{name}: {}", r.body);
    }
    let mut big = tiny_png();
    big.resize(25 * 1024 * 1024 + 1, 0);
    let r = s.upload(Some(coord), "big.png", None, big).await;
    assert_eq!(
        (r.status, code(&r).as_deref()),
        (413, Some("PAYLOAD_TOO_LARGE"))
    );
    let r = s.upload(None, "a.png", None, tiny_png()).await;
    assert_eq!(r.status, 401);
    let r = s
        .upload(net.token(Actor::Student), "a.png", None, tiny_png())
        .await;
    assert_eq!((r.status, code(&r).as_deref()), (403, Some("FORBIDDEN")));
    let (status, _, _) = s.download(None, "/files/not-an-id").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn uploads_never_attached_are_collected_after_a_day() {
    let net = Net::new().await;
    let s = &net.s;
    let coord = net.token(Actor::SchoolCoordinator).unwrap();
    let kept = s
        .upload(Some(coord), "kept.png", None, tiny_png())
        .await
        .body["id"]
        .clone();
    let lost = s
        .upload(Some(coord), "lost.png", None, tiny_png())
        .await
        .body["id"]
        .clone();
    let r = s
        .gql(
            Some(coord),
            "mutation($s: ID!, $f: ID!) { addSchoolPhoto(schoolId: $s, fileId: $f) { id } }",
            json!({ "s": net.a1, "f": kept }),
        )
        .await;
    assert!(r.body["errors"].is_null(), "{}", r.body);
    assert_eq!(
        s.app.network().collect_orphan_files().await.unwrap(),
        0,
        "a fresh upload is left alone"
    );
    s.clock.advance(chrono::Duration::hours(25));
    assert_eq!(s.app.network().collect_orphan_files().await.unwrap(), 1);
    let coord = s.token("coord.a1", NET_PASSWORD).await;
    let (status, _, _) = s
        .download(Some(&coord), &format!("/files/{}", lost.as_str().unwrap()))
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = s
        .download(Some(&coord), &format!("/files/{}", kept.as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_failing_file_store_is_reported_without_its_details() {
    let dir = tempfile::tempdir().unwrap();
    let objects = dir.path().join("objects");
    let url = format!("file://{}", objects.display());
    let net = Net::with(spawn_with(|c| c.objects.url = url).await).await;
    let s = &net.s;
    let coord = net.token(Actor::SchoolCoordinator).unwrap();
    let up = s.upload(Some(coord), "photo.png", None, tiny_png()).await;
    assert_eq!(up.status, 201, "{}", up.body);
    let url = format!("/files/{}", up.body["id"].as_str().unwrap());

    // The blob disappears under the server, then the whole folder turns into a file.
    std::fs::remove_dir_all(&objects).unwrap();
    std::fs::write(&objects, b"not a folder").unwrap();
    let (status, _, body) = s.download(Some(coord), &url).await;
    let body = String::from_utf8(body).unwrap();
    assert_eq!(status, 500, "{body}");
    assert!(
        body.contains("INTERNAL") && body.contains(schema::INTERNAL_MESSAGE),
        "{body}"
    );
    let r = s.upload(Some(coord), "again.png", None, tiny_png()).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.body["errors"][0]["message"], schema::INTERNAL_MESSAGE);
    for leak in [
        dir.path().to_str().unwrap(),
        "files/",
        "directory",
        "os error",
    ] {
        assert!(!body.contains(leak), "{leak} leaked: {body}");
        assert!(
            !r.body.to_string().contains(leak),
            "{leak} leaked: {}",
            r.body
        );
    }
    // Nothing half-done became visible: the failed upload has no record.
    let r = s
        .gql(
            Some(coord),
            "query($id: ID!) { school(id: $id) { visitCard { photos { file { id } } } } }",
            json!({ "id": net.a1 }),
        )
        .await;
    assert_eq!(r.body["data"]["school"]["visitCard"]["photos"], json!([]));
}

/// The whole upload and download path on the S3 backend, against the
/// S3-compatible server `.ci/run` starts (`LFF_TEST_S3_URL`).
#[tokio::test]
async fn files_go_to_and_come_back_from_an_s3_compatible_store() {
    let Some((base, credentials)) = s3_target() else {
        return;
    };
    // A prefix of its own, so runs never see each other's blobs.
    let (location, query) = base.split_once('?').unwrap_or((&base, ""));
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let url = format!(
        "{}/api-{run}-{}?{query}",
        location.trim_end_matches('/'),
        std::process::id()
    );
    let net = Net::with(
        spawn_with(|c| {
            c.objects.url = url;
            c.objects.s3_credentials = Some(credentials);
        })
        .await,
    )
    .await;
    let s = &net.s;
    let coord = s.token("coord.a2", NET_PASSWORD).await;
    let up = s
        .upload(Some(&coord), "Урок 1.pdf", None, PDF.to_vec())
        .await;
    assert_eq!(up.status, 201, "{}", up.body);
    let file = up.body["id"].as_str().unwrap().to_owned();
    let r = s
        .gql(
            Some(&coord),
            "mutation($s: ID!, $f: ID!) { setSchoolPresentation(schoolId: $s, fileId: $f) { visitCard { presentation { url } } } }",
            json!({ "s": net.a2, "f": file }),
        )
        .await;
    let url = r.body["data"]["setSchoolPresentation"]["visitCard"]["presentation"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.body))
        .to_owned();
    let teacher = s.token("teacher.b1", NET_PASSWORD).await;
    let (status, _, bytes) = s.download(Some(&teacher), &url).await;
    assert_eq!((status, bytes), (200, PDF.to_vec()));
}

#[tokio::test]
async fn a_coordinator_orders_the_photos_of_the_card_and_describes_them_for_those_who_cannot_see() {
    let net = Net::new().await;
    let s = &net.s;
    let coord = s.token("coord.a2", NET_PASSWORD).await;
    let mut files = Vec::new();
    for (name, alt) in [
        ("one.png", "The school's front"),
        ("two.png", ""),
        ("three.png", "Pupils planting trees"),
    ] {
        let up = s
            .upload(Some(&coord), name, Some("image/png"), tiny_png())
            .await;
        let file = up.body["id"].as_str().unwrap().to_owned();
        let r = s
            .gql(
                Some(&coord),
                "mutation($s: ID!, $f: ID!, $a: String) { addSchoolPhoto(schoolId: $s, fileId: $f, alt: $a) { id } }",
                json!({ "s": net.a2, "f": file, "a": alt }),
            )
            .await;
        assert!(r.body["errors"].is_null(), "{}", r.body);
        files.push(file);
    }
    let photos = "query($id: ID!) { school(id: $id) { canEditCard visitCard { photos { alt caption file { id } } } } }";
    let r = s.gql(Some(&coord), photos, json!({ "id": net.a2 })).await;
    assert_eq!(r.body["data"]["school"]["canEditCard"], true);
    let list = &r.body["data"]["school"]["visitCard"]["photos"];
    assert_eq!(list[0]["alt"], "The school's front");
    assert_eq!(list[1]["alt"], json!(null), "an empty text is none");

    // The third becomes the first, with a caption; the first keeps its text.
    let update = "mutation($s: ID!, $f: ID!, $c: String, $a: String, $p: Int) { updateSchoolPhoto(schoolId: $s, fileId: $f, caption: $c, alt: $a, position: $p) { visitCard { photos { alt caption file { id } } } } }";
    let r = s
        .gql(
            Some(&coord),
            update,
            json!({ "s": net.a2, "f": files[2], "c": "Spring, 2026", "p": 0 }),
        )
        .await;
    let list = r.body["data"]["updateSchoolPhoto"]["visitCard"]["photos"].clone();
    let order: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["file"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec![files[2].as_str(), files[0].as_str(), files[1].as_str()],
        "{}",
        r.body
    );
    assert_eq!(list[0]["caption"], "Spring, 2026");
    assert_eq!(
        list[0]["alt"], "Pupils planting trees",
        "a text not given is kept"
    );
    // Past the end is last; an empty text removes it.
    let r = s
        .gql(
            Some(&coord),
            update,
            json!({ "s": net.a2, "f": files[2], "a": "", "p": 99 }),
        )
        .await;
    let list = &r.body["data"]["updateSchoolPhoto"]["visitCard"]["photos"];
    assert_eq!(list[2]["file"]["id"], files[2].as_str());
    assert_eq!(list[2]["alt"], json!(null));
    assert_eq!(list[2]["caption"], "Spring, 2026");
    // Bad input says which.
    for (vars, field) in [
        (json!({ "s": net.a2, "f": files[0], "p": -1 }), "position"),
        (
            json!({ "s": net.a2, "f": files[0], "a": "x".repeat(301) }),
            "alt",
        ),
        (
            json!({ "s": net.a2, "f": "0192f0c4a1b27c3e8a6b5d4c3b2a1f00" }),
            "fileId",
        ),
    ] {
        let r = s.gql(Some(&coord), update, vars).await;
        assert_eq!(r.code(), Some("BAD_USER_INPUT"), "{}", r.body);
        assert_eq!(r.body["errors"][0]["extensions"]["field"], field);
    }
    // Nobody but the school's coordinators (and administrators) may edit it.
    let teacher = s.token("teacher.a2", NET_PASSWORD).await;
    let r = s.gql(Some(&teacher), photos, json!({ "id": net.a2 })).await;
    assert_eq!(r.body["data"]["school"]["canEditCard"], false);
    let r = s
        .gql(
            Some(&teacher),
            update,
            json!({ "s": net.a2, "f": files[0], "p": 2 }),
        )
        .await;
    assert_eq!(r.code(), Some("FORBIDDEN"));
}
