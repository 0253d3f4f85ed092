//! Passwords (argon2id), login sessions that survive restarts, and login throttling.
use crate::storage::{now_unix, Allowance, Attempt, Session, Store, StoreError, ThrottleKey, User};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::Duration;
use ulid::Ulid;

/// The cookies mpforge sets. Over https each name takes the `__Host-` prefix: the browser
/// then accepts it only from this exact host, `Secure` and for the whole site, so a sibling
/// subdomain cannot plant one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieName {
    /// The login session (its token).
    Session,
    /// A visitor's random id, the anti-CSRF token's root before signing in.
    Visitor,
    Lang,
}

impl CookieName {
    pub fn name(self, https: bool) -> &'static str {
        match (self, https) {
            (CookieName::Session, false) => "mpf_session",
            (CookieName::Session, true) => "__Host-mpf_session",
            (CookieName::Visitor, false) => "mpf_csrf",
            (CookieName::Visitor, true) => "__Host-mpf_csrf",
            (CookieName::Lang, false) => "mpf_lang",
            (CookieName::Lang, true) => "__Host-mpf_lang",
        }
    }
}

/// How long a login lasts at most.
pub const SESSION_TTL_SECS: i64 = 30 * 24 * 3600;
/// A login unused for this long ends.
pub const SESSION_IDLE_SECS: i64 = 2 * 24 * 3600;
/// How stale `last_seen` may get before a request writes it again (one write per session per
/// interval, not per request).
const TOUCH_EVERY_SECS: i64 = 5 * 60;

/// Argon2id with the crate's defaults (OWASP's 19 MiB / 2 passes / 1 lane).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the same time as a real check, so a wrong login cannot be told from a wrong password.
pub fn burn_verify(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash_password("mpforge-timing-equaliser"));
    let _ = verify_password(password, phc);
}

/// A random secret for cookies, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A readable generated password (no look-alike characters).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let chars: String = (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!(
        "{}-{}-{}-{}",
        &chars[..4],
        &chars[4..8],
        &chars[8..12],
        &chars[12..]
    )
}

/// Sessions are stored under a hash of their token: a copy of the database opens no session.
pub fn session_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

pub async fn create_session(store: &dyn Store, user_id: Ulid) -> Result<String, StoreError> {
    let token = random_token();
    let now = now_unix();
    store
        .put_session(
            session_key(&token),
            &Session {
                user_id,
                created_at: now,
                expires_at: now + SESSION_TTL_SECS,
                last_seen: now,
            },
        )
        .await?;
    Ok(token)
}

impl Session {
    /// Whether the session has ended at `now`: past its lifetime, or unused for too long.
    fn ended(&self, now: i64) -> bool {
        let last_seen = if self.last_seen == 0 {
            self.created_at
        } else {
            self.last_seen
        };
        self.expires_at <= now || now - last_seen >= SESSION_IDLE_SECS
    }
}

/// The user behind a session token, if the session exists, has not expired and has been used
/// recently; using it keeps it alive. Read from the store every time: a sign-out on any node
/// ends it on all of them at once.
pub async fn session_user(store: &dyn Store, token: &str) -> Result<Option<User>, StoreError> {
    let key = session_key(token);
    let Some(mut session) = store.session(key).await? else {
        return Ok(None);
    };
    let now = now_unix();
    if session.ended(now) {
        store.delete_session(key).await?;
        return Ok(None);
    }
    if now - session.last_seen >= TOUCH_EVERY_SECS {
        session.last_seen = now;
        store.put_session(key, &session).await?;
    }
    store.user(session.user_id).await
}

pub async fn end_session(store: &dyn Store, token: &str) -> Result<(), StoreError> {
    store.delete_session(session_key(token)).await
}

/// Ends every session of `user` except the one with token `keep` ("log out everywhere",
/// and after a password change); ended sessions of anyone are swept on the way. Returns how
/// many of `user`'s sessions ended.
pub async fn end_sessions_of(
    store: &dyn Store,
    user: Ulid,
    keep: Option<&str>,
) -> Result<usize, StoreError> {
    let now = now_unix();
    store
        .end_sessions(user, keep.map(session_key), &|s: &Session| s.ended(now))
        .await
}

