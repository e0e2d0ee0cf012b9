//! Subscriptions for transports, with `spaceEvents` and `eventLive`
//! rendered once per event and audience rather than once per subscriber.
//!
//! A space's live event is prepared once for its staff and once for its
//! students and shared by every subscriber (see `app::spaces::hub::SpaceFrame`);
//! a live room's entry is one shared value for everyone in the room (see
//! `app::events::room`). Resolving and serializing it again for each of a
//! thousand subscribers was most of the server's work per delivery. Here a
//! subscription of one of those fields runs its document once per shared
//! event and keeps the serialized payload: every subscriber with the same
//! document (and the same variables, apart from those of the field's own
//! arguments) gets the same text.
//!
//! A rendering is only shared when the viewer was never consulted while
//! resolving it: resolvers read the viewer through [`crate::context::viewer`]
//! and [`crate::network::types::viewer_opt`], which note the use. A document
//! that asks for something personal (`reactions { mine }` on a reacted
//! message, `edits`, `replies`, `myRole`, …) is resolved per subscriber, as
//! before. An entry made for one subscriber alone (a replayed one, or a
//! room's question that this subscriber sees hidden) is resolved for them
//! alone. Errors and everything that is not a lone `spaceEvents` or
//! `eventLive` field take the ordinary path, so the answers are the same
//! either way, byte for byte.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use async_graphql::{Response, Variables};
use async_graphql_value::Value as AstValue;
use futures::stream::BoxStream;
use futures::{StreamExt, future};
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::LffSchema;
use crate::errors::{ErrorCode, INTERNAL_MESSAGE, error_with_code};

/// A subscription request as a transport received it.
#[derive(Clone)]
pub struct LiveRequest {
    pub query: String,
    pub operation_name: Option<String>,
    /// A JSON object, or `None`.
    pub variables: Option<Value>,
    pub viewer: app::Viewer,
    pub meta: app::RequestMeta,
}

impl LiveRequest {
    fn request(&self) -> async_graphql::Request {
        let mut req = async_graphql::Request::new(self.query.clone())
            .data(self.viewer.clone())
            .data(self.meta.clone());
        if let Some(name) = &self.operation_name {
            req = req.operation_name(name.clone());
        }
        if let Some(v) = &self.variables {
            req = req.variables(Variables::from_json(v.clone()));
        }
        req
    }
}

/// One result of a subscription.
pub enum Output {
    /// A response of this subscriber's own.
    Response(Box<Response>),
    /// A `next` payload (the serialized response) shared with others.
    Shared(Arc<str>),
}

/// Runs subscriptions; one per process.
#[derive(Clone)]
pub struct Live {
    schema: LffSchema,
    spaces: Arc<Renderings<app::SpaceEvent>>,
    rooms: Arc<Renderings<app::LiveEntry>>,
    counts: Arc<Counts>,
}

/// How live events were rendered, since the start.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LiveCounts {
    /// Times a live event (of a space or a room) was resolved and serialized.
    pub renderings: u64,
    /// Deliveries that reused a rendering made for another subscriber.
    pub reused: u64,
}

#[derive(Default)]
struct Counts {
    renderings: AtomicU64,
    reused: AtomicU64,
}

impl Live {
    pub fn new(schema: LffSchema) -> Live {
        Live {
            schema,
            spaces: Arc::new(Renderings::default()),
            rooms: Arc::new(Renderings::default()),
            counts: Arc::new(Counts::default()),
        }
    }

    pub fn counts(&self) -> LiveCounts {
        LiveCounts {
            renderings: self.counts.renderings.load(Ordering::Relaxed),
            reused: self.counts.reused.load(Ordering::Relaxed),
        }
    }

