//! Users, browser sessions, personal API tokens and login throttling.

pub mod api_token;
pub mod login_attempt;
pub mod session;
pub mod user;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use minecoop_domain::auth::{Principal, Role, check_role_links};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Actor, Store, StoreError, StoreResult, new_id};

pub use user::Model as User;

/// How long a browser session lives without use.
pub const SESSION_DAYS: i64 = 14;
/// Failures within the window after which a username is refused until the window passes.
pub const MAX_FAILURES: u64 = 5;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Attempts from one address within the window after which that address is refused, whatever
/// the username (guessing one password across many accounts).
pub const MAX_ADDRESS_FAILURES: u64 = 30;

/// A user as the audit trail records it: never the password hash.
#[derive(Serialize)]
struct UserAudit<'a> {
    username: &'a str,
    display_name: &'a str,
    role: &'a str,
    member_id: Option<Uuid>,
    mine_id: Option<Uuid>,
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    disabled: bool,
    version: i32,
}

fn audit_view(u: &User) -> UserAudit<'_> {
    UserAudit {
        username: &u.username,
        display_name: &u.display_name,
        role: &u.role,
        member_id: u.member_id,
        mine_id: u.mine_id,
        language: u.language.as_deref(),
        email: u.email.as_deref(),
        disabled: u.disabled,
        version: u.version,
    }
}

/// What is needed to make an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub member_id: Option<Uuid>,
    pub mine_id: Option<Uuid>,
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Hashing only fails on absurd parameters, which are fixed here.
        .unwrap_or_default()
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A random secret, URL-safe hex.
pub fn random_token(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn validate_username(u: &str) -> Result<String, &'static str> {
    let u = u.trim().to_lowercase();
    if u.len() < 3 || u.len() > 40 || !u.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err("err-username");
    }
    Ok(u)
}

impl User {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role).ok()
    }

    pub fn principal(&self) -> Option<Principal> {
        Some(Principal {
            user_id: self.id,
            username: self.username.clone(),
            role: self.role()?,
            member_id: self.member_id,
            mine_id: self.mine_id,
        })
    }
}

/// A session joined with its user, as the web layer needs it on every request.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub csrf_token: String,
}

/// Result of a login attempt (one per login: its size does not matter).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum LoginOutcome {
    /// The secret for the session cookie.
    Ok {
        user: User,
        session_token: String,
    },
    BadCredentials,
    Throttled,
}

