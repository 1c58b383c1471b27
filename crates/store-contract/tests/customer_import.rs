//! The imported-customers storage contract, run on SQLite and PostgreSQL: an import is all
//! or nothing, a re-import of a source updates its contacts by email or phone, listings
//! filter by source and link state, a verified phone links the contacts imported with it
//! (before or after the import), a claim link links once, and an erasure removes what was
//! linked to the customer.

use groupcart_core::customer::CustomerId;
use groupcart_core::customer_import::{
    self, Claim, ContactFilter, ImportReport, ImportRequest, ImportedContact, LinkMethod, Notifier,
};
use groupcart_core::i18n::Texts;
use groupcart_core::outbox::Action;
use groupcart_core::store::SharedStore;
use groupcart_store_contract::fixtures::{customer, t};

groupcart_store_contract::backend_tests!(
    an_import_is_stored_and_a_reimport_updates_by_email_or_phone,
    an_import_with_any_bad_line_writes_nothing,
    a_row_matching_two_contacts_is_refused,
    listings_filter_by_source_and_link,
    a_verified_phone_links_contacts_with_tags_and_an_event,
    an_import_after_the_phone_was_verified_links_at_once,
    a_claim_link_links_once,
    erasure_removes_linked_contacts_and_the_phone,
);

const HEADER: &str = "First Name,Last Name,Email,Phone,Tags,Total Spent,Total Orders";

async fn import(store: &SharedStore, source: &str, lines: &[&str], secs: i64) -> ImportReport {
    let texts = Texts::builtin();
    let mut csv = HEADER.to_owned();
    for line in lines {
        csv.push('\n');
        csv.push_str(line);
    }
    customer_import::import(
        store.as_ref(),
        &Notifier {
            texts: &texts,
            default_language: "en",
        },
        &ImportRequest {
            source,
            currency: "USD",
            csv: csv.as_bytes(),
            at: t(secs),
        },
    )
    .await
    .unwrap()
}

async fn all(
    store: &SharedStore,
    source: Option<&str>,
    linked: Option<bool>,
) -> Vec<ImportedContact> {
    store
        .imported_contacts(&ContactFilter {
            source: source.map(str::to_owned),
            linked,
            after: None,
            limit: 100,
        })
        .await
        .unwrap()
}

