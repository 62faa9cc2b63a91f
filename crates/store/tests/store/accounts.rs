use minecoop_domain::auth::Role;
use minecoop_store::accounts::{LoginOutcome, MAX_FAILURES, NewUser};
use minecoop_store::{StoreError, both_backends, now};

use crate::{actor, member_draft};

fn new_user(name: &str, role: Role) -> NewUser {
    NewUser {
        username: name.into(),
        display_name: String::new(),
        password: "correct horse battery".into(),
        role,
        member_id: None,
        mine_id: None,
    }
}

both_backends! {
    async fn login_creates_a_session_that_survives_reconnect(db) {
        db.create_user(&actor(), new_user("Alice", Role::President)).await.unwrap();
        let token = match db.login("alice", "correct horse battery", now()).await.unwrap() {
            LoginOutcome::Ok { session_token, .. } => session_token,
            other => panic!("{other:?}"),
        };
        // A new connection (a restarted server) still knows the session.
        let again = minecoop_store::Store::open(&db.url).await.unwrap();
        let s = again.session_user(&token, now()).await.unwrap().expect("session");
        assert_eq!(s.user.username, "alice");
        assert_eq!(s.csrf_token.len(), 64);
        again.end_session(&token).await.unwrap();
        assert!(db.session_user(&token, now()).await.unwrap().is_none());
    }

    async fn wrong_passwords_are_throttled(db) {
        db.create_user(&actor(), new_user("bob", Role::Inspector)).await.unwrap();
        for _ in 0..MAX_FAILURES {
            assert!(matches!(db.login("bob", "wrong password", now()).await.unwrap(), LoginOutcome::BadCredentials));
        }
        assert!(matches!(db.login("bob", "correct horse battery", now()).await.unwrap(), LoginOutcome::Throttled));
        // After the window the right password works again.
        let later = now() + chrono::Duration::minutes(16);
        assert!(matches!(db.login("bob", "correct horse battery", later).await.unwrap(), LoginOutcome::Ok { .. }));
    }

    async fn guessing_across_usernames_from_one_address_is_throttled(db) {
        db.create_user(&actor(), new_user("julia", Role::Bureau)).await.unwrap();
        for k in 0..minecoop_store::accounts::MAX_ADDRESS_FAILURES {
            let name = format!("guess{k}");
            let r = db.login_from(&name, "password123", Some("10.9.8.7"), now()).await.unwrap();
            assert!(matches!(r, LoginOutcome::BadCredentials), "{k}: {r:?}");
        }
        let from_there = db.login_from("julia", "correct horse battery", Some("10.9.8.7"), now()).await.unwrap();
        assert!(matches!(from_there, LoginOutcome::Throttled));
        let elsewhere = db.login_from("julia", "correct horse battery", Some("10.1.1.1"), now()).await.unwrap();
        assert!(matches!(elsewhere, LoginOutcome::Ok { .. }), "other addresses are not locked out");
    }

    async fn unknown_users_and_disabled_users_cannot_log_in(db) {
        assert!(matches!(db.login("nobody", "whatever pass", now()).await.unwrap(), LoginOutcome::BadCredentials));
        let u = db.create_user(&actor(), new_user("carol", Role::Bureau)).await.unwrap();
        let LoginOutcome::Ok { session_token, .. } = db.login("carol", "correct horse battery", now()).await.unwrap() else {
            panic!("login failed")
        };
        db.set_user_disabled(&actor(), u.id, true).await.unwrap();
        assert!(db.session_user(&session_token, now()).await.unwrap().is_none());
        assert!(matches!(db.login("carol", "correct horse battery", now()).await.unwrap(), LoginOutcome::BadCredentials));
    }

    async fn accounts_are_validated(db) {
        let short = NewUser { password: "short".into(), ..new_user("dave", Role::Admin) };
        assert!(matches!(db.create_user(&actor(), short).await, Err(StoreError::Invalid(_))));
        let bad_name = new_user("no spaces allowed", Role::Admin);
        assert!(matches!(db.create_user(&actor(), bad_name).await, Err(StoreError::Invalid(_))));
        let owner_without_member = new_user("erin", Role::Owner);
        assert!(matches!(db.create_user(&actor(), owner_without_member).await, Err(StoreError::Invalid(_))));
        db.create_user(&actor(), new_user("frank", Role::Admin)).await.unwrap();
        let taken = db.create_user(&actor(), new_user("FRANK", Role::Admin)).await.unwrap_err();
        assert!(matches!(taken, StoreError::Invalid(ref e) if e.get("username").unwrap().code == "err-username-taken"));
        assert_eq!(db.admin_count().await.unwrap(), 1);
    }

    async fn role_changes_are_audited_without_password_hashes(db) {
        let m = db.create_member(&actor(), &member_draft(1, "A")).await.unwrap();
        let u = db.create_user(&actor(), new_user("gina", Role::Inspector)).await.unwrap();
        let u2 = db.set_user_role(&actor(), u.id, Role::Owner, Some(m.id), None).await.unwrap();
        assert_eq!(u2.role, "owner");
        let h = db.history("user", &u.id.to_string()).await.unwrap();
        assert_eq!(h.len(), 2);
        assert!(h.iter().all(|r| !r.after.contains("argon2")));
    }

    async fn a_new_password_ends_every_session_and_disabling_revokes_tokens(db) {
        let u = db.create_user(&actor(), new_user("ivan", Role::Inspector)).await.unwrap();
        let LoginOutcome::Ok { session_token, .. } = db.login("ivan", "correct horse battery", now()).await.unwrap() else {
            panic!("login failed")
        };
        db.set_user_password(&actor(), u.id, "another good password").await.unwrap();
        assert!(db.session_user(&session_token, now()).await.unwrap().is_none());
        let (_, secret) = db.create_api_token(&actor(), u.id, "script").await.unwrap();
        db.set_user_disabled(&actor(), u.id, true).await.unwrap();
        db.set_user_disabled(&actor(), u.id, false).await.unwrap();
        assert!(db.api_token_user(&secret).await.unwrap().is_none(), "re-enabling does not revive tokens");
    }

    async fn api_tokens_work_until_revoked(db) {
        let u = db.create_user(&actor(), new_user("hank", Role::Bureau)).await.unwrap();
        let (t, secret) = db.create_api_token(&actor(), u.id, "laptop").await.unwrap();
        assert!(secret.starts_with("mc_"));
        assert_ne!(t.token_hash, secret);
        assert_eq!(db.api_token_user(&secret).await.unwrap().unwrap().id, u.id);
        assert!(db.api_token_user("mc_guess").await.unwrap().is_none());
        db.revoke_api_token(&actor(), u.id, t.id).await.unwrap();
        assert!(db.api_token_user(&secret).await.unwrap().is_none());
    }
}
