//! The encryption-at-rest contract ([`SealingStore`] and the sealed columns of every port):
//! personal fields are unreadable in the stored data yet read back whole through the
//! store; the database's register of keys refuses a missing or different key; rotation
//! re-seals every field in batches, can run again, and retires the old key only once
//! nothing is sealed with it. Each test runs on SQLite and on PostgreSQL, reopening the same
//! database with other key rings.
//!
//! [`SealingStore`]: groupcart_core::sealing::SealingStore

use chrono::Duration;
use groupcart_core::console::{NewConsoleUser, Role};
use groupcart_core::crm::ProfileChange;
use groupcart_core::customer::CustomerId;
use groupcart_core::faq::NewUnanswered;
use groupcart_core::inbox::NewInboxUpdate;
use groupcart_core::moderation::{NewAction, Sanction};
use groupcart_core::outbox::{Action, NewOutbound};
use groupcart_core::sealing::{self, DataKey, Field, Sealer};
use groupcart_core::shop::{
    NewOrder, OrderId, OrderLine, OrderStatus, ShippingAddress, Transition,
};
use groupcart_core::store::SharedStore;
use groupcart_core::support::{Author, NewTicket, NewTicketMessage, Priority, TicketId};
use groupcart_store_contract::fixtures::{customer, place, shelf, t, usd};
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

const BOT: &str = "shop_bot";
const TG: i64 = 7_100_200_300;
const GROUP: i64 = -1_009_000_000_001;

/// One distinctive value per sealed field, found nowhere else.
const ADDRESS_STREET: &str = "88 Vermilion Quay";
const PHONE: &str = "+52 55 8123 0077";
const ORDER_NOTE: &str = "leave it with the porter Ildefonso";
const CUSTOMER_NOTES: &str = "asked about wholesale, call Tuesdays";
const UPDATE_TEXT: &str = "my card ends in 4471 zebrafinch";
const ACTION_TEXT: &str = "Your parcel goes to Vermilion Quay, Obsidian";
const TICKET_TEXT: &str = "the box arrived crushed, marmoset";
const QUESTION: &str = "do you ship to Lagos, okapi?";
const EXCERPT: &str = "buy followers cheap axolotl";
const TOTP: &str = "JBSWY3DPEHPK3PXPJBSWY3DP";

const EVERY_VALUE: [&str; 10] = [
    ADDRESS_STREET,
    PHONE,
    ORDER_NOTE,
    CUSTOMER_NOTES,
    UPDATE_TEXT,
    ACTION_TEXT,
    TICKET_TEXT,
    QUESTION,
    EXCERPT,
    TOTP,
];

/// A database that can be opened again with another key ring.
enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    async fn sqlite() -> Database {
        Database::Sqlite(groupcart_store_contract::sqlite_path())
    }

    async fn postgres() -> Database {
        Database::Postgres(groupcart_store_contract::postgres_url_for_new_db().await)
    }

    /// The store sealing with `sealer`, its keys not yet checked.
    async fn open(&self, sealer: &Arc<Sealer>) -> SharedStore {
        match self {
            Database::Sqlite(path) => SqliteStore::open(&path.to_string_lossy(), sealer.clone())
                .await
                .unwrap()
                .into_shared(),
            Database::Postgres(url) => PostgresStore::connect(url, 3, sealer.clone())
                .await
                .unwrap()
                .into_shared(),
        }
    }

    /// [`Database::open`], its keys checked and registered.
    async fn open_checked(&self, sealer: &Arc<Sealer>) -> SharedStore {
        let store = self.open(sealer).await;
        store.check_keys().await.unwrap();
        store
    }
}

macro_rules! database_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Database::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Database::postgres().await).await;
                }
            )*
        }
    };
}

database_tests!(
    sealed_fields_hide_their_values_and_read_back_whole,
    a_missing_or_different_key_is_refused,
    rotation_reseals_every_field_and_retires_the_old_key,
    a_key_still_sealing_values_is_not_retired,
);