async fn verify(store: &SharedStore, who: CustomerId, phone: &str, secs: i64) -> usize {
    let mut tx = store.begin().await.unwrap();
    let customer = tx.customer(who).await.unwrap().unwrap();
    let verified = customer_import::verify_phone(
        tx.as_mut(),
        &customer,
        phone,
        "shop_bot",
        customer.telegram_user_id,
        t(secs),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    verified.linked.len()
}

async fn claim(store: &SharedStore, who: CustomerId, token: &str, secs: i64) -> Claim {
    let mut tx = store.begin().await.unwrap();
    let customer = tx.customer(who).await.unwrap().unwrap();
    let outcome = customer_import::claim(
        tx.as_mut(),
        &customer,
        token,
        "shop_bot",
        customer.telegram_user_id,
        t(secs),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    outcome
}

async fn an_import_is_stored_and_a_reimport_updates_by_email_or_phone(store: SharedStore) {
    let report = import(
        &store,
        "shopify-2026-12",
        &[
            "Ada,Lovelace,ada@example.com,+44 20 7946 0958,\"VIP, Early bird\",1234.50,7",
            "Bob,,bob@example.com,,,0.00,0",
        ],
        0,
    )
    .await;
    assert_eq!(
        (report.created, report.updated, report.linked),
        (2, 0, 0),
        "{report:?}"
    );
    assert!(report.errors.is_empty());
    let first = all(&store, None, None).await;
    assert_eq!(first.len(), 2);
    let ada = &first[0];
    assert_eq!(ada.source, "shopify-2026-12");
    assert_eq!(ada.data.email.as_deref(), Some("ada@example.com"));
    assert_eq!(ada.data.phone.as_deref(), Some("+442079460958"));
    assert_eq!(ada.data.tags, vec!["early-bird", "vip"]);
    assert_eq!((ada.data.total_spent, ada.data.orders_count), (123_450, 7));
    assert_eq!(ada.data.currency, "USD");
    assert_eq!(ada.imported_at, t(0));
    assert_eq!(ada.customer_id, None);
    assert!(customer_import::is_valid_claim_token(&ada.claim_token));
    assert_ne!(ada.claim_token, first[1].claim_token);

    // Ada is found by her phone (new email), Bob by his email (new phone); Cy is new.
    let report = import(
        &store,
        "shopify-2026-12",
        &[
            "Ada,King,ada.king@example.com,+442079460958,VIP,2000.00,9",
            "Bob,,BOB@example.com,+1 415 555 0100,,5.00,1",
            "Cy,,cy@example.com,,,1.00,1",
        ],
        60,
    )
    .await;
    assert_eq!((report.created, report.updated), (1, 2), "{report:?}");
    let second = all(&store, None, None).await;
    assert_eq!(second.len(), 3);
    let ada2 = &second[0];
    assert_eq!(ada2.id, ada.id);
    assert_eq!(
        ada2.claim_token, ada.claim_token,
        "a re-import keeps the link"
    );
    assert_eq!(ada2.data.last_name.as_deref(), Some("King"));
    assert_eq!(ada2.data.email.as_deref(), Some("ada.king@example.com"));
    assert_eq!(ada2.data.total_spent, 200_000);
    assert_eq!((ada2.imported_at, ada2.updated_at), (t(0), t(60)));
    assert_eq!(second[1].data.phone.as_deref(), Some("+14155550100"));

    // Another source is another set of contacts, even for the same people.
    let report = import(
        &store,
        "woo-2025",
        &["Ada,,ada.king@example.com,,,1.00,1"],
        120,
    )
    .await;
    assert_eq!(report.created, 1);
    assert_eq!(all(&store, None, None).await.len(), 4);
}

async fn an_import_with_any_bad_line_writes_nothing(store: SharedStore) {
    let report = import(
        &store,
        "shopify",
        &[
            "Ada,,ada@example.com,,,10.00,1",
            "Bob,,bob@example.com,,,12.345,1",
            "Cy,,,555-0100,,1.00,1",
        ],
        0,
    )
    .await;
    assert_eq!((report.created, report.updated), (0, 0));
    let lines: Vec<(u64, Option<&str>)> = report
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect();
    assert_eq!(lines, vec![(3, Some("Total Spent")), (4, Some("Phone"))]);
    assert!(all(&store, None, None).await.is_empty());
    assert!(store
        .recent_events(Some("customers_imported"), 10)
        .await
        .unwrap()
        .is_empty());
}

async fn a_row_matching_two_contacts_is_refused(store: SharedStore) {
    import(
        &store,
        "shopify",
        &[
            "Ada,,ada@example.com,,,1.00,1",
            "Bob,,,+14155550100,,1.00,1",
        ],
        0,
    )
    .await;
    let report = import(
        &store,
        "shopify",
        &[
            "Cy,,cy@example.com,,,1.00,1",
            "Ada,,ada@example.com,+14155550100,,1.00,1",
        ],
        60,
    )
    .await;
    assert_eq!(report.errors.len(), 1, "{report:?}");
    assert_eq!(report.errors[0].line, 3);
    let contacts = all(&store, None, None).await;
    assert_eq!(
        contacts.len(),
        2,
        "nothing of the second import was written"
    );
    assert_eq!(contacts[0].data.phone, None);
}

async fn listings_filter_by_source_and_link(store: SharedStore) {
    import(
        &store,
        "a",
        &[
            "A1,,a1@example.com,+14155550101,,1.00,1",
            "A2,,a2@example.com,,,1.00,1",
            "A3,,a3@example.com,,,1.00,1",
        ],
        0,
    )
    .await;
    import(&store, "b", &["B1,,b1@example.com,,,1.00,1"], 0).await;
    let who = customer(&store, 7001).await;
    assert_eq!(verify(&store, who, "+14155550101", 10).await, 1);
    assert_eq!(all(&store, Some("a"), None).await.len(), 3);
    assert_eq!(all(&store, Some("b"), None).await.len(), 1);
    assert_eq!(all(&store, Some("c"), None).await.len(), 0);
    let linked = all(&store, None, Some(true)).await;
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].data.first_name.as_deref(), Some("A1"));
    assert_eq!(all(&store, Some("a"), Some(false)).await.len(), 2);
    // Pages by id.
    let everything = all(&store, None, None).await;
    let page = store
        .imported_contacts(&ContactFilter {
            source: None,
            linked: None,
            after: Some(everything[1].id),
            limit: 1,
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, everything[2].id);
}

async fn a_verified_phone_links_contacts_with_tags_and_an_event(store: SharedStore) {
    import(
        &store,
        "shopify-2026-12",
        &["Ada,,ada@example.com,+442079460958,\"VIP, wholesale\",1234.50,7"],
        0,
    )
    .await;
    import(&store, "woo", &["Ada,,,+442079460958,old-store,10.00,1"], 0).await;
    let ada = customer(&store, 7002).await;
    let other = customer(&store, 7003).await;
    // A phone without contacts is verified all the same.
    assert_eq!(verify(&store, other, "+14155550199", 5).await, 0);
    assert_eq!(
        store.verified_phone(other).await.unwrap().unwrap().phone,
        "+14155550199"
    );
    assert_eq!(verify(&store, ada, "+442079460958", 10).await, 2);
    let phone = store.verified_phone(ada).await.unwrap().unwrap();
    assert_eq!(
        (phone.phone.as_str(), phone.bot.as_str()),
        ("+442079460958", "shop_bot")
    );
    assert_eq!(phone.verified_at, t(10));
    let linked = store.imported_contacts_of(ada).await.unwrap();
    assert_eq!(linked.len(), 2);
    assert!(linked.iter().all(|c| c.customer_id == Some(ada)
        && c.link_method == Some(LinkMethod::Phone)
        && c.linked_at == Some(t(10))));
    let profile = store.profile(ada).await.unwrap().unwrap();
    assert_eq!(profile.tags, vec!["old-store", "vip", "wholesale"]);
    assert!(
        profile.lifetime_value.is_empty(),
        "imported totals stay out of groupcart's own lifetime value"
    );
    let events = store
        .recent_events(Some(customer_import::LINKED_EVENT), 10)
        .await
        .unwrap();
    let mut sources: Vec<&str> = events
        .iter()
        .map(|e| e.event.source.as_deref().unwrap())
        .collect();
    sources.sort();
    assert_eq!(sources, vec!["shopify-2026-12", "woo"]);
    assert!(events.iter().all(|e| e.event.customer_id == Some(ada)
        && e.event.data["method"] == "phone"
        && linked.iter().any(|c| e.event.data["import"] == c.id.0)));
    // Verifying again links nothing twice.
    assert_eq!(verify(&store, ada, "+442079460958", 20).await, 0);
    assert_eq!(
        store
            .recent_events(Some(customer_import::LINKED_EVENT), 10)
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn an_import_after_the_phone_was_verified_links_at_once(store: SharedStore) {
    let ada = customer(&store, 7004).await;
    verify(&store, ada, "+14155550123", 0).await;
    let report = import(
        &store,
        "shopify",
        &[
            "Ada,,ada@example.com,+1 (415) 555-0123,vip,99.00,2",
            "Bob,,bob@example.com,+14155550999,,1.00,1",
        ],
        30,
    )
    .await;
    assert_eq!((report.created, report.linked), (2, 1), "{report:?}");
    let linked = store.imported_contacts_of(ada).await.unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].data.email.as_deref(), Some("ada@example.com"));
    assert_eq!(linked[0].linked_at, Some(t(30)));
    assert_eq!(store.profile(ada).await.unwrap().unwrap().tags, vec!["vip"]);
    // She is told, in the chat of the bot she verified her phone with.
    let due = store.outbox_due("shop_bot", t(30), 10).await.unwrap();
    let told: Vec<_> = due
        .iter()
        .filter(|m| m.customer_id == Some(ada) && m.chat_id == 7004)
        .collect();
    assert_eq!(told.len(), 1);
    assert!(matches!(&told[0].action, Action::SendText { text, .. } if !text.is_empty()));
    // Re-importing a linked contact keeps its link and adds new tags to the customer.
    let report = import(
        &store,
        "shopify",
        &["Ada,,ada@example.com,+14155550123,\"vip, returning\",120.00,3"],
        60,
    )
    .await;
    assert_eq!((report.updated, report.linked), (1, 0));
    assert_eq!(
        store.profile(ada).await.unwrap().unwrap().tags,
        vec!["returning", "vip"]
    );
    assert_eq!(
        store.imported_contacts_of(ada).await.unwrap()[0].linked_at,
        Some(t(30))
    );
}

async fn a_claim_link_links_once(store: SharedStore) {
    import(
        &store,
        "shopify",
        &["Ada,,ada@example.com,,newsletter,5.00,1"],
        0,
    )
    .await;
    let token = all(&store, None, None).await[0].claim_token.clone();
    let ada = customer(&store, 7005).await;
    let mallory = customer(&store, 7006).await;
    assert_eq!(
        claim(&store, ada, "0".repeat(32).as_str(), 5).await,
        Claim::Unknown
    );
    assert_eq!(claim(&store, ada, "not-a-token", 5).await, Claim::Unknown);
    assert!(matches!(
        claim(&store, ada, &token, 10).await,
        Claim::Linked(_)
    ));
    assert_eq!(claim(&store, ada, &token, 20).await, Claim::AlreadyYours);
    assert_eq!(claim(&store, mallory, &token, 30).await, Claim::Taken);
    let linked = store.imported_contacts_of(ada).await.unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].link_method, Some(LinkMethod::Claim));
    assert_eq!(linked[0].linked_at, Some(t(10)));
    assert!(store
        .imported_contacts_of(mallory)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.profile(ada).await.unwrap().unwrap().tags,
        vec!["newsletter"]
    );
    assert!(store
        .profile(mallory)
        .await
        .unwrap()
        .unwrap()
        .tags
        .is_empty());
    let events = store
        .recent_events(Some(customer_import::LINKED_EVENT), 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.data["method"], "claim");
    assert_eq!(events[0].event.source.as_deref(), Some("shopify"));
    // A claimed contact is not linked again by a phone.
    import(
        &store,
        "shopify",
        &["Ada,,ada@example.com,+14155550777,,5.00,1"],
        40,
    )
    .await;
    assert_eq!(verify(&store, mallory, "+14155550777", 50).await, 0);
}

async fn erasure_removes_linked_contacts_and_the_phone(store: SharedStore) {
    import(
        &store,
        "shopify",
        &[
            "Ada,,ada@example.com,+14155550301,,5.00,1",
            "Bob,,bob@example.com,+14155550302,,5.00,1",
        ],
        0,
    )
    .await;
    let ada = customer(&store, 7007).await;
    let bob = customer(&store, 7008).await;
    verify(&store, ada, "+14155550301", 10).await;
    verify(&store, bob, "+14155550399", 10).await;
    let mut tx = store.begin().await.unwrap();
    let report = tx.erase_customer(ada, t(20), &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        report.other >= 2,
        "her linked contact and her phone: {report:?}"
    );
    assert!(store.imported_contacts_of(ada).await.unwrap().is_empty());
    assert_eq!(store.verified_phone(ada).await.unwrap(), None);
    let left = all(&store, None, None).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].data.email.as_deref(), Some("bob@example.com"));
    assert!(store.verified_phone(bob).await.unwrap().is_some());
}