    /// The results of a subscription (or of a query or mutation sent as
    /// one), in order.
    pub fn execute(&self, req: LiveRequest) -> BoxStream<'static, Output> {
        match SharedPlan::of(
            &req.query,
            req.operation_name.as_deref(),
            req.variables.as_ref(),
        ) {
            Some(plan) => self.clone().shared(req, plan),
            None => self.ordinary(&req),
        }
    }

    fn ordinary(&self, req: &LiveRequest) -> BoxStream<'static, Output> {
        self.schema
            .execute_stream(req.request())
            .map(|r| Output::Response(Box::new(r)))
            .boxed()
    }

    fn shared(self, req: LiveRequest, plan: SharedPlan) -> BoxStream<'static, Output> {
        let start = async move {
            // The document is checked over no event first, so that a bad
            // document fails as it does on the ordinary path.
            let mut check = self.schema.execute_stream(
                req.request()
                    .data(OneEvent::<app::SpaceEvent>::empty())
                    .data(OneEvent::<app::LiveEntry>::empty())
                    .data(Arc::new(ViewerUse::default())),
            );
            if let Some(resp) = check.next().await {
                return futures::stream::once(future::ready(Output::Response(Box::new(resp))))
                    .boxed();
            }
            let app = self
                .schema
                .data::<app::App>()
                .expect("the schema holds the app")
                .clone();
            let (v, after) = (&req.viewer, plan.after.as_deref());
            // A subscription that cannot start fails as it would have, on
            // the ordinary path.
            match plan.field {
                SharedField::SpaceEvents => {
                    let events = match app::SpaceId::parse(&plan.id) {
                        Ok(space) => app.spaces().space_events(v, &space, after).await.ok(),
                        Err(_) => None,
                    };
                    match events {
                        Some(events) => self.follow(req, plan.key, events),
                        None => self.ordinary(&req),
                    }
                }
                SharedField::EventLive => {
                    let entries = match app::EventId::parse(&plan.id) {
                        Ok(event) => app.events().event_live(v, &event, after).await.ok(),
                        Err(_) => None,
                    };
                    match entries {
                        Some(entries) => self.follow(req, plan.key, entries),
                        None => self.ordinary(&req),
                    }
                }
            }
        };
        futures::stream::once(start).flatten().boxed()
    }

    /// Renders each item of a started stream, sharing what can be shared.
    fn follow<T: Item>(
        self,
        req: LiveRequest,
        key: Arc<str>,
        items: impl futures::Stream<Item = app::Result<Arc<T>>> + Send + 'static,
    ) -> BoxStream<'static, Output> {
        let job = Arc::new(Job {
            live: self,
            req,
            key,
            items: std::marker::PhantomData,
        });
        items
            .then(move |item| {
                let job = job.clone();
                async move { job.render(item).await }
            })
            .boxed()
    }
}

/// A kind of live item whose renderings are shared, with where they are kept.
trait Item: Send + Sync + Sized + 'static {
    fn renderings(live: &Live) -> &Renderings<Self>;
}

impl Item for app::SpaceEvent {
    fn renderings(live: &Live) -> &Renderings<Self> {
        &live.spaces
    }
}

impl Item for app::LiveEntry {
    fn renderings(live: &Live) -> &Renderings<Self> {
        &live.rooms
    }
}

/// What a shared subscription needs to render its events.
struct Job<T> {
    live: Live,
    req: LiveRequest,
    key: Arc<str>,
    items: std::marker::PhantomData<fn() -> T>,
}

