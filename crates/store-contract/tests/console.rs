//! The console contract ([`ConsoleStore`]): users with unique usernames, roles and custom
//! permission lists; a password change or a disable ends the user's sessions; a TOTP step is
//! used once; sessions are found by token hash, touched, ended and pruned; failed logins are
//! counted per account and address in a window; and the console's reads (dashboard counts,
//! customer search, newest-first audit page). The login use case runs on each store too.
//! Every test here runs once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`ConsoleStore`]: groupcart_core::console::ConsoleStore

use chrono::Duration;
use groupcart_core::audit::{self, NewAuditEntry};
use groupcart_core::console::{
    self, ConsoleSession, ConsoleSettings, Limited, LoginAttempt, LoginRefused, NewConsoleUser,
    Permission, Role, UserDraft,
};
use groupcart_core::customer::CustomerSighting;
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::t;

groupcart_store_contract::backend_tests!(
    users_are_unique_and_keep_their_permissions,
    password_changes_and_disabling_end_sessions,
    a_totp_step_is_used_once,
    sessions_are_found_touched_and_pruned,
    failures_are_counted_per_key_in_a_window,
    figures_search_and_the_audit_page,
    login_limits_and_sessions_end_to_end,
    access_changes_end_sessions_and_keep_an_owner,
    changing_access_follows_the_rules_of_adding,
);

fn new_user(name: &str, role: Role, permissions: Vec<Permission>) -> NewConsoleUser {
    NewConsoleUser {
        username: name.into(),
        display_name: name.to_uppercase(),
        role,
        permissions,
        password_hash: "$argon2id$placeholder".into(),
        at: t(1),
    }
}

fn session(hash: &str, user_id: i64, at: i64) -> ConsoleSession {
    ConsoleSession {
        token_hash: hash.into(),
        user_id,
        csrf_token: format!("csrf-{hash}"),
        created_at: t(at),
        last_seen_at: t(at),
    }
}

async fn users_are_unique_and_keep_their_permissions(store: SharedStore) {
    let owner = store
        .create_console_user(&new_user("ana", Role::Owner, vec![]))
        .await
        .unwrap();
    let custom = store
        .create_console_user(&new_user(
            "bo",
            Role::Custom,
            vec![Permission::ViewAudit, Permission::ManageOrders],
        ))
        .await
        .unwrap();
    assert_eq!((owner.username.as_str(), owner.role), ("ana", Role::Owner));
    assert_eq!(owner.display_name, "ANA");
    assert_eq!((owner.created_at, owner.disabled), (t(1), false));
    assert_eq!(owner.totp_secret, None);
    assert_eq!(
        custom.permissions,
        [Permission::ViewAudit, Permission::ManageOrders]
    );
    assert!(custom.can(Permission::ManageOrders) && !custom.can(Permission::ManageUsers));
    let twice = store
        .create_console_user(&new_user("ana", Role::Agent, vec![]))
        .await;
    assert!(matches!(twice, Err(Error::Conflict(_))), "{twice:?}");
    assert_eq!(
        store.console_users().await.unwrap(),
        [owner.clone(), custom]
    );
    assert_eq!(
        store.console_user_by_name("ana").await.unwrap(),
        Some(owner.clone())
    );
    assert_eq!(store.console_user(owner.id).await.unwrap(), Some(owner));
    assert_eq!(store.console_user_by_name("nobody").await.unwrap(), None);
    assert_eq!(store.console_user(999).await.unwrap(), None);
}

async fn password_changes_and_disabling_end_sessions(store: SharedStore) {
    let ana = store
        .create_console_user(&new_user("ana", Role::Owner, vec![]))
        .await
        .unwrap();
    let bo = store
        .create_console_user(&new_user("bo", Role::Agent, vec![]))
        .await
        .unwrap();
    for (hash, user) in [("a1", ana.id), ("a2", ana.id), ("b1", bo.id)] {
        store
            .create_console_session(&session(hash, user, 5))
            .await
            .unwrap();
    }
    assert!(store
        .set_console_password(ana.id, "$argon2id$new", t(9))
        .await
        .unwrap());
    let changed = store.console_user(ana.id).await.unwrap().unwrap();
    assert_eq!(changed.password_hash, "$argon2id$new");
    assert_eq!(changed.password_changed_at, t(9));
    assert_eq!(store.console_session("a1").await.unwrap(), None);
    assert_eq!(store.console_session("a2").await.unwrap(), None);
    assert!(store.console_session("b1").await.unwrap().is_some());

    assert!(store.set_console_disabled(bo.id, true).await.unwrap());
    assert!(store.console_user(bo.id).await.unwrap().unwrap().disabled);
    assert_eq!(store.console_session("b1").await.unwrap(), None);
    assert!(store.set_console_disabled(bo.id, false).await.unwrap());
    assert!(!store.console_user(bo.id).await.unwrap().unwrap().disabled);
    assert!(!store.set_console_disabled(999, true).await.unwrap());
    assert!(!store.set_console_password(999, "x", t(9)).await.unwrap());
}

