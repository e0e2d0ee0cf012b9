//! The web front end in a real browser: each scenario in `tests/browser`
//! drives Debian's Chromium (through playwright-core) against a server of
//! its own with the demo network loaded, and fails on any broken step, any
//! error in the page and any serious accessibility violation (axe-core).
//! When a scenario fails, a screenshot of every page it had open is kept in
//! `tests/browser/screenshots` (or `LFF_SCREENSHOTS`).
//!
//! They need Chromium and `npm ci` in `tests/browser`, so they run when
//! `LFF_TEST_BROWSER` is set (CI sets it); otherwise they say so and pass.

use std::path::PathBuf;
use std::process::Command;

use crate::harness::*;

fn enabled(test: &str) -> bool {
    let on = std::env::var_os("LFF_TEST_BROWSER").is_some();
    if !on {
        eprintln!(
            "{test}: not run; set LFF_TEST_BROWSER=1 after installing chromium and `npm ci` in tests/browser"
        );
    }
    on
}

/// Runs one scenario against a fresh server with the demo network.
async fn scenario(script: &str) {
    if !enabled(script) {
        return;
    }
    let s = spawn().await;
    s.app
        .demo()
        .load_demo()
        .await
        .expect("the demo network loads");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
    let shots = std::env::var_os("LFF_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("screenshots"));
    let url = s.url("");
    let script = script.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .env("LFF_URL", url.trim_end_matches('/'))
            .env("LFF_SCREENSHOTS", shots)
            .env("LFF_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .current_dir(dir)
            .output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains(": passed"), "{text}");
}

#[tokio::test]
async fn a_visitor_meets_the_front_door_and_a_school_applies_and_is_approved_by_its_coordinator() {
    scenario("frontdoor.mjs").await;
}

#[tokio::test]
async fn two_schools_twin_from_a_proposal_the_partner_is_told_of_and_accepts() {
    scenario("twinning.mjs").await;
}

#[tokio::test]
async fn two_schools_chat_live_in_a_space_and_a_dropped_connection_loses_nothing() {
    scenario("space.mjs").await;
}

#[tokio::test]
async fn a_material_uploaded_over_a_flaky_network_is_found_by_search_and_downloads_intact() {
    scenario("materials.mjs").await;
}

#[tokio::test]
async fn a_200_mib_video_downloads_from_a_signed_link_to_disk_intact_and_plays_with_ranges() {
    scenario("downloads.mjs").await;
}

#[tokio::test]
async fn a_pupil_reports_a_message_the_teacher_hides_it_from_the_queue_and_the_pupil_is_told() {
    scenario("moderation.mjs").await;
}

#[tokio::test]
async fn a_coordinator_approves_a_teacher_prints_new_logins_and_a_student_reaches_no_teacher_screen()
 {
    scenario("people.mjs").await;
}

#[tokio::test]
async fn a_mentor_runs_a_live_session_with_questions_votes_polls_hands_and_chat() {
    scenario("events.mjs").await;
}

#[tokio::test]
async fn every_screen_is_accessible_keyboard_usable_in_russian_and_light_on_3g() {
    scenario("screens.mjs").await;
}
