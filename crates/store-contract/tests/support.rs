//! The customer service contract ([`SupportStore`], [`SupportTx`]): a ticket opens with
//! nobody assigned, a customer has at most one active ticket (also when one is reopened),
//! an update writes every changeable field, a ticket is found by its topic's thread id
//! through the outbox message that created the topic, listings filter and order, the
//! report reads the tickets opened in `[from, to)`, messages come oldest first, and canned
//! replies fall back to another language.
//! Every test here runs once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`SupportStore`]: groupcart_core::support::SupportStore
//! [`SupportTx`]: groupcart_core::support::SupportTx

use chrono::Duration;
use groupcart_core::customer::CustomerId;
use groupcart_core::outbox::{Action, NewOutbound, Settlement};
use groupcart_core::store::SharedStore;
use groupcart_core::support::{
    Author, CannedReply, NewTicket, NewTicketMessage, Priority, Ticket, TicketFilter, TicketId,
    TicketStatus,
};
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{customers, t};

groupcart_store_contract::backend_tests!(
    a_ticket_opens_unassigned_and_round_trips,
    one_active_ticket_per_customer,
    reopening_while_another_is_active_conflicts,
    an_update_writes_every_field,
    ticket_by_thread_follows_the_topic_message,
    listing_filters_and_orders_newest_first,
    the_report_window_includes_from_and_excludes_to,
    messages_come_oldest_first,
    canned_replies_fall_back_to_another_language,
    retention_empties_conversations_of_ended_tickets,
);

/// The retention period empties the conversations of tickets resolved or closed before it,
/// and leaves tickets still going (or ended later) alone.
async fn retention_empties_conversations_of_ended_tickets(store: SharedStore) {
    let [ada, bo, cy]: [CustomerId; 3] = customers(&store, &[381, 382, 383])
        .await
        .try_into()
        .unwrap();
    // Resolved 30 min after opening at t(1); closed at t(5000); still open.
    let old = set_status(
        &store,
        &open(&store, &new_ticket(ada, "en", 1)).await,
        TicketStatus::Resolved,
    )
    .await;
    let mut late = open(&store, &new_ticket(bo, "en", 1)).await;
    late.status = TicketStatus::Closed;
    late.closed_at = Some(t(5000));
    update(&store, &late).await;
    let going = open(&store, &new_ticket(cy, "en", 1)).await;
    let mut tx = store.begin().await.unwrap();
    for ticket in [&old, &late, &going] {
        tx.add_ticket_message(&message(
            ticket.id,
            Author::Customer,
            "my address is 1 Elm St",
            2,
        ))
        .await
        .unwrap();
    }
    // Before t(4000): only the ticket resolved at t(1801).
    let emptied = tx.expire_messages(t(4000), 100).await.unwrap();
    tx.commit().await.unwrap();
    assert!(emptied >= 1, "{emptied}");
    let text = |id| {
        let store = store.clone();
        async move { store.ticket_messages(id).await.unwrap()[0].text.clone() }
    };
    assert_eq!(text(old.id).await, "");
    assert_eq!(text(late.id).await, "my address is 1 Elm St");
    assert_eq!(text(going.id).await, "my address is 1 Elm St");
    // The tickets themselves stay, for the report.
    assert!(store.ticket(old.id).await.unwrap().is_some());
}

const BOT: &str = "shop_bot";
const STAFF: i64 = -1_001_000_000_001;
const OTHER_STAFF: i64 = -1_001_000_000_002;

fn new_ticket(customer: CustomerId, group: &str, secs: i64) -> NewTicket {
    NewTicket {
        customer_id: customer,
        bot: BOT.into(),
        priority: Priority::Normal,
        group: group.into(),
        staff_chat: STAFF,
        topic: "orders".into(),
        language: "en".into(),
        opened_at: t(secs),
        first_response_due: t(secs) + Duration::hours(1),
        resolution_due: t(secs) + Duration::hours(24),
    }
}

async fn open(store: &SharedStore, ticket: &NewTicket) -> Ticket {
    let mut tx = store.begin().await.unwrap();
    let ticket = tx.insert_ticket(ticket).await.unwrap();
    tx.commit().await.unwrap();
    ticket
}

async fn update(store: &SharedStore, ticket: &Ticket) {
    let mut tx = store.begin().await.unwrap();
    tx.update_ticket(ticket).await.unwrap();
    tx.commit().await.unwrap();
}