async fn a_totp_step_is_used_once(store: SharedStore) {
    let ana = store
        .create_console_user(&new_user("ana", Role::Owner, vec![]))
        .await
        .unwrap();
    assert!(store
        .set_console_totp(ana.id, Some("GEZDGNBV"))
        .await
        .unwrap());
    let user = store.console_user(ana.id).await.unwrap().unwrap();
    assert_eq!(user.totp_secret.as_deref(), Some("GEZDGNBV"));
    assert!(store.use_totp_step(ana.id, 100).await.unwrap());
    assert!(!store.use_totp_step(ana.id, 100).await.unwrap(), "reused");
    assert!(!store.use_totp_step(ana.id, 99).await.unwrap(), "older");
    assert!(store.use_totp_step(ana.id, 101).await.unwrap());
    assert_eq!(
        store
            .console_user(ana.id)
            .await
            .unwrap()
            .unwrap()
            .totp_last_step,
        Some(101)
    );
    // A new secret starts over.
    assert!(store.set_console_totp(ana.id, None).await.unwrap());
    let user = store.console_user(ana.id).await.unwrap().unwrap();
    assert_eq!((user.totp_secret, user.totp_last_step), (None, None));
}

async fn sessions_are_found_touched_and_pruned(store: SharedStore) {
    let ana = store
        .create_console_user(&new_user("ana", Role::Owner, vec![]))
        .await
        .unwrap();
    store
        .create_console_session(&session("old", ana.id, 0))
        .await
        .unwrap();
    store
        .create_console_session(&session("idle", ana.id, 100))
        .await
        .unwrap();
    store
        .create_console_session(&session("live", ana.id, 100))
        .await
        .unwrap();
    store.touch_console_session("live", t(500)).await.unwrap();
    // Touching never moves the clock back.
    store.touch_console_session("live", t(400)).await.unwrap();
    let live = store.console_session("live").await.unwrap().unwrap();
    assert_eq!((live.created_at, live.last_seen_at), (t(100), t(500)));
    assert_eq!(live.csrf_token, "csrf-live");
    assert_eq!(live.user_id, ana.id);

    store
        .record_login_failure(Limited::Ip, "10.0.0.1", t(10))
        .await
        .unwrap();
    store
        .record_login_failure(Limited::Ip, "10.0.0.1", t(300))
        .await
        .unwrap();
    // Idle since before 200, or created before 50.
    store.prune_console(t(200), t(50), t(200)).await.unwrap();
    assert_eq!(store.console_session("old").await.unwrap(), None);
    assert_eq!(store.console_session("idle").await.unwrap(), None);
    assert!(store.console_session("live").await.unwrap().is_some());
    assert_eq!(
        store
            .login_failures_since(Limited::Ip, "10.0.0.1", t(0))
            .await
            .unwrap(),
        1
    );

    assert!(store.delete_console_session("live").await.unwrap());
    assert!(!store.delete_console_session("live").await.unwrap());
    assert_eq!(store.console_session("live").await.unwrap(), None);
}

async fn failures_are_counted_per_key_in_a_window(store: SharedStore) {
    for at in [10, 20, 30] {
        store
            .record_login_failure(Limited::Account, "ana", t(at))
            .await
            .unwrap();
    }
    store
        .record_login_failure(Limited::Ip, "ana", t(30))
        .await
        .unwrap();
    store
        .record_login_failure(Limited::Account, "bo", t(30))
        .await
        .unwrap();
    let count = |kind, key: &'static str, since| {
        let store = store.clone();
        async move {
            store
                .login_failures_since(kind, key, t(since))
                .await
                .unwrap()
        }
    };
    assert_eq!(count(Limited::Account, "ana", 0).await, 3);
    assert_eq!(count(Limited::Account, "ana", 20).await, 2);
    assert_eq!(count(Limited::Ip, "ana", 0).await, 1);
    assert_eq!(count(Limited::Account, "nobody", 0).await, 0);
    store
        .clear_login_failures(Limited::Account, "ana")
        .await
        .unwrap();
    assert_eq!(count(Limited::Account, "ana", 0).await, 0);
    assert_eq!(count(Limited::Ip, "ana", 0).await, 1);
    assert_eq!(count(Limited::Account, "bo", 0).await, 1);
}