/// Derives anti-CSRF tokens. A token is an HMAC of the session (or, before signing in, of
/// the visitor cookie) under a secret kept in the store: another site can neither read it
/// nor compute it, and a cookie planted by someone else does not come with a valid token.
/// Signing in starts a new session, so the token changes with it.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl CsrfKey {
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        Ok(CsrfKey(store.secret("csrf").await?))
    }

    /// The token for a signed-in session (by its cookie value).
    pub fn for_session(&self, session_token: &str) -> String {
        self.token(b"session", session_token)
    }

    /// The token for a visitor not signed in (by the visitor cookie's value).
    pub fn for_visitor(&self, visitor: &str) -> String {
        self.token(b"visitor", visitor)
    }

    fn token(&self, purpose: &[u8], id: &str) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose);
        mac.update(&[0]);
        mac.update(id.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// Attempts per key (a login name, a merchant) and per client address within a sliding
/// window, counted in the store (every node sees every attempt, by the store's clock).
///
/// For logins ([`Throttle::default`]): an attempt is reserved before the password is checked
/// (so parallel guesses count, each one) and counts as a failure unless the login succeeds. A
/// named account is never locked: past a few failures its attempts are spaced out
/// (progressive delays), so its owner can still sign in while a guesser crawls. A client
/// address gets a fixed number of failures per window.
///
/// For uploads ([`Throttle::uploads`]): every upload of a merchant counts, a fixed number per
/// window.
pub struct Throttle {
    /// Keeps this throttle's keys apart from another's in the store.
    scope: &'static str,
    window: Duration,
    per_key: Allowance,
    address: Allowance,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::logins(3, Duration::from_secs(1))
    }
}

impl Throttle {
    /// Sign-ins: `free` failures per login, then waits from `first_delay` doubling up to a
    /// minute (or `first_delay`, when longer); 20 failures per client address; a 15-minute
    /// window.
    pub fn logins(free: usize, first_delay: Duration) -> Self {
        Throttle::new(
            "login",
            Duration::from_secs(15 * 60),
            Allowance {
                free,
                max_delay: Some(first_delay.max(Duration::from_secs(60))),
                first_delay,
            },
            Allowance {
                free: 20,
                max_delay: None,
                first_delay: Duration::ZERO,
            },
        )
    }
}

impl Throttle {
    /// Uploads per merchant: 60 per 10 minutes (a whole gallery at once is fine; a script
    /// filling the disk is not).
    pub fn uploads() -> Self {
        let per_merchant = Allowance {
            free: 60,
            max_delay: None,
            first_delay: Duration::ZERO,
        };
        Throttle::new(
            "upload",
            Duration::from_secs(10 * 60),
            per_merchant,
            per_merchant,
        )
    }

    /// `per_key` applies to each key, `address` to each client address.
    pub fn new(
        scope: &'static str,
        window: Duration,
        per_key: Allowance,
        address: Allowance,
    ) -> Self {
        Throttle {
            scope,
            window,
            per_key,
            address,
        }
    }

    /// Reserves an attempt for `key` (a login, a merchant id) from `address`, or says how
    /// long to wait. Atomic in the store: two parallel requests, on any nodes, never both
    /// take the last free attempt.
    pub async fn reserve(
        &self,
        store: &dyn Store,
        key: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<Result<Attempt, Duration>, StoreError> {
        let mut keys = vec![ThrottleKey {
            key: format!("{}:key:{key}", self.scope),
            rule: self.per_key,
            refund_on_success: false,
        }];
        if let Some(a) = address {
            keys.push(ThrottleKey {
                key: format!("{}:ip:{a}", self.scope),
                rule: self.address,
                refund_on_success: true,
            });
        }
        store.reserve_attempt(&keys, self.window).await
    }

    /// The reserved attempt succeeded: the key's failures are forgotten, and the address
    /// gets its attempt back.
    pub async fn succeeded(&self, store: &dyn Store, attempt: &Attempt) -> Result<(), StoreError> {
        store.attempt_succeeded(attempt).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        // Salted: the same password hashes differently.
        assert_ne!(h, hash_password("correct horse battery"));
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let a = generate_password();
        assert_eq!(a.len(), 19);
        assert_ne!(a, generate_password());
    }

    use crate::storage::embedded::SledStore;

    #[tokio::test]
    async fn sessions_survive_reopen_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let (user, token) = {
            let store = SledStore::open(dir.path()).unwrap();
            let user = add_user(&store).await;
            let t = create_session(&store, user).await.unwrap();
            store.flush().await.unwrap();
            (user, t)
        };
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(
            session_user(&store, &token).await.unwrap().map(|u| u.id),
            Some(user)
        );
        assert!(session_user(&store, "forged").await.unwrap().is_none());
        end_session(&store, &token).await.unwrap();
        assert!(session_user(&store, &token).await.unwrap().is_none());

        let expired = create_session(&store, user).await.unwrap();
        let key = session_key(&expired);
        let mut s = store.session(key).await.unwrap().unwrap();
        s.expires_at = now_unix() - 1;
        store.put_session(key, &s).await.unwrap();
        assert!(session_user(&store, &expired).await.unwrap().is_none());
        assert!(
            store.session(key).await.unwrap().is_none(),
            "expired session is removed"
        );
    }