fn ring(keys: &[&DataKey], active: &str) -> Arc<Sealer> {
    let keys: Vec<DataKey> = keys.iter().map(|k| (*k).clone()).collect();
    Arc::new(Sealer::new(&keys, active).unwrap())
}

/// What [`write_every_field`] wrote, to read it back.
struct Written {
    customer: CustomerId,
    order: OrderId,
    ticket: TicketId,
    console_user: i64,
}

/// Writes one distinctive value into each sealed field through the store's ports.
async fn write_every_field(store: &SharedStore) -> Written {
    let shelf = shelf(store, "mezcal", 10).await;
    let id = customer(store, TG).await;

    let mut tx = store.begin().await.unwrap();
    let change = ProfileChange {
        notes: Some(CUSTOMER_NOTES.into()),
        ..ProfileChange::default()
    };
    assert!(tx.change_profile(id, &change).await.unwrap());
    tx.commit().await.unwrap();

    let order = place(
        store,
        &NewOrder {
            customer_id: id,
            bot: BOT.into(),
            currency: usd(),
            lines: vec![OrderLine {
                variant_id: shelf.1,
                product_id: shelf.0,
                sku: None,
                title: "Mezcal".into(),
                quantity: 1,
                unit_price: 4500,
            }],
            shipping_cost: 0,
            discount: 0,
            discounts: vec![],
            shipping_address: Some(ShippingAddress {
                name: Some("Obsidian Ruiz".into()),
                phone: Some(PHONE.into()),
                country_code: "mx".into(),
                state: None,
                city: "Oaxaca".into(),
                street_line1: ADDRESS_STREET.into(),
                street_line2: None,
                post_code: None,
            }),
            shipping_option: None,
            source: None,
            reservation_expires_at: t(1) + Duration::minutes(15),
            at: t(1),
        },
    )
    .await
    .unwrap();

    let mut tx = store.begin().await.unwrap();
    let cancelled = Transition {
        from: OrderStatus::PendingPayment,
        to: OrderStatus::Cancelled,
        actor: "staff".into(),
        note: Some(ORDER_NOTE.into()),
        at: t(2),
    };
    tx.transition_order(order.id, &cancelled).await.unwrap();
    tx.enqueue(&NewOutbound {
        customer_id: Some(id),
        ..NewOutbound::now(
            BOT,
            TG,
            Action::SendText {
                text: ACTION_TEXT.into(),
                buttons: Vec::new(),
            },
            t(3),
        )
    })
    .await
    .unwrap();
    let ticket = tx
        .insert_ticket(&NewTicket {
            customer_id: id,
            bot: BOT.into(),
            priority: Priority::Normal,
            group: "en".into(),
            staff_chat: -1_001_555_000_000,
            topic: "orders".into(),
            language: "en".into(),
            opened_at: t(4),
            first_response_due: t(3600),
            resolution_due: t(86_400),
        })
        .await
        .unwrap();
    tx.add_ticket_message(&NewTicketMessage {
        ticket_id: ticket.id,
        at: t(4),
        author: Author::Customer,
        agent_id: None,
        agent_name: None,
        text: TICKET_TEXT.into(),
    })
    .await
    .unwrap();
    tx.record_unanswered(&NewUnanswered {
        customer_id: Some(id),
        language: "en".into(),
        question: QUESTION.into(),
        best_entry: None,
        best_confidence: None,
        at: t(5),
    })
    .await
    .unwrap();
    tx.log_moderation(&NewAction {
        bot: BOT.into(),
        chat_id: GROUP,
        user_id: TG,
        customer_id: Some(id),
        sanction: Sanction::Warn,
        rule: None,
        reason: "spam".into(),
        excerpt: Some(EXCERPT.into()),
        actor: "system".into(),
        until: None,
        at: t(6),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let update = json!({
        "update_id": 41,
        "message": {
            "message_id": 5,
            "date": 1_756_720_800,
            "chat": {"id": TG, "type": "private", "first_name": "Obsidian"},
            "from": {"id": TG, "is_bot": false, "first_name": "Obsidian"},
            "text": UPDATE_TEXT,
        },
    });
    store
        .inbox_insert(&[NewInboxUpdate {
            bot: BOT.into(),
            update_id: 41,
            chat_id: Some(TG),
            payload: update.to_string(),
            received_at: t(7),
        }])
        .await
        .unwrap();

    let user = store
        .create_console_user(&NewConsoleUser {
            username: "mei".into(),
            display_name: "Mei".into(),
            role: Role::Admin,
            permissions: Vec::new(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            at: t(8),
        })
        .await
        .unwrap();
    assert!(store.set_console_totp(user.id, Some(TOTP)).await.unwrap());

    Written {
        customer: id,
        order: order.id,
        ticket: ticket.id,
        console_user: user.id,
    }
}

/// Reads every value [`write_every_field`] wrote back through the store's ports, and
/// checks each is whole.
async fn assert_reads_back(store: &SharedStore, written: &Written) {
    let order = store.order(written.order).await.unwrap().unwrap();
    let address = order.shipping_address.expect("the address");
    assert_eq!(address.street_line1, ADDRESS_STREET);
    assert_eq!(address.phone.as_deref(), Some(PHONE));
    assert!(order
        .timeline
        .iter()
        .any(|e| e.note.as_deref() == Some(ORDER_NOTE)));

    let profile = store.profile(written.customer).await.unwrap().unwrap();
    assert_eq!(profile.notes.as_deref(), Some(CUSTOMER_NOTES));

    let exchanged = store.exchanged_messages(TG, 10).await.unwrap();
    assert!(
        exchanged.iter().any(|m| m.json.contains(UPDATE_TEXT)),
        "{exchanged:?}"
    );
    let due = store.outbox_due(BOT, t(100), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        due[0].action,
        Action::SendText {
            text: ACTION_TEXT.into(),
            buttons: Vec::new(),
        }
    );

    let messages = store.ticket_messages(written.ticket).await.unwrap();
    assert_eq!(messages[0].text, TICKET_TEXT);
    let questions = store.unanswered_questions(10).await.unwrap();
    assert_eq!(questions[0].question, QUESTION);
    let log = store.moderation_log(BOT, GROUP, None, 10).await.unwrap();
    assert_eq!(log[0].excerpt.as_deref(), Some(EXCERPT));
    let user = store
        .console_user(written.console_user)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.totp_secret.as_deref(), Some(TOTP));
}

// --- tests ---

async fn sealed_fields_hide_their_values_and_read_back_whole(db: Database) {
    let key = DataKey::generate("k1").unwrap();
    let store = db.open_checked(&ring(&[&key], "k1")).await;
    let written = write_every_field(&store).await;

    for value in EVERY_VALUE {
        assert_eq!(
            store.find_raw_text(value).await.unwrap(),
            Vec::<String>::new(),
            "{value:?} is stored readable"
        );
        assert!(
            !store.find_text(value).await.unwrap().is_empty(),
            "{value:?} is not found opened"
        );
    }
    assert_eq!(
        store.find_text(UPDATE_TEXT).await.unwrap(),
        vec![Field::Update.name()]
    );
    // What is still searched stays plain: the chat and the country.
    assert!(!store
        .find_raw_text(&TG.to_string())
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .find_raw_text("MX")
        .await
        .unwrap()
        .contains(&"orders.shipping_country".to_string()));
    assert_reads_back(&store, &written).await;

    // The same key under the same id opens everything after a restart.
    let again = db.open_checked(&ring(&[&key], "k1")).await;
    assert_reads_back(&again, &written).await;
}

async fn a_missing_or_different_key_is_refused(db: Database) {
    let k1 = DataKey::generate("k1").unwrap();
    let store = db.open_checked(&ring(&[&k1], "k1")).await;
    write_every_field(&store).await;

    let impostor = DataKey::generate("k1").unwrap();
    let err = db
        .open(&ring(&[&impostor], "k1"))
        .await
        .check_keys()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"k1\"") || err.contains("k1"), "{err}");
    assert!(!err.contains(&k1.to_base64()), "{err}");

    let k2 = DataKey::generate("k2").unwrap();
    let err = db
        .open(&ring(&[&k2], "k2"))
        .await
        .check_keys()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("k1") && err.contains("not configured"),
        "{err}"
    );

    // A refused ring registered nothing: the first key alone still fits.
    db.open_checked(&ring(&[&k1], "k1")).await;
}