impl<T: Item> Job<T> {
    async fn render(&self, item: app::Result<Arc<T>>) -> Output {
        let event = match item {
            Ok(e) => e,
            Err(e) => return Output::Response(Box::new(self.resolve(Err(e)).await.0)),
        };
        // An event nobody else holds is either replayed for this subscriber
        // alone (not worth keeping) or the last delivery of a live one
        // (whose rendering, if any, is found by the event's address: the
        // kept weak reference keeps that address from being reused).
        let slot = if Arc::strong_count(&event) > 1 {
            Some(T::renderings(&self.live).slot(&event, &self.key))
        } else {
            T::renderings(&self.live).find(&event, &self.key)
        };
        let Some(slot) = slot else {
            return Output::Response(Box::new(self.resolve(Ok(event)).await.0));
        };
        let mut own = None;
        let mut made_here = false;
        let rendered = slot
            .get_or_init(|| async {
                made_here = true;
                let (resp, personal) = self.resolve(Ok(event.clone())).await;
                if personal {
                    own = Some(resp);
                    Rendered::Personal
                } else {
                    Rendered::Shared(payload(&resp))
                }
            })
            .await;
        match rendered {
            Rendered::Shared(text) => {
                if !made_here {
                    self.live.counts.reused.fetch_add(1, Ordering::Relaxed);
                }
                Output::Shared(text.clone())
            }
            Rendered::Personal => match own {
                Some(resp) => Output::Response(Box::new(resp)),
                None => Output::Response(Box::new(self.resolve(Ok(event)).await.0)),
            },
        }
    }

    /// Runs the document over one event; says whether the viewer was used.
    async fn resolve(&self, item: app::Result<Arc<T>>) -> (Response, bool) {
        self.live.counts.renderings.fetch_add(1, Ordering::Relaxed);
        let used = Arc::new(ViewerUse::default());
        let mut stream = self.live.schema.execute_stream(
            self.req
                .request()
                .data(OneEvent(Mutex::new(Some(item))))
                .data(used.clone()),
        );
        let resp = stream.next().await.unwrap_or_else(|| {
            Response::from_errors(vec![error_with_code(ErrorCode::Internal, INTERNAL_MESSAGE)])
        });
        (resp, used.0.load(Ordering::Relaxed))
    }
}

/// Serializes a response as the `payload` of a `next` message.
pub fn payload(resp: &Response) -> Arc<str> {
    match serde_json::to_string(resp) {
        Ok(s) => s.into(),
        Err(_) => {
            let e =
                Response::from_errors(vec![error_with_code(ErrorCode::Internal, INTERNAL_MESSAGE)]);
            serde_json::to_string(&e).unwrap_or_default().into()
        }
    }
}

/// The item a `spaceEvents` (`T` = `app::SpaceEvent`) or `eventLive`
/// (`app::LiveEntry`) resolution is to yield, instead of subscribing:
/// `None` yields nothing (the document is only checked).
pub(crate) struct OneEvent<T>(Mutex<Option<app::Result<Arc<T>>>>);

impl<T> OneEvent<T> {
    fn empty() -> Self {
        OneEvent(Mutex::new(None))
    }

    pub(crate) fn take(&self) -> Option<app::Result<Arc<T>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// Set when a resolver looked at who is asking.
#[derive(Default)]
pub(crate) struct ViewerUse(AtomicBool);

/// Notes that the answer being resolved depends on who asks.
pub(crate) fn note_viewer_use(ctx: &async_graphql::Context<'_>) {
    if let Some(u) = ctx.data_opt::<Arc<ViewerUse>>() {
        u.0.store(true, Ordering::Relaxed);
    }
}

/// The subscription fields whose renderings are shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SharedField {
    SpaceEvents,
    EventLive,
}

impl SharedField {
    fn of(name: &str) -> Option<SharedField> {
        match name {
            "spaceEvents" => Some(SharedField::SpaceEvents),
            "eventLive" => Some(SharedField::EventLive),
            _ => None,
        }
    }

    /// The argument naming what is followed.
    fn id_argument(self) -> &'static str {
        match self {
            SharedField::SpaceEvents => "spaceId",
            SharedField::EventLive => "eventId",
        }
    }
}

/// A subscription that can share renderings: a lone `spaceEvents` or
/// `eventLive` field.
struct SharedPlan {
    field: SharedField,
    /// The space or event followed.
    id: String,
    after: Option<String>,
    /// What, besides the event, decides the rendering: the document, the
    /// operation and the variables other than `spaceEvents`' arguments.
    key: Arc<str>,
}

