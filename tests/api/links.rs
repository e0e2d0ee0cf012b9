//! Signed download links: `POST {file}/link` gives an address that works
//! without the token for a minute or two, bound to the file and the person.

use app::Clock as _;
use serde_json::{Value, json};

use crate::authorization::tiny_png;
use crate::harness::*;
use crate::materials::{material_in, send_small};

/// `POST {path}/link` with an optional token: status and body.
async fn mint(s: &TestServer, token: Option<&str>, path: &str) -> (u16, Value) {
    let mut req = s.http.post(s.url(&format!("{path}/link")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// A minted link's address, asserting that it was given.
async fn link(s: &TestServer, token: Option<&str>, path: &str) -> String {
    let (status, body) = mint(s, token, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["url"].as_str().unwrap().to_owned()
}

fn code(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap();
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_signed_link_opens_one_file_for_one_person_for_a_minute_or_two() {
    let net = Net::new().await;
    let s = &net.s;
    let teacher = net.token(Actor::Teacher).unwrap().to_owned();
    let m = material_in(s, &teacher, json!({ "schoolId": net.a1 }), "NETWORK", true).await;
    let text: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let r = send_small(
        s,
        Some(&teacher),
        &m,
        None,
        "notes.txt",
        "text/plain",
        text.clone(),
    )
    .await;
    let file = data(&r)["uploadMaterialFile"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send_small(
        s,
        Some(&teacher),
        &m,
        None,
        "other.txt",
        "text/plain",
        b"other".to_vec(),
    )
    .await;
    let other = data(&r)["uploadMaterialFile"]["url"]
        .as_str()
        .unwrap()
        .to_owned();

    // A visitor may not read a material for the network: no link either,
    // and the answer is the one for a file that does not exist.
    let (status, body) = mint(s, None, &file).await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (404, Some("NOT_FOUND"))
    );

    let reader = s.token("student.b1", NET_STUDENT_PASSWORD).await;
    let (status, body) = mint(s, Some(&reader), &file).await;
    assert_eq!(status, 200, "{body}");
    let url = body["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{file}?link=")), "{url}");
    let expires =
        chrono::DateTime::parse_from_rfc3339(body["expiresAt"].as_str().unwrap()).unwrap();
    let left = expires.signed_duration_since(s.clock.now()).num_seconds();
    assert!(
        (59..=120).contains(&left),
        "lasts a minute or two: {left} s"
    );
    // Within the same minute the same address: the browser's cache works.
    assert_eq!(link(s, Some(&reader), &file).await, url);

    // No token needed, ranges honoured.
    let (status, h, bytes) = s.download(None, &url).await;
    assert_eq!((status, bytes.as_slice()), (200, text.as_slice()));
    assert_eq!(h["accept-ranges"], "bytes");
    let r = s
        .http
        .get(s.url(&url))
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &text[100..200]);
    let (status, h, _) = s.download(None, &format!("{url}&download=1")).await;
    assert_eq!(status, 200);
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );

    // Bound to the file: the same link opens no other version.
    let token = url.split_once("?link=").unwrap().1.to_owned();
    let (status, _, body) = s.download(None, &format!("{other}?link={token}")).await;
    assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED".to_owned()));
    // Bound to the person: naming someone else breaks the signature.
    let (person, rest) = token.split_once('.').unwrap();
    let forged = format!("{}.{rest}", net.id_of("teacher.a1"));
    assert_ne!(person, net.id_of("teacher.a1"));
    for bad in [
        forged,
        format!("{token}x"),
        "-.1.AAAA".to_owned(),
        String::new(),
        "x".repeat(300),
    ] {
        let (status, _, body) = s.download(None, &format!("{file}?link={bad}")).await;
        assert_eq!(status, 401, "{bad}");
        assert!(
            !String::from_utf8_lossy(&body).contains("mac"),
            "no internals"
        );
    }
    // And to its time: two minutes later it is refused; a new one works.
    s.clock.advance(chrono::Duration::seconds(121));
    let (status, _, _) = s.download(None, &url).await;
    assert_eq!(status, 401);
    let fresh = link(s, Some(&reader), &file).await;
    assert_ne!(fresh, url);
    assert_eq!(s.download(None, &fresh).await.0, 200);

    // Whoever used it is checked again: a deactivated person's link stops.
    let r = net
        .gql(
            Actor::Admin,
            "mutation($id: ID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": net.id_of("student.b1") }),
        )
        .await;
    assert_eq!(data(&r)["deactivateUser"]["active"], false);
    assert_eq!(s.download(None, &fresh).await.0, 401);
    // And so is the file: a deleted material's link opens nothing.
    let kept = link(s, Some(&teacher), &file).await;
    let r = s
        .gql(
            Some(&teacher),
            "mutation($id: ID!) { deleteMaterial(id: $id) }",
            json!({ "id": m }),
        )
        .await;
    assert_eq!(data(&r)["deleteMaterial"], true);
    assert_eq!(s.download(None, &kept).await.0, 404);
}