async fn rotation_reseals_every_field_and_retires_the_old_key(db: Database) {
    let k1 = DataKey::generate("2026-01").unwrap();
    let k2 = DataKey::generate("2026-12").unwrap();
    let first = db.open_checked(&ring(&[&k1], "2026-01")).await;
    let written = write_every_field(&first).await;

    let both = db.open_checked(&ring(&[&k1, &k2], "2026-12")).await;
    assert_reads_back(&both, &written).await;
    let mut batches = 0;
    let rotation = sealing::rotate(both.as_ref(), 2, |_, _| batches += 1)
        .await
        .unwrap();
    assert!(batches >= Field::ALL.len(), "{batches} batches");
    for field in Field::ALL {
        let count = rotation
            .resealed
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(0, |(_, n)| *n);
        assert!(
            count >= 1,
            "{} was not resealed: {rotation:?}",
            field.name()
        );
    }
    assert_eq!(rotation.retired, vec!["2026-01".to_string()]);

    // Nothing left to do a second time.
    let again = sealing::rotate(both.as_ref(), 100, |_, _| {})
        .await
        .unwrap();
    assert!(again.resealed.iter().all(|(_, n)| *n == 0), "{again:?}");
    assert!(again.retired.is_empty());

    // The new key alone opens everything; the old one alone is refused.
    let second = db.open_checked(&ring(&[&k2], "2026-12")).await;
    assert_reads_back(&second, &written).await;
    for value in EVERY_VALUE {
        assert!(second.find_raw_text(value).await.unwrap().is_empty());
    }
    let err = db
        .open(&ring(&[&k1], "2026-01"))
        .await
        .check_keys()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("2026-12"), "{err}");
}

