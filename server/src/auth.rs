//! Passwords (argon2id), login sessions that survive restarts, and login throttling.
use crate::storage::StoreError;
use crate::storage::{now_unix, Session, Store, User};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};
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
fn session_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

pub fn create_session(store: &Store, user_id: Ulid) -> Result<String, StoreError> {
    let token = random_token();
    let now = now_unix();
    store.sessions.insert(
        &session_key(&token),
        &Session {
            user_id,
            created_at: now,
            expires_at: now + SESSION_TTL_SECS,
            last_seen: now,
        },
    )?;
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
/// recently; using it keeps it alive.
pub fn session_user(store: &Store, token: &str) -> Result<Option<User>, StoreError> {
    let key = session_key(token);
    let Some(mut session) = store.sessions.get(&key)? else {
        return Ok(None);
    };
    let now = now_unix();
    if session.ended(now) {
        store.sessions.remove(&key)?;
        return Ok(None);
    }
    if now - session.last_seen >= TOUCH_EVERY_SECS {
        session.last_seen = now;
        store.sessions.insert(&key, &session)?;
    }
    store.users.get(&session.user_id)
}

pub fn end_session(store: &Store, token: &str) -> Result<(), StoreError> {
    store.sessions.remove(&session_key(token))?;
    Ok(())
}

/// Ends every session of `user` except the one with token `keep` ("log out everywhere",
/// and after a password change); ended sessions of anyone are swept on the way. Returns how
/// many of `user`'s sessions ended.
pub fn end_sessions_of(store: &Store, user: Ulid, keep: Option<&str>) -> Result<usize, StoreError> {
    let keep = keep.map(session_key);
    let now = now_unix();
    let mut ended = 0;
    for item in store.sessions.entries() {
        let (key, session) = item?;
        let mine = session.user_id == user && keep.as_ref().map(|k| &k[..]) != Some(&key[..]);
        if mine || session.ended(now) {
            store.sessions.raw().remove(&key)?;
            ended += usize::from(mine);
        }
    }
    Ok(ended)
}

/// Derives anti-CSRF tokens. A token is an HMAC of the session (or, before signing in, of
/// the visitor cookie) under a secret kept in the store: another site can neither read it
/// nor compute it, and a cookie planted by someone else does not come with a valid token.
/// Signing in starts a new session, so the token changes with it.
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl CsrfKey {
    pub fn load(store: &Store) -> Result<Self, StoreError> {
        Ok(CsrfKey(store.secret("csrf")?))
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

/// What one key (a login name, a client address) may do within the throttle's window.
#[derive(Clone, Copy, Debug)]
pub struct Allowance {
    /// Attempts allowed at once before delays start.
    pub free: usize,
    /// Past `free`, each attempt waits twice as long after the previous one as the one before,
    /// from `first_delay` up to this. `None`: no more attempts until the window has passed.
    pub max_delay: Option<Duration>,
    pub first_delay: Duration,
}

/// Attempts per key (a login name, a merchant) and per client address within a sliding window.
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
    window: Duration,
    per_key: Allowance,
    address: Allowance,
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(
            Duration::from_secs(15 * 60),
            Allowance {
                free: 3,
                max_delay: Some(Duration::from_secs(60)),
                first_delay: Duration::from_secs(1),
            },
            Allowance {
                free: 20,
                max_delay: None,
                first_delay: Duration::ZERO,
            },
        )
    }
}

/// An attempt reserved by [`Throttle::reserve`].
#[derive(Debug)]
pub struct Reservation {
    own_key: String,
    address_key: Option<String>,
    at: Instant,
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
        Throttle::new(Duration::from_secs(10 * 60), per_merchant, per_merchant)
    }

    /// `per_key` applies to each key, `address` to each client address.
    pub fn new(window: Duration, per_key: Allowance, address: Allowance) -> Self {
        Throttle {
            window,
            per_key,
            address,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// How long `q` (attempts under `rule`) must still wait at `now`; zero when it may go.
    fn wait(&self, q: &mut VecDeque<Instant>, rule: Allowance, now: Instant) -> Duration {
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            q.pop_front();
        }
        if q.len() < rule.free {
            return Duration::ZERO;
        }
        let until = match rule.max_delay {
            Some(max) => {
                let doublings = (q.len() - rule.free).min(16) as u32;
                let delay = (rule.first_delay * (1u32 << doublings)).min(max);
                *q.back().expect("not empty") + delay
            }
            None => *q.front().expect("not empty") + self.window,
        };
        until.saturating_duration_since(now)
    }

    /// Reserves an attempt for `key` (a login, a merchant id) from `address`, or says how
    /// long to wait. Atomic: two parallel requests never both take the last free attempt.
    pub fn reserve(
        &self,
        key: &str,
        address: Option<std::net::IpAddr>,
        now: Instant,
    ) -> Result<Reservation, Duration> {
        let own_key = format!("key:{key}");
        let address_key = address.map(|a| format!("ip:{a}"));
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        // Bound memory under a flood of distinct names: drop entries that have aged out.
        if map.len() > 10_000 {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let mut wait = self.wait(map.entry(own_key.clone()).or_default(), self.per_key, now);
        if let Some(k) = &address_key {
            wait = wait.max(self.wait(map.entry(k.clone()).or_default(), self.address, now));
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        map.entry(own_key.clone()).or_default().push_back(now);
        if let Some(k) = &address_key {
            map.entry(k.clone()).or_default().push_back(now);
        }
        Ok(Reservation {
            own_key,
            address_key,
            at: now,
        })
    }

    /// The reserved attempt succeeded: the login's failures are forgotten, and the address
    /// gets its attempt back.
    pub fn succeeded(&self, r: Reservation) {
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&r.own_key);
        if let Some(q) = r.address_key.and_then(|k| map.get_mut(&k)) {
            if let Some(i) = q.iter().rposition(|t| *t == r.at) {
                q.remove(i);
            }
        }
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

    #[test]
    fn sessions_survive_reopen_and_expire() {
        let dir = tempfile::tempdir().unwrap();
        let (user, token) = {
            let store = Store::open(dir.path()).unwrap();
            let user = add_user(&store);
            let t = create_session(&store, user).unwrap();
            store.db.flush().unwrap();
            (user, t)
        };
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(
            session_user(&store, &token).unwrap().map(|u| u.id),
            Some(user)
        );
        assert!(session_user(&store, "forged").unwrap().is_none());
        // The raw token is not what is stored.
        assert!(store.sessions.get(token.as_str()).unwrap().is_none());
        end_session(&store, &token).unwrap();
        assert!(session_user(&store, &token).unwrap().is_none());

        let expired = create_session(&store, user).unwrap();
        let key = session_key(&expired);
        let mut s = store.sessions.get(&key).unwrap().unwrap();
        s.expires_at = now_unix() - 1;
        store.sessions.insert(&key, &s).unwrap();
        assert!(session_user(&store, &expired).unwrap().is_none());
        assert!(
            store.sessions.get(&key).unwrap().is_none(),
            "expired session is removed"
        );
    }

    /// A user "a" in `store`, with no password.
    fn add_user(store: &Store) -> Ulid {
        let user = Ulid::new();
        let record = User {
            id: user,
            login: "a".into(),
            display_name: "A".into(),
            password_hash: String::new(),
            role: crate::storage::StoredRole::AgencyAdmin {
                agency_id: Ulid::new(),
            },
            lang: Default::default(),
            created_at: String::new(),
        };
        store.users.insert(&user, &record).unwrap();
        user
    }

    fn store_with_user() -> (Store, Ulid) {
        let store = Store::temporary().unwrap();
        let user = add_user(&store);
        (store, user)
    }

    #[test]
    fn an_unused_session_ends_and_a_used_one_lives_on() {
        let (store, user) = store_with_user();
        let age = |token: &str, idle: i64| {
            let key = session_key(token);
            let mut s = store.sessions.get(&key).unwrap().unwrap();
            s.last_seen = now_unix() - idle;
            store.sessions.insert(&key, &s).unwrap();
        };
        let idle = create_session(&store, user).unwrap();
        age(&idle, SESSION_IDLE_SECS);
        assert!(session_user(&store, &idle).unwrap().is_none());

        let used = create_session(&store, user).unwrap();
        age(&used, SESSION_IDLE_SECS - 60);
        assert!(session_user(&store, &used).unwrap().is_some());
        // That use moved its clock: it has a whole idle period ahead again.
        let s = store.sessions.get(&session_key(&used)).unwrap().unwrap();
        assert!(now_unix() - s.last_seen < 5);

        // A session stored before idle timeouts counts from its creation.
        let old = create_session(&store, user).unwrap();
        let key = session_key(&old);
        let mut s = store.sessions.get(&key).unwrap().unwrap();
        (s.last_seen, s.created_at) = (0, now_unix() - SESSION_IDLE_SECS - 1);
        store.sessions.insert(&key, &s).unwrap();
        assert!(session_user(&store, &old).unwrap().is_none());
    }

    #[test]
    fn logging_out_everywhere_ends_every_session_but_the_kept_one() {
        let (store, user) = store_with_user();
        let other_store_user = Ulid::new();
        let a = create_session(&store, user).unwrap();
        let b = create_session(&store, user).unwrap();
        let here = create_session(&store, user).unwrap();
        let someone_else = create_session(&store, other_store_user).unwrap();
        assert_eq!(end_sessions_of(&store, user, Some(&here)).unwrap(), 2);
        assert!(session_user(&store, &a).unwrap().is_none());
        assert!(session_user(&store, &b).unwrap().is_none());
        assert!(session_user(&store, &here).unwrap().is_some());
        assert!(store
            .sessions
            .get(&session_key(&someone_else))
            .unwrap()
            .is_some());
        assert_eq!(end_sessions_of(&store, user, None).unwrap(), 1);
        assert!(session_user(&store, &here).unwrap().is_none());
    }

    #[test]
    fn csrf_tokens_are_bound_to_what_they_protect() {
        let store = Store::temporary().unwrap();
        let key = CsrfKey::load(&store).unwrap();
        // The same secret for every process sharing the store.
        let again = CsrfKey::load(&store).unwrap();
        assert_eq!(key.for_session("s1"), again.for_session("s1"));
        assert_ne!(key.for_session("s1"), key.for_session("s2"));
        assert_ne!(
            key.for_session("x"),
            key.for_visitor("x"),
            "purposes differ"
        );
        assert_ne!(key.for_visitor("x"), "x");
        let elsewhere = CsrfKey::load(&Store::temporary().unwrap()).unwrap();
        assert_ne!(key.for_session("s1"), elsewhere.for_session("s1"));
    }

    fn rules(free: usize, max_delay: Option<u64>) -> Allowance {
        Allowance {
            free,
            max_delay: max_delay.map(Duration::from_secs),
            first_delay: Duration::from_secs(1),
        }
    }

    #[test]
    fn a_named_login_is_slowed_down_never_locked() {
        let th = Throttle::new(
            Duration::from_secs(900),
            rules(3, Some(60)),
            rules(100, None),
        );
        let t0 = Instant::now();
        let ip = Some("1.2.3.4".parse().unwrap());
        let at = |s: u64| t0 + Duration::from_secs(s);
        for i in 0..3 {
            assert!(th.reserve("ann", ip, t0).is_ok(), "attempt {i} is free");
        }
        // The fourth waits a second after the last, the fifth two more, and so on up to 60 s.
        assert_eq!(
            th.reserve("ann", ip, t0).unwrap_err(),
            Duration::from_secs(1)
        );
        assert!(th.reserve("ann", ip, at(1)).is_ok());
        assert_eq!(
            th.reserve("ann", ip, at(1)).unwrap_err(),
            Duration::from_secs(2)
        );
        let mut now = 1;
        for _ in 0..10 {
            now += th
                .reserve("ann", ip, at(now))
                .err()
                .map_or(0, |d| d.as_secs());
            assert!(th.reserve("ann", ip, at(now)).is_ok());
        }
        assert_eq!(
            th.reserve("ann", ip, at(now)).unwrap_err(),
            Duration::from_secs(60)
        );
        // Another login from the same address is not slowed by ann's failures.
        assert!(th.reserve("bob", ip, at(now)).is_ok());
    }

    #[test]
    fn an_address_gets_a_fixed_number_of_failures_per_window() {
        let th = Throttle::new(Duration::from_secs(900), rules(3, Some(60)), rules(5, None));
        let t0 = Instant::now();
        let ip = Some("1.2.3.4".parse().unwrap());
        for name in ["a", "b", "c", "d", "e"] {
            assert!(th.reserve(name, ip, t0).is_ok());
        }
        assert_eq!(
            th.reserve("f", ip, t0).unwrap_err(),
            Duration::from_secs(900)
        );
        assert!(th
            .reserve("f", Some("9.9.9.9".parse().unwrap()), t0)
            .is_ok());
        // Once the first failure leaves the window, one more try is allowed.
        assert!(th.reserve("f", ip, t0 + Duration::from_secs(900)).is_ok());
    }

    #[test]
    fn success_forgets_the_logins_failures_and_returns_the_addresss_attempt() {
        let th = Throttle::new(Duration::from_secs(900), rules(2, Some(60)), rules(2, None));
        let now = Instant::now();
        let ip = Some("1.2.3.4".parse().unwrap());
        assert!(th.reserve("ann", ip, now).is_ok());
        let r = th.reserve("ann", ip, now).unwrap();
        th.succeeded(r);
        // ann starts afresh, and the address has one failure left, not none.
        assert!(th.reserve("ann", ip, now).is_ok());
        assert!(th.reserve("bob", ip, now).is_err());
    }
}