/// Sets the ticket's status (and resolution time when resolving).
async fn set_status(store: &SharedStore, ticket: &Ticket, status: TicketStatus) -> Ticket {
    let mut changed = ticket.clone();
    changed.status = status;
    if status == TicketStatus::Resolved {
        changed.resolved_at = Some(ticket.opened_at + Duration::minutes(30));
    }
    update(store, &changed).await;
    changed
}

fn ids(tickets: &[Ticket]) -> Vec<i64> {
    tickets.iter().map(|t| t.id.0).collect()
}

async fn a_ticket_opens_unassigned_and_round_trips(store: SharedStore) {
    let [ada]: [CustomerId; 1] = customers(&store, &[301]).await.try_into().unwrap();
    let mut new = new_ticket(ada, "zh-sales", 10);
    new.priority = Priority::High;
    new.language = "zh".into();
    new.topic = "pre-sales".into();
    let ticket = open(&store, &new).await;
    assert_eq!(ticket.customer_id, ada);
    assert_eq!(ticket.bot, BOT);
    assert_eq!(ticket.status, TicketStatus::Open);
    assert_eq!(ticket.priority, Priority::High);
    assert_eq!(ticket.group, "zh-sales");
    assert_eq!(ticket.staff_chat, STAFF);
    assert_eq!(
        (ticket.topic.as_str(), ticket.language.as_str()),
        ("pre-sales", "zh")
    );
    assert_eq!(ticket.topic_outbox_id, None);
    assert_eq!(
        (ticket.assignee_id, ticket.assignee_name.as_deref()),
        (None, None)
    );
    assert_eq!(ticket.opened_at, t(10));
    assert_eq!(ticket.first_response_due, t(10) + Duration::hours(1));
    assert_eq!(ticket.resolution_due, t(10) + Duration::hours(24));
    assert_eq!(
        (
            ticket.first_response_at,
            ticket.resolved_at,
            ticket.closed_at
        ),
        (None, None, None)
    );
    assert_eq!(
        (
            ticket.first_response_breached_at,
            ticket.resolution_breached_at
        ),
        (None, None)
    );
    assert_eq!((ticket.csat, ticket.nps), (None, None));

    assert_eq!(store.ticket(ticket.id).await.unwrap(), Some(ticket.clone()));
    assert_eq!(
        store.ticket(TicketId(ticket.id.0 + 100)).await.unwrap(),
        None
    );
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.ticket_for_update(ticket.id).await.unwrap(),
        Some(ticket.clone())
    );
    assert_eq!(
        tx.ticket_for_update(TicketId(ticket.id.0 + 100))
            .await
            .unwrap(),
        None
    );
    assert_eq!(tx.active_ticket(ada).await.unwrap(), Some(ticket));
}

async fn one_active_ticket_per_customer(store: SharedStore) {
    let [ada, bo]: [CustomerId; 2] = customers(&store, &[311, 312]).await.try_into().unwrap();
    let first = open(&store, &new_ticket(ada, "en", 1)).await;

    let mut tx = store.begin().await.unwrap();
    let second = tx.insert_ticket(&new_ticket(ada, "en", 2)).await;
    assert!(matches!(second, Err(Error::Conflict(_))), "{second:?}");
    // The transaction goes on after the conflict.
    assert_eq!(tx.active_ticket(ada).await.unwrap(), Some(first.clone()));
    let other = tx.insert_ticket(&new_ticket(bo, "en", 2)).await.unwrap();
    tx.commit().await.unwrap();
    assert_ne!(other.id, first.id);

    // Pending is active too.
    let pending = set_status(&store, &first, TicketStatus::Pending).await;
    let mut tx = store.begin().await.unwrap();
    let again = tx.insert_ticket(&new_ticket(ada, "en", 3)).await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    assert_eq!(tx.active_ticket(ada).await.unwrap(), Some(pending.clone()));
    drop(tx);

    // Once resolved, the customer has no active ticket and may open a new one.
    set_status(&store, &pending, TicketStatus::Resolved).await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.active_ticket(ada).await.unwrap(), None);
    let next = tx.insert_ticket(&new_ticket(ada, "en", 4)).await.unwrap();
    assert_eq!(tx.active_ticket(ada).await.unwrap(), Some(next.clone()));
    tx.commit().await.unwrap();
    assert!(next.id.0 > other.id.0);
}