async fn a_key_still_sealing_values_is_not_retired(db: Database) {
    let k1 = DataKey::generate("old").unwrap();
    let k2 = DataKey::generate("new").unwrap();
    let first = db.open_checked(&ring(&[&k1], "old")).await;
    let written = write_every_field(&first).await;

    let both = db.open_checked(&ring(&[&k1, &k2], "new")).await;
    assert_eq!(both.retire_keys().await.unwrap(), Vec::<String>::new());
    // One field rotated, one row a batch, the others not: the old key is still needed.
    let mut after = i64::MIN;
    let mut resealed = 0;
    while let Some(last) = {
        let step = both.reseal(Field::ShippingAddress, after, 1).await.unwrap();
        resealed += step.resealed;
        step.last
    } {
        assert!(last > after);
        after = last;
    }
    assert_eq!(resealed, 1);
    assert_eq!(both.retire_keys().await.unwrap(), Vec::<String>::new());
    let key_check = both.reseal(Field::KeyCheck, i64::MIN, 10).await.unwrap();
    assert_eq!(key_check.resealed, 0);
    db.open_checked(&ring(&[&k1, &k2], "new")).await;

    // Values written with the new key meanwhile are left as they are.
    let mut tx = both.begin().await.unwrap();
    let change = ProfileChange {
        notes: Some("written under the new key".into()),
        ..ProfileChange::default()
    };
    assert!(tx.change_profile(written.customer, &change).await.unwrap());
    tx.commit().await.unwrap();
    let rotation = sealing::rotate(both.as_ref(), 50, |_, _| {}).await.unwrap();
    let notes = rotation
        .resealed
        .iter()
        .find(|(f, _)| *f == Field::CustomerNotes)
        .unwrap();
    assert_eq!(
        notes.1, 0,
        "the new notes were sealed with the new key already"
    );
    assert_eq!(rotation.retired, vec!["old".to_string()]);
}