impl SharedPlan {
    fn of(
        query: &str,
        operation_name: Option<&str>,
        variables: Option<&Value>,
    ) -> Option<SharedPlan> {
        if !crate::limits::nesting_ok(query) {
            return None;
        }
        let doc = async_graphql::parser::parse_query(query).ok()?;
        let op = match (&doc.operations, operation_name) {
            (DocumentOperations::Single(op), None) => op,
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name)?,
            _ => return None,
        };
        if op.node.ty != OperationType::Subscription || !op.node.directives.is_empty() {
            return None;
        }
        let [item] = op.node.selection_set.node.items.as_slice() else {
            return None;
        };
        let Selection::Field(field) = &item.node else {
            return None;
        };
        let field = &field.node;
        let shared = SharedField::of(&field.name.node)?;
        if !field.directives.is_empty() {
            return None;
        }
        let vars = match variables {
            Some(Value::Object(m)) => Some(m),
            None => None,
            Some(_) => return None,
        };
        let mut own_vars = Vec::new();
        let mut arg = |v: &AstValue| -> Option<Option<String>> {
            match v {
                AstValue::Null => Some(None),
                AstValue::String(s) => Some(Some(s.clone())),
                AstValue::Variable(name) => {
                    own_vars.push(name.to_string());
                    match vars.and_then(|m| m.get(name.as_str())) {
                        None | Some(Value::Null) => Some(None),
                        Some(Value::String(s)) => Some(Some(s.clone())),
                        Some(_) => None,
                    }
                }
                _ => None,
            }
        };
        let (mut id, mut after) = (None, None);
        for (name, value) in &field.arguments {
            let v = arg(&value.node)?;
            match name.node.as_str() {
                "after" => after = v,
                n if n == shared.id_argument() => id = v,
                _ => return None,
            }
        }
        let id = id?;
        let mut rest = serde_json::Map::new();
        if let Some(m) = vars {
            for (k, v) in m {
                if !own_vars.contains(k) {
                    rest.insert(k.clone(), v.clone());
                }
            }
        }
        let key = format!(
            "{}\n{}\n{}",
            operation_name.unwrap_or(""),
            Value::Object(rest),
            query
        );
        Some(SharedPlan {
            field: shared,
            id,
            after,
            key: key.into(),
        })
    }
}

enum Rendered {
    Shared(Arc<str>),
    /// The rendering depends on the viewer: each subscriber resolves it.
    Personal,
}

/// Renderings of shared events, by event and document; the newest
/// [`KEPT`] are kept, which covers the time it takes to deliver an event to
/// every subscriber many times over.
struct Renderings<T> {
    slots: Mutex<Slots<T>>,
}

impl<T> Default for Renderings<T> {
    fn default() -> Self {
        Renderings {
            slots: Mutex::new(Slots {
                map: HashMap::new(),
                order: VecDeque::new(),
            }),
        }
    }
}

const KEPT: usize = 8192;

type SlotKey = (usize, Arc<str>);

struct Slots<T> {
    // The weak reference keeps the event's allocation, so its address is
    // not reused for another event while the entry exists.
    map: HashMap<SlotKey, (Weak<T>, Arc<OnceCell<Rendered>>)>,
    order: VecDeque<SlotKey>,
}

impl<T> Renderings<T> {
    fn find(&self, event: &Arc<T>, key: &Arc<str>) -> Option<Arc<OnceCell<Rendered>>> {
        let k = (Arc::as_ptr(event) as usize, key.clone());
        let s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        s.map.get(&k).map(|(_, cell)| cell.clone())
    }