async fn reopening_while_another_is_active_conflicts(store: SharedStore) {
    let [ada]: [CustomerId; 1] = customers(&store, &[321]).await.try_into().unwrap();
    let old = open(&store, &new_ticket(ada, "en", 1)).await;
    let old = set_status(&store, &old, TicketStatus::Resolved).await;
    let current = open(&store, &new_ticket(ada, "en", 2)).await;

    for status in [TicketStatus::Open, TicketStatus::Pending] {
        let mut reopened = old.clone();
        reopened.status = status;
        let mut tx = store.begin().await.unwrap();
        let result = tx.update_ticket(&reopened).await;
        assert!(
            matches!(result, Err(Error::Conflict(_))),
            "{status:?}: {result:?}"
        );
        // The transaction goes on after the conflict.
        assert_eq!(tx.active_ticket(ada).await.unwrap(), Some(current.clone()));
    }
    assert_eq!(store.ticket(old.id).await.unwrap(), Some(old.clone()));

    // Closing the old one, or changing the active one, is no conflict.
    let closed = set_status(&store, &old, TicketStatus::Closed).await;
    let pending = set_status(&store, &current, TicketStatus::Pending).await;
    assert_eq!(store.ticket(closed.id).await.unwrap(), Some(closed));
    // With the other one done, the old one may be reopened.
    set_status(&store, &pending, TicketStatus::Resolved).await;
    let reopened = set_status(&store, &old, TicketStatus::Open).await;
    assert_eq!(store.ticket(old.id).await.unwrap(), Some(reopened));
}

async fn an_update_writes_every_field(store: SharedStore) {
    let [ada]: [CustomerId; 1] = customers(&store, &[331]).await.try_into().unwrap();
    let ticket = open(&store, &new_ticket(ada, "en", 1)).await;
    let mut tx = store.begin().await.unwrap();
    let topic = tx
        .enqueue(&NewOutbound::now(
            BOT,
            OTHER_STAFF,
            Action::CreateTopic {
                name: "#1 Ada".into(),
            },
            t(1),
        ))
        .await
        .unwrap();
    let changed = Ticket {
        status: TicketStatus::Resolved,
        priority: Priority::Low,
        group: "returns".into(),
        staff_chat: OTHER_STAFF,
        topic_outbox_id: Some(topic),
        assignee_id: Some(7_000_001),
        assignee_name: Some("Mei".into()),
        first_response_at: Some(t(100)),
        resolved_at: Some(t(200)),
        closed_at: Some(t(300)),
        first_response_due: t(50),
        resolution_due: t(250),
        first_response_breached_at: Some(t(51)),
        resolution_breached_at: Some(t(251)),
        csat: Some(4),
        nps: Some(9),
        ..ticket.clone()
    };
    tx.update_ticket(&changed).await.unwrap();
    assert_eq!(
        tx.ticket_for_update(ticket.id).await.unwrap(),
        Some(changed.clone())
    );
    tx.commit().await.unwrap();
    assert_eq!(
        store.ticket(ticket.id).await.unwrap(),
        Some(changed.clone())
    );

    // And back to nothing.
    let cleared = Ticket {
        status: TicketStatus::Open,
        assignee_id: None,
        assignee_name: None,
        topic_outbox_id: None,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        first_response_breached_at: None,
        resolution_breached_at: None,
        csat: None,
        nps: None,
        ..changed
    };
    update(&store, &cleared).await;
    assert_eq!(
        store.ticket(ticket.id).await.unwrap(),
        Some(cleared.clone())
    );

    let mut tx = store.begin().await.unwrap();
    let unknown = tx
        .update_ticket(&Ticket {
            id: TicketId(ticket.id.0 + 100),
            status: TicketStatus::Closed,
            ..cleared
        })
        .await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");
}