#[tokio::test]
async fn thumbnails_public_files_and_card_photos_have_links_too() {
    let net = Net::new().await;
    let s = &net.s;
    let teacher = net.token(Actor::Teacher).unwrap().to_owned();
    let m = material_in(s, &teacher, json!({ "schoolId": net.a1 }), "PUBLIC", true).await;
    let r = send_small(
        s,
        Some(&teacher),
        &m,
        None,
        "dot.png",
        "image/png",
        tiny_png(),
    )
    .await;
    let v = data(&r)["uploadMaterialFile"].clone();
    let file = v["url"].as_str().unwrap().to_owned();
    let q = "query($id: ID!) { material(id: $id) { files { edges { node { current { thumbnailUrl } } } } } }";
    let r = s.gql(None, q, json!({ "id": m })).await;
    let thumb = data(&r)["material"]["files"]["edges"][0]["node"]["current"]["thumbnailUrl"]
        .as_str()
        .unwrap()
        .to_owned();

    // A visitor gets links to a public material's file and thumbnail.
    let url = link(s, None, &thumb).await;
    assert!(
        url.contains("?link=-."),
        "a visitor's link names nobody: {url}"
    );
    let (status, h, bytes) = s.download(None, &url).await;
    assert_eq!(
        (status, h["content-type"].to_str().unwrap()),
        (200, "image/jpeg")
    );
    assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
    // A thumbnail's link is not the file's.
    let token = url.split_once("?link=").unwrap().1;
    assert_eq!(
        s.download(None, &format!("{file}?link={token}")).await.0,
        401
    );
    let url = link(s, None, &file).await;
    assert_eq!(s.download(None, &url).await.2, tiny_png());

    // A photo on a card that is not public: the network, not visitors.
    let coord = s.token("coord.a2", NET_PASSWORD).await;
    let up = s
        .upload(Some(&coord), "yard.png", Some("image/png"), tiny_png())
        .await;
    let photo = up.body["url"].as_str().unwrap().to_owned();
    let r = s
        .gql(
            Some(&coord),
            "mutation($s: ID!, $f: ID!) { addSchoolPhoto(schoolId: $s, fileId: $f) { id } }",
            json!({ "s": net.a2, "f": up.body["id"] }),
        )
        .await;
    data(&r);
    assert_eq!(mint(s, None, &photo).await.0, 404);
    let other = s.token("teacher.b1", NET_PASSWORD).await;
    let url = link(s, Some(&other), &photo).await;
    let (status, _, bytes) = s.download(None, &url).await;
    assert_eq!((status, bytes), (200, tiny_png()));
    // Unknown ids and bad paths get the ordinary answers.
    assert_eq!(
        mint(s, Some(&other), "/files/nothing-here").await.0 / 100,
        4
    );
    assert_eq!(
        mint(
            s,
            Some(&other),
            "/downloads/0123456789abcdef0123456789abcdef"
        )
        .await
        .0,
        404
    );
}
