//! Changing a console user's role from the console (`POST /users/{id}/access`), on SQLite and
//! PostgreSQL: an owner makes an agent an analyst and the agent's old session ends at once
//! (logging in again gives analyst rights: analytics yes, the inbox no); the change is
//! audited with the role before and after; a forged CSRF token changes nothing; an admin
//! cannot grant owner, reach an owner, or give a custom role no permissions (422 with the
//! problem and the form as typed); nobody changes their own role; and the last enabled
//! owner keeps the role even when the command line's unrestricted actor asks.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::console::{self, ConsoleUser, Role};
use groupcart_core::Error;

on_both_databases!(
    an_owner_turns_an_agent_into_an_analyst,
    an_admin_is_held_to_the_rules_and_an_owner_remains,
);

const LIN_PASSWORD: &str = "lin's long password";

async fn user(shop: &Shop, name: &str) -> ConsoleUser {
    shop.app
        .store
        .console_user_by_name(name)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no console user {name}"))
}

async fn an_owner_turns_an_agent_into_an_analyst(database_url: String) {
    let shop = start(database_url).await;
    add_user(&shop, "lin", Role::Agent, LIN_PASSWORD).await;
    let mut agent = Browser::logged_in(&shop, "lin", LIN_PASSWORD).await;
    assert_eq!(agent.get("/inbox").await.status, 200);
    assert_eq!(agent.get("/analytics").await.status, 403);
    let lin = user(&shop, "lin").await;

    let (owner_name, owner_password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &owner_name, &owner_password).await;
    let users = owner.get("/users").await;
    assert_eq!(users.status, 200, "{}", users.body);
    assert!(
        users.body.contains("data-testid=\"access-lin\""),
        "{}",
        users.body
    );
    // The owner's own row has no role form: nobody changes themselves.
    assert!(!users
        .body
        .contains(&format!("data-testid=\"access-{owner_name}\"")));
    let csrf = owner.csrf().await;

    // A forged token changes nothing, and the agent keeps working.
    let forged = owner
        .post(
            &format!("/users/{}/access", lin.id),
            &[("csrf", "forged"), ("role", "analyst")],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(user(&shop, "lin").await, lin);
    assert_eq!(agent.get("/inbox").await.status, 200);

    let changed = owner
        .post(
            &format!("/users/{}/access", lin.id),
            &[
                ("csrf", &csrf),
                ("role", "analyst"),
                // Ignored: a built-in role decides its permissions.
                ("permission", "manage_users"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    assert_eq!(changed.location.as_deref(), Some("/users?ok=access"));
    let done = owner.get("/users?ok=access").await;
    assert!(done.body.contains("Role changed"), "{}", done.body);
    let now = user(&shop, "lin").await;
    assert_eq!((now.role, now.permissions.len()), (Role::Analyst, 0));

    // The old session ended; a new login has the analyst's rights, and only those.
    assert_eq!(
        agent.get("/inbox").await.location.as_deref(),
        Some("/login")
    );
    let mut analyst = Browser::logged_in(&shop, "lin", LIN_PASSWORD).await;
    assert_eq!(analyst.get("/analytics").await.status, 200);
    assert_eq!(analyst.get("/inbox").await.status, 403);
    assert_eq!(analyst.get("/users").await.status, 403);

    // The audit log names who, whom, and the access before and after.
    let entries = shop
        .app
        .store
        .audit_entries_before(None, 200)
        .await
        .unwrap();
    let entry = entries
        .iter()
        .map(|e| &e.entry)
        .find(|e| e.action == "console.user.access")
        .expect("the change is audited");
    assert_eq!(entry.actor, format!("console:{owner_name}"));
    assert_eq!(
        entry.target.as_deref(),
        Some(&*format!("console_user:{}", lin.id))
    );
    assert_eq!(entry.details["username"], "lin");
    assert_eq!(entry.details["from"]["role"], "agent");
    assert_eq!(entry.details["to"]["role"], "analyst");
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.entry.action == "console.user.access")
            .count(),
        1,
        "the forged request left no entry"
    );

    // A custom role carries exactly the boxes ticked.
    let custom = owner
        .post(
            &format!("/users/{}/access", lin.id),
            &[
                ("csrf", &csrf),
                ("role", "custom"),
                ("permission", "view_audit"),
                ("permission", "manage_faq"),
            ],
        )
        .await;
    assert_eq!(custom.status, 303, "{}", custom.body);
    let mut custom_user = Browser::logged_in(&shop, "lin", LIN_PASSWORD).await;
    assert_eq!(custom_user.get("/audit").await.status, 200);
    assert_eq!(custom_user.get("/analytics").await.status, 403);
    assert_eq!(
        analyst.get("/analytics").await.location.as_deref(),
        Some("/login")
    );
    shop.stop().await;
}

async fn an_admin_is_held_to_the_rules_and_an_owner_remains(database_url: String) {
    let shop = start(database_url).await;
    add_user(&shop, "ada", Role::Admin, "ada's long password").await;
    add_user(&shop, "lin", Role::Agent, LIN_PASSWORD).await;
    let lin = user(&shop, "lin").await;
    let (owner_name, owner_password) = demo(&shop);
    let owner = user(&shop, &owner_name).await;
    assert_eq!(owner.role, Role::Owner);

    let mut admin = Browser::logged_in(&shop, "ada", "ada's long password").await;
    let users = admin.get("/users").await;
    assert_eq!(users.status, 200, "{}", users.body);
    // An admin is offered no owner role, and no form for the owner.
    assert!(
        !users.body.contains("<option value=\"owner\""),
        "{}",
        users.body
    );
    assert!(!users
        .body
        .contains(&format!("data-testid=\"access-{owner_name}\"")));
    let csrf = admin.csrf().await;

    let to_owner = admin
        .post(
            &format!("/users/{}/access", lin.id),
            &[("csrf", &csrf), ("role", "owner")],
        )
        .await;
    assert_eq!(to_owner.status, 422, "{}", to_owner.body);
    assert!(
        to_owner
            .body
            .contains("only an owner may grant the owner role"),
        "{}",
        to_owner.body
    );
    let empty_custom = admin
        .post(
            &format!("/users/{}/access", lin.id),
            &[("csrf", &csrf), ("role", "custom")],
        )
        .await;
    assert_eq!(empty_custom.status, 422, "{}", empty_custom.body);
    assert!(empty_custom
        .body
        .contains("a custom user needs at least one permission"));
    // The refused form is shown open, with the role as typed.
    assert!(
        empty_custom.body.contains("<details open>"),
        "{}",
        empty_custom.body
    );
    assert!(empty_custom
        .body
        .contains("<option value=\"custom\" selected>"));
    let unknown_role = admin
        .post(
            &format!("/users/{}/access", lin.id),
            &[("csrf", &csrf), ("role", "emperor")],
        )
        .await;
    assert_eq!(unknown_role.status, 422, "{}", unknown_role.body);
    assert_eq!(user(&shop, "lin").await, lin);

    // Owners are out of an admin's reach, and nobody changes their own role.
    let demote_owner = admin
        .post(
            &format!("/users/{}/access", owner.id),
            &[("csrf", &csrf), ("role", "agent")],
        )
        .await;
    assert_eq!(demote_owner.status, 403, "{}", demote_owner.body);
    let ada = user(&shop, "ada").await;
    let promote_self = admin
        .post(
            &format!("/users/{}/access", ada.id),
            &[("csrf", &csrf), ("role", "agent")],
        )
        .await;
    assert_eq!(promote_self.status, 403, "{}", promote_self.body);
    let mut owner_browser = Browser::logged_in(&shop, &owner_name, &owner_password).await;
    let owner_csrf = owner_browser.csrf().await;
    let demote_self = owner_browser
        .post(
            &format!("/users/{}/access", owner.id),
            &[("csrf", &owner_csrf), ("role", "admin")],
        )
        .await;
    assert_eq!(demote_self.status, 403, "{}", demote_self.body);
    assert_eq!(user(&shop, &owner_name).await.role, Role::Owner);
    assert!(!audited(&shop, "ada")
        .await
        .contains(&"console.user.access".to_owned()));

    // The last enabled owner keeps the role, even for the command line's actor.
    let last =
        console::change_access(shop.app.store.as_ref(), None, owner.id, Role::Admin, &[]).await;
    assert!(
        matches!(&last, Err(Error::Conflict(m)) if m == console::LAST_OWNER),
        "{last:?}"
    );
    assert_eq!(
        owner_browser.get("/users").await.status,
        200,
        "no session ended"
    );
    // With a second owner (granted by the owner in the console), the first may be demoted.
    let promoted = owner_browser
        .post(
            &format!("/users/{}/access", ada.id),
            &[("csrf", &owner_csrf), ("role", "owner")],
        )
        .await;
    assert_eq!(promoted.status, 303, "{}", promoted.body);
    let mut second_owner = Browser::logged_in(&shop, "ada", "ada's long password").await;
    let second_csrf = second_owner.csrf().await;
    let demoted = second_owner
        .post(
            &format!("/users/{}/access", owner.id),
            &[("csrf", &second_csrf), ("role", "admin")],
        )
        .await;
    assert_eq!(demoted.status, 303, "{}", demoted.body);
    assert_eq!(user(&shop, &owner_name).await.role, Role::Admin);
    assert_eq!(
        owner_browser.get("/users").await.location.as_deref(),
        Some("/login")
    );
    shop.stop().await;
}