/// Opens a ticket whose topic is created by an outbox message to `staff_chat`; settles
/// that message with `thread` as its result when given.
async fn ticket_with_topic(
    store: &SharedStore,
    customer: CustomerId,
    staff_chat: i64,
    thread: Option<i64>,
    secs: i64,
) -> Ticket {
    let mut tx = store.begin().await.unwrap();
    let mut ticket = tx
        .insert_ticket(&NewTicket {
            staff_chat,
            ..new_ticket(customer, "en", secs)
        })
        .await
        .unwrap();
    let topic = tx
        .enqueue(&NewOutbound {
            customer_id: Some(customer),
            ..NewOutbound::now(
                BOT,
                staff_chat,
                Action::CreateTopic {
                    name: format!("#{} Ada", ticket.id.0),
                },
                t(secs),
            )
        })
        .await
        .unwrap();
    ticket.topic_outbox_id = Some(topic);
    tx.update_ticket(&ticket).await.unwrap();
    tx.commit().await.unwrap();
    if let Some(thread) = thread {
        let sent = Settlement::Sent {
            at: t(secs + 1),
            remote_message_id: Some(thread),
        };
        store.outbox_settle(topic, &sent, None).await.unwrap();
    }
    ticket
}

async fn ticket_by_thread_follows_the_topic_message(store: SharedStore) {
    let [ada, bo, cy]: [CustomerId; 3] = customers(&store, &[341, 342, 343])
        .await
        .try_into()
        .unwrap();
    let ticket = ticket_with_topic(&store, ada, STAFF, Some(777), 1).await;
    // The same thread id in another forum belongs to another ticket.
    let elsewhere = ticket_with_topic(&store, bo, OTHER_STAFF, Some(777), 2).await;
    // A topic not created yet has no thread.
    let waiting = ticket_with_topic(&store, cy, STAFF, None, 3).await;

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.ticket_by_thread(STAFF, 777).await.unwrap(),
        Some(ticket.clone())
    );
    assert_eq!(
        tx.ticket_by_thread(OTHER_STAFF, 777).await.unwrap(),
        Some(elsewhere)
    );
    assert_eq!(tx.ticket_by_thread(STAFF, 778).await.unwrap(), None);
    assert_eq!(tx.ticket_by_thread(-1_009, 777).await.unwrap(), None);

    // A topic message enqueued in this very transaction has no thread yet either; the
    // look-up does not disturb it.
    let queued = tx
        .enqueue(&NewOutbound::now(
            BOT,
            STAFF,
            Action::CreateTopic { name: "#x".into() },
            t(4),
        ))
        .await
        .unwrap();
    assert_eq!(tx.ticket_by_thread(STAFF, 779).await.unwrap(), None);
    let after = tx
        .enqueue(&NewOutbound::now(
            BOT,
            STAFF,
            Action::SendText {
                text: "after".into(),
                buttons: Vec::new(),
            },
            t(4),
        ))
        .await
        .unwrap();
    assert!(after > queued);
    tx.commit().await.unwrap();
    let due = store.outbox_due(BOT, t(10), 100).await.unwrap();
    // The forum's messages are offered one at a time, oldest first: the waiting ticket's
    // topic.
    assert_eq!(
        due.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![waiting.topic_outbox_id.unwrap()]
    );
    let sent = Settlement::Sent {
        at: t(11),
        remote_message_id: Some(900),
    };
    store
        .outbox_settle(waiting.topic_outbox_id.unwrap(), &sent, None)
        .await
        .unwrap();
    let due = store.outbox_due(BOT, t(12), 100).await.unwrap();
    assert_eq!(due.iter().map(|m| m.id).collect::<Vec<_>>(), vec![queued]);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.ticket_by_thread(STAFF, 900).await.unwrap(),
        Some(waiting)
    );
    assert_eq!(tx.ticket_by_thread(STAFF, 777).await.unwrap(), Some(ticket));
}

