//! Personal calendar feeds: `GET /calendar/{secret}.ics` answers an
//! iCalendar (RFC 5545) file of the person's events, for calendar
//! applications to subscribe to. The secret in the path is the only
//! credential (calendar applications send no tokens); it is made and
//! revoked through GraphQL.
//!
//! Times are written in UTC (`…Z`), which every calendar shows in its
//! user's own zone — no time zone definitions to get wrong — and the
//! organizer's local time is named in the description. Each event keeps
//! its UID; every change raises SEQUENCE and LAST-MODIFIED, and a
//! cancelled event stays in the feed with STATUS:CANCELLED so calendars
//! remove it.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, EventLike};

use crate::http_error::app_error;
use crate::state::AppState;

/// The feed as an iCalendar text.
pub fn render(
    person: &app::User,
    events: &[(app::Event, Option<app::RegistrationStatus>)],
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let mut cal = Calendar::empty();
    for (name, value) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//UNESCO ASPnet//Learning For the Future//EN"),
        ("CALSCALE", "GREGORIAN"),
    ] {
        cal.append_property(icalendar::Property::new(name, value));
    }
    cal.name(&format!("LFF — {}", person.display_name.as_str()));
    cal.append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    for (e, reg) in events {
        let d = &e.details;
        let mut ev = icalendar::Event::new();
        ev.uid(&format!("{}@lff", e.id))
            .summary(&d.title)
            .starts(d.starts_at)
            .ends(d.ends_at)
            .timestamp(now)
            .add_property(
                "LAST-MODIFIED",
                e.updated_at.format("%Y%m%dT%H%M%SZ").to_string(),
            )
            .add_property("CREATED", e.created_at.format("%Y%m%dT%H%M%SZ").to_string())
            .add_property("SEQUENCE", e.sequence.to_string());
        let mut text = format!(
            "{} ({}) – {} ({})",
            d.time_zone.local(d.starts_at),
            d.time_zone.as_str(),
            d.time_zone.local(d.ends_at),
            d.time_zone.as_str()
        );
        if let Some(url) = &d.join_url {
            text.push_str("\nJoin: ");
            text.push_str(url);
        }
        let body = e.description_text();
        if !body.is_empty() {
            text.push_str("\n\n");
            text.push_str(&body);
        }
        if let Some(reason) = &e.cancel_reason {
            text.push_str("\n\nCancelled: ");
            text.push_str(reason);
        }
        ev.description(&text);
        match (&d.place, &d.join_url) {
            (Some(p), _) => {
                ev.location(p);
            }
            (None, Some(u)) => {
                ev.location(u);
            }
            (None, None) => {}
        }
        if let Some(u) = &d.join_url {
            ev.add_property("URL", u);
        }
        let status = match (e.status, reg) {
            (app::EventStatus::Cancelled, _) => icalendar::EventStatus::Cancelled,
            (_, Some(app::RegistrationStatus::Waitlisted)) => icalendar::EventStatus::Tentative,
            _ => icalendar::EventStatus::Confirmed,
        };
        ev.status(status);
        cal.push(ev.done());
    }
    cal.done().to_string()
}

/// `GET /calendar/{secret}.ics`
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return app_error(app::Error::NotFound);
    };
    let (person, events) = match state.app.events().calendar_feed_events(token).await {
        Ok(x) => x,
        Err(e) => return app_error(e),
    };
    let body = render(&person, &events, state.app.now());
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    // The secret is in the address: keep the answer out of shared caches.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"lff.ics\""),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_folded_and_texts_escaped() {
        let start: chrono::DateTime<chrono::Utc> = "2026-12-10T08:00:00Z".parse().unwrap();
        let details = app::EventDetails::parse(app::EventForm {
            kind: app::EventKind::Workshop,
            title: "Workshop; with, commas".into(),
            description: Some("Ünïcödé ".repeat(30)),
            agenda: vec![],
            starts_at: start,
            ends_at: start + chrono::Duration::hours(2),
            time_zone: "Europe/Riga".into(),
            place: Some("Riga, School 1".into()),
            join_url: None,
            mentors: vec![],
            audience: app::EventAudience::Network,
            capacity: None,
        })
        .unwrap();
        let e = app::Event {
            id: app::EventId::generate(),
            details,
            organizer: app::UserId::generate(),
            audience_countries: vec![],
            status: app::EventStatus::Scheduled,
            cancel_reason: None,
            live_started_at: None,
            live_ended_at: None,
            record: Default::default(),
            sequence: 3,
            created_at: start,
            updated_at: start,
            registered: 0,
            waitlisted: 0,
        };
        let person = app::User {
            id: app::UserId::generate(),
            username: app::Username::parse("anna").unwrap(),
            email: None,
            display_name: app::DisplayName::parse("Anna").unwrap(),
            role: app::Role::Teacher,
            active: true,
            created_at: start,
            school: None,
            country: None,
            class_label: None,
            mentor: None,
        };
        let text = render(&person, &[(e, None)], start);
        assert!(text.ends_with("\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "a line longer than 75 octets: {line:?}");
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains("SUMMARY:Workshop\\; with\\, commas"),
            "{unfolded}"
        );
        assert!(unfolded.contains("DTSTART:20261210T080000Z"));
        assert!(unfolded.contains("SEQUENCE:3"));
        assert!(unfolded.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//UNESCO ASPnet//Learning For the Future//EN\r\n"), "{unfolded}");
        assert!(unfolded.contains("2026-12-10 10:00 (Europe/Riga)"));
    }
}