    fn slot(&self, event: &Arc<T>, key: &Arc<str>) -> Arc<OnceCell<Rendered>> {
        let k = (Arc::as_ptr(event) as usize, key.clone());
        let mut s = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, cell)) = s.map.get(&k) {
            return cell.clone();
        }
        if s.order.len() >= KEPT
            && let Some(old) = s.order.pop_front()
        {
            s.map.remove(&old);
        }
        let cell = Arc::new(OnceCell::new());
        s.map
            .insert(k.clone(), (Arc::downgrade(event), cell.clone()));
        s.order.push_back(k);
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOC: &str = "subscription($s: ID!, $a: String, $full: Boolean!) { \
        spaceEvents(spaceId: $s, after: $a) { cursor ... on MessagePosted { message { id body @include(if: $full) } } } }";

    #[test]
    fn a_lone_space_events_field_is_shared_whatever_its_cursor() {
        let one = SharedPlan::of(
            DOC,
            None,
            Some(&json!({ "s": "sp1", "a": "7", "full": true })),
        )
        .unwrap();
        let two = SharedPlan::of(
            DOC,
            None,
            Some(&json!({ "s": "sp1", "a": null, "full": true })),
        )
        .unwrap();
        assert_eq!(
            (one.field, one.id.as_str()),
            (SharedField::SpaceEvents, "sp1")
        );
        assert_eq!(one.after.as_deref(), Some("7"));
        assert_eq!(two.after, None);
        // Neither the space nor the cursor changes how an event is rendered.
        assert_eq!(one.key, two.key);
        let other = SharedPlan::of(
            DOC,
            None,
            Some(&json!({ "s": "sp2", "a": "9", "full": true })),
        )
        .unwrap();
        assert_eq!(one.key, other.key);
        // Other variables do.
        let short = SharedPlan::of(
            DOC,
            None,
            Some(&json!({ "s": "sp1", "a": "7", "full": false })),
        )
        .unwrap();
        assert_ne!(one.key, short.key);
        // Literal arguments work too.
        let lit = SharedPlan::of(
            "subscription { spaceEvents(spaceId: \"sp3\", after: \"2\") { cursor } }",
            None,
            None,
        )
        .unwrap();
        assert_eq!((lit.id.as_str(), lit.after.as_deref()), ("sp3", Some("2")));
        // A live room is shared the same way, by its own arguments.
        let room = SharedPlan::of(
            "subscription($e: ID!, $a: String) { eventLive(eventId: $e, after: $a) { cursor kind } }",
            None,
            Some(&json!({ "e": "ev1", "a": "3" })),
        )
        .unwrap();
        assert_eq!(
            (room.field, room.id.as_str(), room.after.as_deref()),
            (SharedField::EventLive, "ev1", Some("3"))
        );
    }

    #[test]
    fn anything_else_takes_the_ordinary_path() {
        let vars = json!({ "s": "sp1" });
        for (doc, op) in [
            ("subscription { notifications { id } }", None),
            ("query { me { id } }", None),
            (
                "subscription($s: ID!) { spaceEvents(spaceId: $s) @include(if: true) { cursor } }",
                None,
            ),
            (
                "subscription($s: ID!) { ...F } fragment F on Subscription { spaceEvents(spaceId: $s) { cursor } }",
                None,
            ),
            (
                "subscription($s: ID!) { spaceEvents(spaceId: $s, extra: 1) { cursor } }",
                None,
            ),
            (
                "subscription { spaceEvents(after: \"1\") { cursor } }",
                None,
            ),
            (
                "subscription($s: ID!) { spaceEvents(eventId: $s) { cursor } }",
                None,
            ),
            (
                "subscription($s: ID!) { eventLive(spaceId: $s) { cursor } }",
                None,
            ),
            (
                "subscription A($s: ID!) { spaceEvents(spaceId: $s) { cursor } }",
                Some("B"),
            ),
            (
                "subscription($s: ID!) { spaceEvents(spaceId: $s) { cursor } }",
                Some("A"),
            ),
            ("subscription { spaceEvents(spaceId: 5) { cursor } }", None),
            ("not graphql", None),
        ] {
            assert!(SharedPlan::of(doc, op, Some(&vars)).is_none(), "{doc}");
        }
        let named = "subscription A($s: ID!) { spaceEvents(spaceId: $s) { cursor } } \
                     subscription B { notifications { id } }";
        assert!(SharedPlan::of(named, Some("A"), Some(&vars)).is_some());
        assert!(SharedPlan::of(named, Some("B"), Some(&vars)).is_none());
    }
}
