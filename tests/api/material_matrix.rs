//! The authorization matrix's operations on learning materials. The thing
//! acted on is, unless a row says otherwise, something in the library of
//! the relation's school, made by that school's teacher: a published
//! material visible to the school's people (`SPACE`) with one file, a
//! folder, and an upload whose bytes have all arrived.

use serde_json::{Value, json};

use crate::authorization::{Outcome, judge};
use crate::harness::*;

pub const ROWS: &[&str] = &[
    "material",
    "library",
    "upload",
    "createMaterial",
    "updateMaterial",
    "publishMaterial",
    "moveMaterial",
    "deleteMaterial",
    "createFolder",
    "renameFolder",
    "moveFolder",
    "deleteFolder",
    "startUpload",
    "finishUpload",
    "cancelUpload",
    "uploadMaterialFile",
];

struct Fixture {
    school: String,
    material: String,
    folder: String,
    upload: String,
}

fn teacher_of(rel: Relation) -> &'static str {
    match rel {
        Relation::OwnSchool => "teacher.a1",
        Relation::SameCountry => "teacher.a2",
        Relation::OtherCountry => "teacher.b1",
    }
}

async fn fixture(net: &Net, rel: Relation) -> Fixture {
    let app = &net.s.app;
    let meta = app::RequestMeta::default();
    let teacher = net.viewer_of(teacher_of(rel)).await;
    let (school, _) = net.place(rel);
    let library = app::Library::School(app::SchoolId::parse(&school).unwrap());
    let details = app::MaterialForm {
        title: "Matrix material".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let m = app
        .materials()
        .create_material(
            &teacher,
            &library,
            None,
            details,
            app::Visibility::Space,
            &meta,
        )
        .await
        .unwrap();
    app.materials()
        .set_material_status(&teacher, &m.id, app::MaterialStatus::Published, &meta)
        .await
        .unwrap();
    app.materials()
        .upload_small_file(&teacher, &m.id, None, "plan.txt", None, "plan".into())
        .await
        .unwrap();
    let folder = app
        .materials()
        .create_folder(
            &teacher,
            &library,
            None,
            app::FolderName::parse(&format!("Unit {}", net.next())).unwrap(),
            &meta,
        )
        .await
        .unwrap();
    let upload = app
        .materials()
        .start_upload(
            &teacher,
            app::UploadRequest {
                material: m.id.clone(),
                file: None,
                name: "data.txt".into(),
                size: 4,
                sha256: crate::materials::sha_hex(b"data"),
                content_type: None,
            },
        )
        .await
        .unwrap();
    let body = futures::stream::iter([Ok(bytes::Bytes::from_static(b"data"))]);
    app.materials()
        .append_upload(&teacher, &upload.id, 0, Box::pin(body))
        .await
        .unwrap();
    Fixture {
        school,
        material: m.id.to_string(),
        folder: folder.id.to_string(),
        upload: upload.id.to_string(),
    }
}

async fn mutate(net: &Net, actor: Actor, field: &str, q: &str, vars: Value) -> Outcome {
    judge(&net.gql(actor, q, vars).await, &[field])
}

pub async fn run(net: &Net, field: &str, actor: Actor, rel: Relation) -> Outcome {
    let f = fixture(net, rel).await;
    let m = json!({ "m": f.material });
    match field {
        "material" => {
            let r = net.gql(actor, "query($m: ID!) { material(id: $m) { id } }", m).await;
            judge(&r, &["material"])
        }
        "library" => {
            let r = net
                .gql(
                    actor,
                    "query($s: ID) { library(schoolId: $s) { folders { id } } }",
                    json!({ "s": f.school }),
                )
                .await;
            judge(&r, &["library"])
        }
        "upload" => {
            let r = net
                .gql(actor, "query($u: ID!) { upload(id: $u) { id offset } }", json!({ "u": f.upload }))
                .await;
            judge(&r, &["upload"])
        }
        "createMaterial" => {
            mutate(
                net,
                actor,
                field,
                "mutation($s: ID) { createMaterial(input: { schoolId: $s, material: { title: \"New\" } }) { id } }",
                json!({ "s": f.school }),
            )
            .await
        }
        "updateMaterial" => {
            mutate(
                net,
                actor,
                field,
                "mutation($m: ID!) { updateMaterial(id: $m, input: { title: \"Renamed\" }) { id } }",
                m,
            )
            .await
        }
        "publishMaterial" => {
            mutate(net, actor, field, "mutation($m: ID!) { publishMaterial(id: $m, published: false) { id } }", m).await
        }
        "moveMaterial" => {
            mutate(
                net,
                actor,
                field,
                "mutation($m: ID!, $f: ID) { moveMaterial(id: $m, folderId: $f) { id } }",
                json!({ "m": f.material, "f": f.folder }),
            )
            .await
        }
        "deleteMaterial" => {
            mutate(net, actor, field, "mutation($m: ID!) { deleteMaterial(id: $m) }", m).await
        }
        "createFolder" => {
            mutate(
                net,
                actor,
                field,
                "mutation($s: ID, $n: String!) { createFolder(schoolId: $s, name: $n) { id } }",
                json!({ "s": f.school, "n": format!("Folder {}", net.next()) }),
            )
            .await
        }
        "renameFolder" => {
            mutate(
                net,
                actor,
                field,
                "mutation($f: ID!, $n: String!) { renameFolder(id: $f, name: $n) { id } }",
                json!({ "f": f.folder, "n": format!("Renamed {}", net.next()) }),
            )
            .await
        }
        "moveFolder" => {
            mutate(net, actor, field, "mutation($f: ID!) { moveFolder(id: $f) { id } }", json!({ "f": f.folder })).await
        }
        "deleteFolder" => {
            mutate(net, actor, field, "mutation($f: ID!) { deleteFolder(id: $f) }", json!({ "f": f.folder })).await
        }
        "startUpload" => {
            mutate(
                net,
                actor,
                field,
                "mutation($m: ID!, $h: String!) { startUpload(input: { materialId: $m, name: \"v.mp4\", size: 10, sha256: $h }) { id } }",
                json!({ "m": f.material, "h": crate::materials::sha_hex(b"0123456789") }),
            )
            .await
        }
        "finishUpload" => {
            mutate(net, actor, field, "mutation($u: ID!) { finishUpload(id: $u) { id } }", json!({ "u": f.upload })).await
        }
        "cancelUpload" => {
            mutate(net, actor, field, "mutation($u: ID!) { cancelUpload(id: $u) }", json!({ "u": f.upload })).await
        }
        "uploadMaterialFile" => {
            let r = crate::materials::send_small(
                &net.s,
                net.token(actor),
                &f.material,
                None,
                "notes.txt",
                "text/plain",
                b"notes".to_vec(),
            )
            .await;
            // Without a token the multipart request itself is refused.
            if r.status == 415 {
                return Outcome::Denied("415".into());
            }
            judge(&r, &[field])
        }
        other => panic!("no operation for matrix row {other}"),
    }
}