async fn listing_filters_and_orders_newest_first(store: SharedStore) {
    let [ada, bo, cy]: [CustomerId; 3] = customers(&store, &[351, 352, 353])
        .await
        .try_into()
        .unwrap();
    let a1 = open(&store, &new_ticket(ada, "en", 1)).await;
    let a1 = set_status(&store, &a1, TicketStatus::Resolved).await;
    let b1 = open(&store, &new_ticket(bo, "zh", 2)).await;
    let a2 = open(&store, &new_ticket(ada, "zh", 3)).await;
    let c1 = open(&store, &new_ticket(cy, "en", 4)).await;
    let c1 = set_status(&store, &c1, TicketStatus::Pending).await;

    let list = |filter: TicketFilter| {
        let store = store.clone();
        async move { ids(&store.tickets(&filter).await.unwrap()) }
    };
    let all = store.tickets(&TicketFilter::default()).await.unwrap();
    assert_eq!(
        all,
        vec![c1.clone(), a2.clone(), b1.clone(), a1.clone()],
        "limit 0 lists up to the default"
    );
    assert_eq!(
        list(TicketFilter {
            limit: -5,
            ..TicketFilter::default()
        })
        .await,
        ids(&all)
    );
    assert_eq!(
        list(TicketFilter {
            limit: 2,
            ..TicketFilter::default()
        })
        .await,
        ids(&[c1.clone(), a2.clone()])
    );
    assert_eq!(
        list(TicketFilter {
            limit: 1_000_000,
            ..TicketFilter::default()
        })
        .await,
        ids(&all)
    );
    assert_eq!(
        list(TicketFilter {
            status: Some(TicketStatus::Open),
            ..TicketFilter::default()
        })
        .await,
        ids(&[a2.clone(), b1.clone()])
    );
    assert_eq!(
        list(TicketFilter {
            group: Some("en".into()),
            ..TicketFilter::default()
        })
        .await,
        ids(&[c1.clone(), a1.clone()])
    );
    assert_eq!(
        list(TicketFilter {
            customer_id: Some(ada),
            ..TicketFilter::default()
        })
        .await,
        ids(&[a2.clone(), a1.clone()])
    );
    assert_eq!(
        list(TicketFilter {
            status: Some(TicketStatus::Open),
            group: Some("zh".into()),
            customer_id: Some(ada),
            limit: 10,
        })
        .await,
        ids(&[a2])
    );
    assert_eq!(
        list(TicketFilter {
            status: Some(TicketStatus::Closed),
            ..TicketFilter::default()
        })
        .await,
        Vec::<i64>::new()
    );
}

async fn the_report_window_includes_from_and_excludes_to(store: SharedStore) {
    let people = customers(&store, &[361, 362, 363, 364, 365]).await;
    // Opened out of id order: the report reads by opening time.
    let mut opened = Vec::new();
    for (customer, secs) in people.iter().zip([100, 40, 99, 160, 0]) {
        opened.push(open(&store, &new_ticket(*customer, "en", secs)).await);
    }
    let window = store.tickets_opened_between(t(40), t(100)).await.unwrap();
    assert_eq!(window, vec![opened[1].clone(), opened[2].clone()]);
    let later = store.tickets_opened_between(t(99), t(161)).await.unwrap();
    assert_eq!(
        later,
        vec![opened[2].clone(), opened[0].clone(), opened[3].clone()]
    );
    assert!(store
        .tickets_opened_between(t(41), t(99))
        .await
        .unwrap()
        .is_empty());
    // One millisecond before the end is inside.
    let edge = store
        .tickets_opened_between(t(0), t(40) + Duration::milliseconds(1))
        .await
        .unwrap();
    assert_eq!(ids(&edge), ids(&[opened[4].clone(), opened[1].clone()]));
}

fn message(ticket: TicketId, author: Author, text: &str, secs: i64) -> NewTicketMessage {
    let agent = author != Author::Customer;
    NewTicketMessage {
        ticket_id: ticket,
        at: t(secs),
        author,
        agent_id: agent.then_some(7_000_001),
        agent_name: agent.then(|| "Mei".to_string()),
        text: text.into(),
    }
}

async fn messages_come_oldest_first(store: SharedStore) {
    let [ada, bo]: [CustomerId; 2] = customers(&store, &[371, 372]).await.try_into().unwrap();
    let ticket = open(&store, &new_ticket(ada, "en", 1)).await;
    let other = open(&store, &new_ticket(bo, "en", 1)).await;
    let written = [
        message(ticket.id, Author::Customer, "Where is my order?", 2),
        message(ticket.id, Author::Note, "check the courier", 5),
        // Stored after the note, though dated before it: the order is the stored one.
        message(ticket.id, Author::Agent, "On its way, {name}!", 4),
    ];
    let mut tx = store.begin().await.unwrap();
    let mut stored = Vec::new();
    for m in &written {
        stored.push(tx.add_ticket_message(m).await.unwrap());
    }
    tx.add_ticket_message(&message(other.id, Author::Customer, "hello", 3))
        .await
        .unwrap();
    let in_tx = tx.ticket_messages_tx(ticket.id).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(in_tx.iter().map(|m| m.id).collect::<Vec<_>>(), stored);
    for (read, m) in in_tx.iter().zip(&written) {
        assert_eq!(read.ticket_id, ticket.id);
        assert_eq!(
            (
                read.at,
                read.author,
                read.agent_id,
                &read.agent_name,
                &read.text
            ),
            (m.at, m.author, m.agent_id, &m.agent_name, &m.text)
        );
    }
    assert_eq!(store.ticket_messages(ticket.id).await.unwrap(), in_tx);
    assert_eq!(store.ticket_messages(other.id).await.unwrap().len(), 1);
    assert!(store
        .ticket_messages(TicketId(other.id.0 + 100))
        .await
        .unwrap()
        .is_empty());

    let mut tx = store.begin().await.unwrap();
    let unknown = tx
        .add_ticket_message(&message(
            TicketId(other.id.0 + 100),
            Author::Customer,
            "lost",
            6,
        ))
        .await;
    assert!(unknown.is_err(), "{unknown:?}");
}