    /// A user "a" in `store`, with no password.
    async fn add_user(store: &SledStore) -> Ulid {
        let agency = crate::storage::Agency {
            id: Ulid::new(),
            name: "A".into(),
            created_at: String::new(),
        };
        let record = User {
            id: Ulid::new(),
            login: "a".into(),
            display_name: "A".into(),
            password_hash: String::new(),
            role: crate::storage::StoredRole::AgencyAdmin {
                agency_id: agency.id,
            },
            lang: Default::default(),
            created_at: String::new(),
            removed: false,
        };
        store.create_agency(&agency, &record).await.unwrap();
        record.id
    }

    async fn store_with_user() -> (SledStore, Ulid) {
        let store = SledStore::temporary().unwrap();
        let user = add_user(&store).await;
        (store, user)
    }

    #[tokio::test]
    async fn an_unused_session_ends_and_a_used_one_lives_on() {
        let (store, user) = store_with_user().await;
        let age = |token: String, idle: i64| {
            let store = &store;
            async move {
                let key = session_key(&token);
                let mut s = store.session(key).await.unwrap().unwrap();
                s.last_seen = now_unix() - idle;
                store.put_session(key, &s).await.unwrap();
            }
        };
        let idle = create_session(&store, user).await.unwrap();
        age(idle.clone(), SESSION_IDLE_SECS).await;
        assert!(session_user(&store, &idle).await.unwrap().is_none());

        let used = create_session(&store, user).await.unwrap();
        age(used.clone(), SESSION_IDLE_SECS - 60).await;
        assert!(session_user(&store, &used).await.unwrap().is_some());
        // That use moved its clock: it has a whole idle period ahead again.
        let s = store.session(session_key(&used)).await.unwrap().unwrap();
        assert!(now_unix() - s.last_seen < 5);

        // A session stored before idle timeouts counts from its creation.
        let old = create_session(&store, user).await.unwrap();
        let key = session_key(&old);
        let mut s = store.session(key).await.unwrap().unwrap();
        (s.last_seen, s.created_at) = (0, now_unix() - SESSION_IDLE_SECS - 1);
        store.put_session(key, &s).await.unwrap();
        assert!(session_user(&store, &old).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn logging_out_everywhere_ends_every_session_but_the_kept_one() {
        let (store, user) = store_with_user().await;
        let someone = Ulid::new();
        let a = create_session(&store, user).await.unwrap();
        let b = create_session(&store, user).await.unwrap();
        let here = create_session(&store, user).await.unwrap();
        let someone_else = create_session(&store, someone).await.unwrap();
        assert_eq!(end_sessions_of(&store, user, Some(&here)).await.unwrap(), 2);
        assert!(session_user(&store, &a).await.unwrap().is_none());
        assert!(session_user(&store, &b).await.unwrap().is_none());
        assert!(session_user(&store, &here).await.unwrap().is_some());
        assert!(store
            .session(session_key(&someone_else))
            .await
            .unwrap()
            .is_some());
        assert_eq!(end_sessions_of(&store, user, None).await.unwrap(), 1);
        assert!(session_user(&store, &here).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn csrf_tokens_are_bound_to_what_they_protect() {
        let store = SledStore::temporary().unwrap();
        let key = CsrfKey::load(&store).await.unwrap();
        // The same secret for every process sharing the store.
        let again = CsrfKey::load(&store).await.unwrap();
        assert_eq!(key.for_session("s1"), again.for_session("s1"));
        assert_ne!(key.for_session("s1"), key.for_session("s2"));
        assert_ne!(
            key.for_session("x"),
            key.for_visitor("x"),
            "purposes differ"
        );
        assert_ne!(key.for_visitor("x"), "x");
        let elsewhere = CsrfKey::load(&SledStore::temporary().unwrap())
            .await
            .unwrap();
        assert_ne!(key.for_session("s1"), elsewhere.for_session("s1"));
    }
}
