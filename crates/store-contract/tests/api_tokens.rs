//! The API token contract ([`ApiTokenStore`]): tokens are stored by hash with their scope,
//! names are unique, revocation takes a token out of use at once and keeps its first time.
//! Every test here runs once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`ApiTokenStore`]: groupcart_core::api_token::ApiTokenStore

use groupcart_core::api_token::{self, NewApiToken, Scope};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::t;

groupcart_store_contract::backend_tests!(tokens_are_found_by_hash_until_revoked, names_are_unique,);

fn new(name: &str, scope: Scope, secret: &str) -> NewApiToken {
    NewApiToken {
        name: name.into(),
        scope,
        hash: api_token::hash(secret),
        at: t(1),
    }
}

async fn tokens_are_found_by_hash_until_revoked(store: SharedStore) {
    let erp = store
        .create_api_token(&new("erp", Scope::Orders, "gct_erp"))
        .await
        .unwrap();
    let feed = store
        .create_api_token(&new("feed", Scope::ReadOnly, "gct_feed"))
        .await
        .unwrap();
    assert_eq!((erp.name.as_str(), erp.scope), ("erp", Scope::Orders));
    assert_eq!((erp.created_at, erp.revoked_at), (t(1), None));
    assert_eq!(
        store.api_tokens().await.unwrap(),
        [erp.clone(), feed.clone()]
    );
    let found = store
        .live_api_token(&api_token::hash("gct_erp"))
        .await
        .unwrap();
    assert_eq!(found, Some(erp.clone()));
    assert_eq!(
        store
            .live_api_token(&api_token::hash("gct_nope"))
            .await
            .unwrap(),
        None
    );

    let revoked = store.revoke_api_token(erp.id, t(5)).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(t(5)));
    assert_eq!(
        store
            .live_api_token(&api_token::hash("gct_erp"))
            .await
            .unwrap(),
        None
    );
    let again = store.revoke_api_token(erp.id, t(9)).await.unwrap().unwrap();
    assert_eq!(again.revoked_at, Some(t(5)), "the first revocation stays");
    assert_eq!(store.revoke_api_token(999, t(9)).await.unwrap(), None);
    // The other token is untouched.
    let feed_now = store
        .live_api_token(&api_token::hash("gct_feed"))
        .await
        .unwrap();
    assert_eq!(feed_now, Some(feed));
}

async fn names_are_unique(store: SharedStore) {
    store
        .create_api_token(&new("erp", Scope::Orders, "gct_a"))
        .await
        .unwrap();
    let twice = store
        .create_api_token(&new("erp", Scope::Full, "gct_b"))
        .await;
    assert!(matches!(twice, Err(Error::Conflict(_))), "{twice:?}");
    assert_eq!(store.api_tokens().await.unwrap().len(), 1);
}