fn reply(name: &str, language: &str, text: &str) -> CannedReply {
    CannedReply {
        name: name.into(),
        language: language.into(),
        text: text.into(),
    }
}

async fn canned_reply_in(store: &SharedStore, name: &str, language: &str) -> Option<CannedReply> {
    let mut tx = store.begin().await.unwrap();
    let found = tx.canned_reply(name, language).await.unwrap();
    tx.commit().await.unwrap();
    found
}

async fn canned_replies_fall_back_to_another_language(store: SharedStore) {
    assert!(store.canned_replies().await.unwrap().is_empty());
    for r in [
        reply("thanks", "zh", "谢谢，{name}！"),
        reply("thanks", "en", "Thanks, {name}!"),
        reply("thanks", "es", "¡Gracias, {name}!"),
        reply("tracking", "zh-tw", "追蹤：{tracking}"),
        reply("tracking", "zh", "追踪：{tracking}"),
        reply("greeting", "es", "¡Hola!"),
    ] {
        store.set_canned_reply(&r).await.unwrap();
    }
    // Setting it again replaces the text.
    store
        .set_canned_reply(&reply("thanks", "en", "Thank you, {name}!"))
        .await
        .unwrap();
    assert_eq!(
        store.canned_replies().await.unwrap(),
        vec![
            reply("greeting", "es", "¡Hola!"),
            reply("thanks", "en", "Thank you, {name}!"),
            reply("thanks", "es", "¡Gracias, {name}!"),
            reply("thanks", "zh", "谢谢，{name}！"),
            reply("tracking", "zh", "追踪：{tracking}"),
            reply("tracking", "zh-tw", "追蹤：{tracking}"),
        ]
    );

    assert_eq!(
        canned_reply_in(&store, "thanks", "zh").await,
        Some(reply("thanks", "zh", "谢谢，{name}！"))
    );
    assert_eq!(
        canned_reply_in(&store, "thanks", "es").await,
        Some(reply("thanks", "es", "¡Gracias, {name}!"))
    );
    // No French: the smallest language tag.
    assert_eq!(
        canned_reply_in(&store, "thanks", "fr").await,
        Some(reply("thanks", "en", "Thank you, {name}!"))
    );
    assert_eq!(
        canned_reply_in(&store, "tracking", "zh-tw").await,
        Some(reply("tracking", "zh-tw", "追蹤：{tracking}"))
    );
    assert_eq!(
        canned_reply_in(&store, "tracking", "en").await,
        Some(reply("tracking", "zh", "追踪：{tracking}"))
    );
    assert_eq!(
        canned_reply_in(&store, "greeting", "en").await,
        Some(reply("greeting", "es", "¡Hola!"))
    );
    assert_eq!(canned_reply_in(&store, "nothing", "en").await, None);

    assert!(store.delete_canned_reply("thanks").await.unwrap());
    assert!(!store.delete_canned_reply("thanks").await.unwrap());
    assert!(!store.delete_canned_reply("nothing").await.unwrap());
    assert_eq!(canned_reply_in(&store, "thanks", "en").await, None);
    assert_eq!(
        store.canned_replies().await.unwrap(),
        vec![
            reply("greeting", "es", "¡Hola!"),
            reply("tracking", "zh", "追踪：{tracking}"),
            reply("tracking", "zh-tw", "追蹤：{tracking}"),
        ]
    );
}