impl Store {
    pub async fn create_user(&self, actor: &Actor, n: NewUser) -> StoreResult<User> {
        let username = validate_username(&n.username).map_err(|c| StoreError::field("username", c))?;
        check_role_links(n.role, n.member_id, n.mine_id).map_err(|c| StoreError::field("role", c))?;
        if n.password.chars().count() < 10 {
            return Err(StoreError::field("password", "err-password-short"));
        }
        let mut tx = self.begin(actor).await?;
        if user::Entity::find().filter(user::Column::Username.eq(&username)).one(tx.conn()).await?.is_some() {
            return Err(StoreError::field("username", "err-username-taken"));
        }
        let now = tx.now();
        let display_name =
            if n.display_name.trim().is_empty() { username.clone() } else { n.display_name.trim().to_owned() };
        let m = user::ActiveModel {
            id: Set(new_id()),
            username: Set(username),
            display_name: Set(display_name),
            password_hash: Set(hash_password(&n.password)),
            role: Set(n.role.as_str().to_owned()),
            member_id: Set(n.member_id),
            mine_id: Set(n.mine_id),
            language: Set(None),
            email: Set(None),
            disabled: Set(false),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(tx.conn())
        .await?;
        tx.record("create", "user", m.id, None::<&()>, Some(&audit_view(&m)));
        tx.commit().await?;
        Ok(m)
    }

    pub async fn user_count(&self) -> StoreResult<u64> {
        Ok(user::Entity::find().count(self.conn()).await?)
    }

    pub async fn admin_count(&self) -> StoreResult<u64> {
        Ok(user::Entity::find()
            .filter(user::Column::Role.eq(Role::Admin.as_str()))
            .filter(user::Column::Disabled.eq(false))
            .count(self.conn())
            .await?)
    }

    pub async fn users(&self) -> StoreResult<Vec<User>> {
        Ok(user::Entity::find().order_by_asc(user::Column::Username).all(self.conn()).await?)
    }

    pub async fn user(&self, id: Uuid) -> StoreResult<User> {
        user::Entity::find_by_id(id).one(self.conn()).await?.ok_or(StoreError::NotFound)
    }

    pub async fn user_by_name(&self, username: &str) -> StoreResult<User> {
        user::Entity::find()
            .filter(user::Column::Username.eq(username.trim().to_lowercase()))
            .one(self.conn())
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn change_user(
        &self,
        actor: &Actor,
        id: Uuid,
        action: &str,
        f: impl FnOnce(&mut user::ActiveModel),
    ) -> StoreResult<User> {
        let mut tx = self.begin(actor).await?;
        let before = user::Entity::find_by_id(id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        let mut am: user::ActiveModel = before.clone().into();
        f(&mut am);
        am.version = Set(before.version + 1);
        am.updated_at = Set(tx.now());
        let after = am.update(tx.conn()).await?;
        tx.record(action, "user", id, Some(&audit_view(&before)), Some(&audit_view(&after)));
        tx.commit().await?;
        Ok(after)
    }

    pub async fn set_user_role(
        &self,
        actor: &Actor,
        id: Uuid,
        role: Role,
        member_id: Option<Uuid>,
        mine_id: Option<Uuid>,
    ) -> StoreResult<User> {
        check_role_links(role, member_id, mine_id).map_err(|c| StoreError::field("role", c))?;
        self.change_user(actor, id, "set_role", |am| {
            am.role = Set(role.as_str().to_owned());
            am.member_id = Set(member_id);
            am.mine_id = Set(mine_id);
        })
        .await
    }

    /// Disabling also ends the user's sessions and revokes their API tokens (enabling again does
    /// not bring the tokens back).
    pub async fn set_user_disabled(&self, actor: &Actor, id: Uuid, disabled: bool) -> StoreResult<User> {
        let u = self
            .change_user(actor, id, if disabled { "disable" } else { "enable" }, |am| am.disabled = Set(disabled))
            .await?;
        if disabled {
            self.end_all_sessions(id).await?;
            api_token::Entity::update_many()
                .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(crate::now()))
                .filter(api_token::Column::UserId.eq(id))
                .filter(api_token::Column::RevokedAt.is_null())
                .exec(self.conn())
                .await?;
        }
        Ok(u)
    }

    async fn end_all_sessions(&self, user_id: Uuid) -> StoreResult<()> {
        session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(self.conn()).await?;
        Ok(())
    }

    pub async fn set_user_password(&self, actor: &Actor, id: Uuid, password: &str) -> StoreResult<User> {
        if password.chars().count() < 10 {
            return Err(StoreError::field("password", "err-password-short"));
        }
        let hash = hash_password(password);
        let u = self.change_user(actor, id, "set_password", |am| am.password_hash = Set(hash)).await?;
        // A stolen session must not outlive the password it was opened with.
        self.end_all_sessions(id).await?;
        Ok(u)
    }

    pub async fn set_user_language(&self, actor: &Actor, id: Uuid, lang: &str) -> StoreResult<User> {
        let lang = lang.to_owned();
        self.change_user(actor, id, "set_language", |am| am.language = Set(Some(lang))).await
    }

    /// Set or clear (empty) the address the user's alerts are e-mailed to.
    pub async fn set_user_email(&self, actor: &Actor, id: Uuid, email: &str) -> StoreResult<User> {
        let email = if email.trim().is_empty() {
            None
        } else {
            Some(minecoop_domain::alerts::check_email(email).map_err(|c| StoreError::field("email", c))?)
        };
        self.change_user(actor, id, "set_email", |am| am.email = Set(email)).await
    }

    /// Check a password, with throttling: after [`MAX_FAILURES`] failures within
    /// [`FAILURE_WINDOW_MINUTES`] the username is refused even with the right password.
    pub async fn login(&self, username: &str, password: &str, now: DateTime<Utc>) -> StoreResult<LoginOutcome> {
        self.login_from(username, password, None, now).await
    }

    /// [`Store::login`] from a known address: also refused after [`MAX_ADDRESS_FAILURES`]
    /// attempts from that address within the window.
    pub async fn login_from(
        &self,
        username: &str,
        password: &str,
        ip: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<LoginOutcome> {
        let name = username.trim().to_lowercase();
        if validate_username(&name).is_err() {
            // Not a possible account: nothing to throttle, nothing to store.
            return Ok(LoginOutcome::BadCredentials);
        }
        // The attempt is recorded before the password is checked, so parallel guesses count too;
        // a success clears it again.
        login_attempt::ActiveModel {
            id: Set(new_id()),
            username: Set(name.clone()),
            at: Set(now),
            ip: Set(ip.map(str::to_owned)),
        }
        .insert(self.conn())
        .await?;
        let since = now - Duration::minutes(FAILURE_WINDOW_MINUTES);
        login_attempt::Entity::delete_many().filter(login_attempt::Column::At.lt(since)).exec(self.conn()).await?;
        let attempts = login_attempt::Entity::find()
            .filter(login_attempt::Column::Username.eq(&name))
            .filter(login_attempt::Column::At.gt(since))
            .count(self.conn())
            .await?;
        if attempts > MAX_FAILURES {
            return Ok(LoginOutcome::Throttled);
        }
        if let Some(ip) = ip {
            let from_address = login_attempt::Entity::find()
                .filter(login_attempt::Column::Ip.eq(ip))
                .filter(login_attempt::Column::At.gt(since))
                .count(self.conn())
                .await?;
            if from_address > MAX_ADDRESS_FAILURES {
                return Ok(LoginOutcome::Throttled);
            }
        }
        let user = user::Entity::find().filter(user::Column::Username.eq(&name)).one(self.conn()).await?;
        let ok = match &user {
            Some(u) => !u.disabled && verify_password(password, &u.password_hash),
            None => {
                // Spend the same time as a real check so timing does not reveal usernames.
                static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                verify_password(password, DUMMY.get_or_init(|| hash_password("not-a-real-password")));
                false
            }
        };
        match (ok, user) {
            (true, Some(user)) => {
                login_attempt::Entity::delete_many()
                    .filter(login_attempt::Column::Username.eq(&name))
                    .exec(self.conn())
                    .await?;
                let session_token = self.create_session(user.id, now).await?;
                Ok(LoginOutcome::Ok { user, session_token })
            }
            _ => Ok(LoginOutcome::BadCredentials),
        }
    }

    /// A new session; the returned secret goes into the cookie, its hash into the table.
    pub async fn create_session(&self, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<String> {
        let token = random_token(32);
        session::ActiveModel {
            token_hash: Set(sha256_hex(&token)),
            user_id: Set(user_id),
            csrf_token: Set(random_token(32)),
            created_at: Set(now),
            expires_at: Set(now + Duration::days(SESSION_DAYS)),
        }
        .insert(self.conn())
        .await?;
        Ok(token)
    }

    /// The live session for a cookie secret, with its (enabled) user.
    pub async fn session_user(&self, token: &str, now: DateTime<Utc>) -> StoreResult<Option<SessionUser>> {
        let Some(s) = session::Entity::find_by_id(sha256_hex(token)).one(self.conn()).await? else {
            return Ok(None);
        };
        if s.expires_at <= now {
            return Ok(None);
        }
        let Some(user) = user::Entity::find_by_id(s.user_id).one(self.conn()).await? else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        Ok(Some(SessionUser { user, csrf_token: s.csrf_token }))
    }

    pub async fn end_session(&self, token: &str) -> StoreResult<()> {
        session::Entity::delete_by_id(sha256_hex(token)).exec(self.conn()).await?;
        Ok(())
    }

    /// Make a personal API token; the secret is returned once and never stored.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user_id: Uuid,
        name: &str,
    ) -> StoreResult<(api_token::Model, String)> {
        let name = minecoop_domain::validation::required_text(name, 60).map_err(|c| StoreError::field("name", c))?;
        let secret = format!("mc_{}", random_token(24));
        let mut tx = self.begin(actor).await?;
        let m = api_token::ActiveModel {
            id: Set(new_id()),
            user_id: Set(user_id),
            name: Set(name.clone()),
            token_hash: Set(sha256_hex(&secret)),
            created_at: Set(tx.now()),
            revoked_at: Set(None),
        }
        .insert(tx.conn())
        .await?;
        tx.record(
            "create",
            "api_token",
            m.id,
            None::<&()>,
            Some(&serde_json::json!({"user_id": user_id, "name": name})),
        );
        tx.commit().await?;
        Ok((m, secret))
    }

    pub async fn api_tokens(&self, user_id: Uuid) -> StoreResult<Vec<api_token::Model>> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user_id))
            .order_by_desc(api_token::Column::CreatedAt)
            .all(self.conn())
            .await?)
    }

    pub async fn revoke_api_token(&self, actor: &Actor, user_id: Uuid, token_id: Uuid) -> StoreResult<()> {
        let mut tx = self.begin(actor).await?;
        let t = api_token::Entity::find_by_id(token_id).one(tx.conn()).await?.ok_or(StoreError::NotFound)?;
        if t.user_id != user_id {
            return Err(StoreError::NotFound);
        }
        if t.revoked_at.is_none() {
            let mut am: api_token::ActiveModel = t.clone().into();
            am.revoked_at = Set(Some(tx.now()));
            am.update(tx.conn()).await?;
            tx.record(
                "revoke",
                "api_token",
                token_id,
                Some(&serde_json::json!({"name": t.name})),
                Some(&serde_json::json!({"name": t.name, "revoked": true})),
            );
        }
        tx.commit().await?;
        Ok(())
    }

    /// The enabled user behind a bearer token that is not revoked.
    pub async fn api_token_user(&self, secret: &str) -> StoreResult<Option<User>> {
        let Some(t) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(sha256_hex(secret)))
            .one(self.conn())
            .await?
        else {
            return Ok(None);
        };
        if t.revoked_at.is_some() {
            return Ok(None);
        }
        Ok(user::Entity::find_by_id(t.user_id).one(self.conn()).await?.filter(|u| !u.disabled))
    }
}