async fn figures_search_and_the_audit_page(store: SharedStore) {
    let empty = store.console_figures(t(0)).await.unwrap();
    assert_eq!(empty, Default::default());
    let mut tx = store.begin().await.unwrap();
    for (id, first, last, username, at) in [
        (501, "Mei", Some("Lin"), Some("meilin"), 10),
        (502, "Grace", None, None, 20),
        (503, "100%_off", None, Some("deals"), 30),
    ] {
        tx.upsert_customer(&CustomerSighting {
            telegram_user_id: id,
            first_name: first.into(),
            last_name: last.map(Into::into),
            username: username.map(Into::into),
            telegram_language: None,
            source: None,
            bot: "demo".into(),
            at: t(at),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let figures = store.console_figures(t(15)).await.unwrap();
    assert_eq!((figures.new_customers, figures.orders), (2, 0));
    assert_eq!((figures.open_tickets, figures.sla_breaches), (0, 0));

    let names = |found: Vec<groupcart_core::customer::Customer>| -> Vec<String> {
        found.into_iter().map(|c| c.first_name).collect()
    };
    assert_eq!(
        names(store.search_customers("LIN", 10).await.unwrap()),
        ["Mei"]
    );
    assert_eq!(
        names(store.search_customers("502", 10).await.unwrap()),
        ["Grace"]
    );
    // LIKE's wildcards are taken literally.
    assert_eq!(
        names(store.search_customers("%_", 10).await.unwrap()),
        ["100%_off"]
    );
    assert_eq!(
        names(store.search_customers("", 2).await.unwrap()),
        ["100%_off", "Grace"],
        "newest first"
    );
    assert!(store.search_customers("zzz", 10).await.unwrap().is_empty());

    for n in 1..=3 {
        audit::record(
            &store,
            NewAuditEntry {
                at: t(n),
                actor: "console:ana".into(),
                action: format!("console.test{n}"),
                target: None,
                details: serde_json::json!({}),
                ip: None,
            },
        )
        .await
        .unwrap();
    }
    let seqs = |entries: Vec<audit::AuditEntry>| -> Vec<i64> {
        entries.into_iter().map(|e| e.seq).collect()
    };
    assert_eq!(
        seqs(store.audit_entries_before(None, 10).await.unwrap()),
        [3, 2, 1]
    );
    assert_eq!(
        seqs(store.audit_entries_before(Some(3), 1).await.unwrap()),
        [2]
    );
}

async fn login_limits_and_sessions_end_to_end(store: SharedStore) {
    let settings = ConsoleSettings::default();
    let draft = UserDraft {
        username: "Ana".into(),
        display_name: String::new(),
        role: Role::Owner,
        permissions: vec![],
        password: "correct horse battery".into(),
    };
    let ana = console::add_user(store.as_ref(), None, draft, t(0))
        .await
        .unwrap();
    assert_eq!(
        (ana.username.as_str(), ana.display_name.as_str()),
        ("ana", "ana")
    );
    let attempt = |password: &'static str, ip: &'static str, at: i64| LoginAttempt {
        username: "ana",
        password,
        code: None,
        ip: Some(ip),
        at: t(at),
    };
    let logged_in = console::login(
        store.as_ref(),
        &settings,
        attempt("correct horse battery", "10.0.0.1", 10),
    )
    .await
    .unwrap();
    let (user, session) = console::authenticate(store.as_ref(), &settings, &logged_in.token, t(20))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.id, ana.id);
    assert_eq!(session.csrf_token, logged_in.session.csrf_token);
    // Idle too long: the session is gone.
    let idle = t(10) + settings.idle_timeout + Duration::seconds(1);
    assert!(
        console::authenticate(store.as_ref(), &settings, &logged_in.token, idle)
            .await
            .unwrap()
            .is_none()
    );

    // Five wrong passwords lock the account, even for the right one, from any address.
    for n in 0..5 {
        let refused = console::login(
            store.as_ref(),
            &settings,
            attempt("wrong password!", "10.0.0.2", 100 + n),
        )
        .await
        .unwrap_err();
        assert_eq!(refused, LoginRefused::Wrong);
    }
    let locked = console::login(
        store.as_ref(),
        &settings,
        attempt("correct horse battery", "10.0.0.3", 110),
    )
    .await
    .unwrap_err();
    assert_eq!(locked, LoginRefused::TooMany);
    // An unknown name is refused the same way, and locks the same way.
    for n in 0..5 {
        let refused = console::login(
            store.as_ref(),
            &settings,
            LoginAttempt {
                username: "nobody",
                ..attempt("wrong password!", "10.0.0.4", 100 + n)
            },
        )
        .await
        .unwrap_err();
        assert_eq!(refused, LoginRefused::Wrong);
    }
    let unknown = console::login(
        store.as_ref(),
        &settings,
        LoginAttempt {
            username: "nobody",
            ..attempt("wrong password!", "10.0.0.5", 110)
        },
    )
    .await
    .unwrap_err();
    assert_eq!(unknown, LoginRefused::TooMany);
    // After the window, the account opens again.
    let later = 110 + settings.window.num_seconds();
    console::login(
        store.as_ref(),
        &settings,
        attempt("correct horse battery", "10.0.0.3", later),
    )
    .await
    .unwrap();

    // TOTP: the code is asked for, a wrong one fails, the right one works once.
    let secret = console::enable_totp(store.as_ref(), ana.id).await.unwrap();
    let at = later + 60;
    let step = console::totp_step(t(at));
    let code = format!(
        "{:06}",
        console::totp_code(&console::base32_decode(&secret).unwrap(), step)
    );
    let needs = console::login(
        store.as_ref(),
        &settings,
        attempt("correct horse battery", "10.0.0.6", at),
    )
    .await
    .unwrap_err();
    assert_eq!(needs, LoginRefused::CodeNeeded);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    assert_eq!(
        console::login(store.as_ref(), &settings, with_code(&wrong, at))
            .await
            .unwrap_err(),
        LoginRefused::Wrong
    );
    let session = console::login(store.as_ref(), &settings, with_code(&code, at))
        .await
        .unwrap();
    assert_eq!(
        console::login(store.as_ref(), &settings, with_code(&code, at))
            .await
            .unwrap_err(),
        LoginRefused::Wrong,
        "a code works once"
    );

    // Logout ends the session; a password change ends the others.
    assert!(console::logout(store.as_ref(), &session.token)
        .await
        .unwrap());
    assert!(
        console::authenticate(store.as_ref(), &settings, &session.token, t(at))
            .await
            .unwrap()
            .is_none()
    );
    let other = console::login(
        store.as_ref(),
        &settings,
        LoginAttempt {
            code: None,
            ..attempt("correct horse battery", "10.0.0.7", at)
        },
    )
    .await;
    assert_eq!(other.unwrap_err(), LoginRefused::CodeNeeded);
    console::set_password(store.as_ref(), ana.id, "another good password", t(at))
        .await
        .unwrap();
    assert!(
        console::set_password(store.as_ref(), ana.id, "short", t(at))
            .await
            .is_err()
    );
}

fn with_code(code: &str, at: i64) -> LoginAttempt<'_> {
    LoginAttempt {
        username: "ana",
        password: "correct horse battery",
        code: Some(code),
        ip: Some("10.0.0.6"),
        at: t(at),
    }
}

async fn access_changes_end_sessions_and_keep_an_owner(store: SharedStore) {
    let ana = store
        .create_console_user(&new_user("ana", Role::Owner, vec![]))
        .await
        .unwrap();
    let bo = store
        .create_console_user(&new_user("bo", Role::Agent, vec![]))
        .await
        .unwrap();
    for (hash, user) in [("a1", ana.id), ("b1", bo.id), ("b2", bo.id)] {
        store
            .create_console_session(&session(hash, user, 5))
            .await
            .unwrap();
    }
    let audit_only = [Permission::ViewAudit, Permission::ManageFaq];
    assert!(store
        .set_console_access(bo.id, Role::Custom, &audit_only)
        .await
        .unwrap());
    let changed = store.console_user(bo.id).await.unwrap().unwrap();
    assert_eq!(
        (changed.role, changed.permissions.as_slice()),
        (Role::Custom, &audit_only[..])
    );
    assert_eq!(
        changed.password_hash, bo.password_hash,
        "only the access changes"
    );
    assert_eq!(store.console_session("b1").await.unwrap(), None);
    assert_eq!(store.console_session("b2").await.unwrap(), None);
    assert!(store.console_session("a1").await.unwrap().is_some());

    // The only enabled owner keeps the role; nothing changes, not even the sessions.
    let last = store.set_console_access(ana.id, Role::Admin, &[]).await;
    assert!(
        matches!(&last, Err(Error::Conflict(m)) if m == console::LAST_OWNER),
        "{last:?}"
    );
    assert_eq!(
        store.console_user(ana.id).await.unwrap().unwrap().role,
        Role::Owner
    );
    assert!(store.console_session("a1").await.unwrap().is_some());
    // Re-granting owner to the last owner is no demotion.
    assert!(store
        .set_console_access(ana.id, Role::Owner, &[])
        .await
        .unwrap());

    // A disabled owner does not count: with bo a disabled owner, ana is still the last.
    assert!(store
        .set_console_access(bo.id, Role::Owner, &[])
        .await
        .unwrap());
    assert!(store.set_console_disabled(bo.id, true).await.unwrap());
    let still_last = store.set_console_access(ana.id, Role::Analyst, &[]).await;
    assert!(
        matches!(still_last, Err(Error::Conflict(_))),
        "{still_last:?}"
    );
    // A disabled owner may be demoted; with bo enabled again, ana may be too.
    assert!(store
        .set_console_access(bo.id, Role::Admin, &[])
        .await
        .unwrap());
    assert!(store
        .set_console_access(bo.id, Role::Owner, &[])
        .await
        .unwrap());
    assert!(store.set_console_disabled(bo.id, false).await.unwrap());
    assert!(store
        .set_console_access(ana.id, Role::Analyst, &[])
        .await
        .unwrap());
    let ana = store.console_user(ana.id).await.unwrap().unwrap();
    assert!(ana.can(Permission::ViewAnalytics) && !ana.can(Permission::ManageUsers));
    assert_eq!(store.console_session("a1").await.unwrap(), None);

    assert!(!store
        .set_console_access(999, Role::Agent, &[])
        .await
        .unwrap());
}

async fn changing_access_follows_the_rules_of_adding(store: SharedStore) {
    let owner = store
        .create_console_user(&new_user("ana", Role::Owner, vec![]))
        .await
        .unwrap();
    let admin = store
        .create_console_user(&new_user("ad", Role::Admin, vec![]))
        .await
        .unwrap();
    let agent = store
        .create_console_user(&new_user("bo", Role::Agent, vec![]))
        .await
        .unwrap();

    // An admin may not grant owner, nor give a custom role without permissions.
    let refused =
        console::change_access(store.as_ref(), Some(&admin), agent.id, Role::Owner, &[]).await;
    assert!(
        matches!(&refused, Err(Error::Fields(f)) if f[0].field == "role"),
        "{refused:?}"
    );
    let empty =
        console::change_access(store.as_ref(), Some(&admin), agent.id, Role::Custom, &[]).await;
    assert!(
        matches!(&empty, Err(Error::Fields(f)) if f[0].field == "permissions"),
        "{empty:?}"
    );
    // Nobody changes themselves, and admins do not touch owners.
    let own =
        console::change_access(store.as_ref(), Some(&admin), admin.id, Role::Agent, &[]).await;
    assert!(matches!(own, Err(Error::Invalid(_))), "{own:?}");
    let owners_reach =
        console::change_access(store.as_ref(), Some(&admin), owner.id, Role::Agent, &[]).await;
    assert!(
        matches!(owners_reach, Err(Error::Invalid(_))),
        "{owners_reach:?}"
    );
    assert_eq!(store.console_user(agent.id).await.unwrap().unwrap(), agent);

    // A built-in role drops any permissions given; a custom list is sorted and deduplicated.
    let (before, after) = console::change_access(
        store.as_ref(),
        Some(&admin),
        agent.id,
        Role::Analyst,
        &[Permission::ManageUsers],
    )
    .await
    .unwrap();
    assert_eq!((before.role, after.role), (Role::Agent, Role::Analyst));
    assert!(after.permissions.is_empty());
    assert_eq!(store.console_user(agent.id).await.unwrap().unwrap(), after);
    let (_, custom) = console::change_access(
        store.as_ref(),
        Some(&admin),
        agent.id,
        Role::Custom,
        &[
            Permission::ViewAudit,
            Permission::ManageOrders,
            Permission::ViewAudit,
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        custom.permissions,
        [Permission::ManageOrders, Permission::ViewAudit]
    );

    // An owner may grant owner; the command line (`None`) may demote any owner but the last.
    console::change_access(store.as_ref(), Some(&owner), admin.id, Role::Owner, &[])
        .await
        .unwrap();
    console::change_access(store.as_ref(), None, owner.id, Role::Agent, &[])
        .await
        .unwrap();
    let last = console::change_access(store.as_ref(), None, admin.id, Role::Agent, &[]).await;
    assert!(matches!(last, Err(Error::Conflict(_))), "{last:?}");
    let unknown = console::change_access(store.as_ref(), None, 999, Role::Agent, &[]).await;
    assert!(matches!(unknown, Err(Error::NotFound(_))), "{unknown:?}");
}
